// Reads the raw `devices`, `keys` and `rules` documents and fingerprints them, and keeps a copy of
// the last good configuration in the state dir, so a Pi that boots while the database is
// unreachable still samples its devices (into the spool).
import { createHash } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Db, Document } from 'mongodb';
import type { MongoModule } from '../peers.js';

/** The configuration documents as stored, with a fingerprint that changes when any does. */
export interface RawConfig {
  devices: Document[];
  keys: Document[];
  /** The `rules` documents (none in a namespace without the collection). */
  rules: Document[];
  fingerprint: string;
}

/** Reads the three collections (in `_id` order) and hashes their BSON. */
export async function loadRawConfig(mongo: MongoModule, db: Db): Promise<RawConfig> {
  const [devices, keys, rules] = await Promise.all([
    db.collection('devices').find().sort({ _id: 1 }).toArray(),
    db.collection('keys').find().sort({ _id: 1 }).toArray(),
    db.collection('rules').find().sort({ _id: 1 }).toArray(),
  ]);
  return { devices, keys, rules, fingerprint: fingerprint(mongo, devices, keys, rules) };
}

function hashOf(mongo: MongoModule, docs: Document[]): string {
  const hash = createHash('sha1');
  for (const doc of docs) hash.update(mongo.BSON.serialize(doc));
  return hash.digest('hex');
}

// `<devices and keys>` or `<devices and keys>:<rules>`, so a poll can say what changed.
function fingerprint(mongo: MongoModule, devices: Document[], keys: Document[], rules: Document[]): string {
  const hash = createHash('sha1');
  hash.update(`${devices.length}:${keys.length}:`);
  for (const doc of devices) hash.update(mongo.BSON.serialize(doc));
  hash.update('|');
  for (const doc of keys) hash.update(mongo.BSON.serialize(doc));
  const base = hash.digest('hex');
  return rules.length > 0 ? `${base}:${rules.length}-${hashOf(mongo, rules)}` : base;
}

/** What differs between two fingerprints, for the poll's log line: `'devices or keys'` or `'rules'`. */
export function changedCollections(before: string | undefined, after: string): string {
  return before?.split(':')[0] === after.split(':')[0] ? 'rules' : 'devices or keys';
}

const cacheFile = 'last-good-config.json';

/** Saves the documents of a configuration that loaded, atomically. */
export async function saveConfigCache(mongo: MongoModule, stateDir: string, raw: RawConfig): Promise<void> {
  const file = path.join(stateDir, cacheFile);
  await writeFile(
    file + '.tmp',
    mongo.BSON.EJSON.stringify(
      { devices: raw.devices, keys: raw.keys, rules: raw.rules },
      { relaxed: false },
    ),
  );
  await rename(file + '.tmp', file);
}

/** The cached configuration, or undefined when there is none (or it is unreadable). */
export async function readConfigCache(mongo: MongoModule, stateDir: string): Promise<RawConfig | undefined> {
  try {
    const text = await readFile(path.join(stateDir, cacheFile), 'utf8');
    const data = mongo.BSON.EJSON.parse(text, { relaxed: true }) as {
      devices?: unknown;
      keys?: unknown;
      rules?: unknown;
    };
    if (!Array.isArray(data.devices) || !Array.isArray(data.keys)) return undefined;
    const devices = data.devices as Document[];
    const keys = data.keys as Document[];
    const rules = Array.isArray(data.rules) ? (data.rules as Document[]) : [];
    return { devices, keys, rules, fingerprint: fingerprint(mongo, devices, keys, rules) };
  } catch {
    return undefined;
  }
}
