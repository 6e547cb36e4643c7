// Reads the raw `devices`, `keys` and `rules` documents and fingerprints them, and keeps a copy of
// the last good configuration in the state dir, so a Pi that boots while the database is
// unreachable still samples its devices (into the spool). The documents are fetched as BSON
// bytes and hashed as such first: the configuration poll, which finds them unchanged nearly
// always, then neither decodes nor re-encodes them (issue 21: less work and garbage a minute).
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

/** The three collections as stored (BSON bytes, in `_id` order) and a hash of those bytes. */
export interface ConfigBytes {
  devices: Uint8Array[];
  keys: Uint8Array[];
  rules: Uint8Array[];
  /** Changes when any byte does (a type change of an equal value too, unlike the fingerprint). */
  hash: string;
}

async function bytesOf(db: Db, name: string): Promise<Uint8Array[]> {
  // raw: each document comes back as its BSON bytes, undecoded.
  return (await db
    .collection(name)
    .find({}, { raw: true })
    .sort({ _id: 1 })
    .toArray()) as unknown as Uint8Array[];
}

/** Reads the three collections as BSON bytes and hashes them. */
export async function readConfigBytes(db: Db): Promise<ConfigBytes> {
  const [devices, keys, rules] = await Promise.all([
    bytesOf(db, 'devices'),
    bytesOf(db, 'keys'),
    bytesOf(db, 'rules'),
  ]);
  const hash = createHash('sha1');
  for (const list of [devices, keys, rules]) {
    hash.update(`${list.length}|`);
    for (const doc of list) hash.update(doc);
  }
  return { devices, keys, rules, hash: hash.digest('hex') };
}

/** The configuration of the bytes read: decoded and fingerprinted. */
export function decodeConfig(mongo: MongoModule, bytes: ConfigBytes): RawConfig {
  const decode = (list: Uint8Array[]): Document[] => list.map((doc) => mongo.BSON.deserialize(doc));
  const devices = decode(bytes.devices);
  const keys = decode(bytes.keys);
  const rules = decode(bytes.rules);
  return { devices, keys, rules, fingerprint: fingerprint(mongo, devices, keys, rules) };
}

/** Reads the three collections (in `_id` order) and hashes their BSON. */
export async function loadRawConfig(mongo: MongoModule, db: Db): Promise<RawConfig> {
  return decodeConfig(mongo, await readConfigBytes(db));
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
