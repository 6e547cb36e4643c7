// Reads what the integrity report needs from a namespace. Shared by Monitor.check() and the
// `raspimon check` CLI, which must not start a monitor (its devices would open the serial
// ports that the running monitor holds).
import type { Db, Document } from 'mongodb';
import { validateConfig } from './validate.js';
import { buildRegistry } from '../intake/drivers/registry.js';
import { findOrphans, type IntegrityReport } from './integrity.js';
import type { DriverDefinition, DriverFactory } from '../types.js';

/**
 * The report for these configuration documents: validation problems, plus readings whose
 * (id, keyId) pair the configuration does not know. One `$group` with `$sum` (FerretDB v1
 * has it too), so the server sends back one row per pair.
 */
export async function integrityReport(
  db: Db,
  raw: { devices: Document[]; keys: Document[]; rules?: Document[] },
  registry: ReadonlyMap<string, DriverDefinition>,
  checkedAt: Date,
): Promise<IntegrityReport> {
  const config = validateConfig(raw.devices, raw.keys, registry, raw.rules ?? []);
  const groups = await db
    .collection('readings')
    .aggregate<{ _id: { id: number; keyId: number }; count: number }>([
      { $group: { _id: { id: '$id', keyId: '$keyId' }, count: { $sum: 1 } } },
    ])
    .toArray();
  const pairs = groups.map((g) => ({
    id: Number(g._id.id),
    keyId: Number(g._id.keyId),
    count: Number(g.count),
  }));
  return {
    checkedAt,
    devices: config.devices.length + config.disabled.length,
    keys: config.keys.size,
    rules: config.rules.length,
    problems: config.problems,
    orphanReadings: findOrphans(pairs, config),
    readings: pairs.reduce((sum, p) => sum + p.count, 0),
  };
}

/**
 * The driver registry a Monitor with these custom `drivers` uses: the built-ins plus
 * yours (one with a built-in's name replaces it). Pass it to {@link validateConfig} to
 * check documents exactly as the monitor will.
 *
 * @example
 * ```ts
 * const registry = createDriverRegistry({ boiler: boilerFactory });
 * const { problems } = validateConfig(devices, keys, registry);
 * ```
 */
export function createDriverRegistry(
  drivers: Readonly<Record<string, DriverFactory | DriverDefinition>> = {},
): ReadonlyMap<string, DriverDefinition> {
  return buildRegistry(drivers);
}

/**
 * The integrity report of a namespace without starting a monitor (no device is opened):
 * what `monitor.check()` returns.
 *
 * @example
 * ```ts
 * const report = await checkIntegrity(client.db(getDeviceNamespace()), { drivers });
 * if (report.problems.length + report.orphanReadings.length > 0) console.log(report);
 * ```
 */
export async function checkIntegrity(
  db: Db,
  options: { drivers?: Readonly<Record<string, DriverFactory | DriverDefinition>> } = {},
): Promise<IntegrityReport> {
  const [devices, keys, rules] = await Promise.all([
    db.collection('devices').find().sort({ _id: 1 }).toArray(),
    db.collection('keys').find().sort({ _id: 1 }).toArray(),
    db.collection('rules').find().sort({ _id: 1 }).toArray(),
  ]);
  return integrityReport(db, { devices, keys, rules }, buildRegistry(options.drivers), new Date());
}
