// Judges a proposed change to `devices`/`keys` with the monitor's own validateConfig, so
// the CLI refuses exactly what the monitor would skip. Pure: documents in, problems out.
import { validateConfig, type ConfigProblem } from '../tools/index.js';
import { type DriverDefinition } from '../monitor/index.js';
import { deviceLabel } from './output.js';

type Registry = ReadonlyMap<string, DriverDefinition>;
type Doc = Record<string, unknown>;

/** A problem as one line: `device 3 "boiler": config.path must be a string`. */
export function describeProblem(problem: ConfigProblem): string {
  return `${problem.subject}: ${problem.field} ${problem.message}`;
}

/** The driver a device document names (`driver`, or the seed's `pyClass`). */
export function driverName(doc: Doc): unknown {
  return doc.driver ?? doc.pyClass;
}

/**
 * Problems of adding `device` next to `existing`: everything validateConfig reports for it
 * (driver, config, keyIds, fields), plus its id or name already being taken.
 */
export function problemsOfNewDevice(
  device: Doc,
  existing: readonly Doc[],
  keys: readonly Doc[],
  registry: Registry,
): string[] {
  const problems: string[] = [];
  const byId = existing.find((d) => d.id === device.id);
  if (byId) {
    problems.push(
      `id ${String(device.id)} is taken by ${deviceLabel(byId.id, byId.name)}; choose another --id, or remove that device first (raspimon devices remove ${String(device.id)})`,
    );
  }
  const byName = existing.find((d) => d.name === device.name);
  if (byName) {
    problems.push(
      `name ${JSON.stringify(device.name)} is taken by ${deviceLabel(byName.id, byName.name)}; choose another --name`,
    );
  }
  // Validated alone against the keys: duplicates are reported above, in the CLI's words.
  const result = validateConfig([device], keys, registry);
  problems.push(...result.problems.filter((p) => p.collection === 'devices').map(describeProblem));
  return problems;
}

/** Problems of adding `key` next to `existing`: its fields, and its keyId being taken. */
export function problemsOfNewKey(key: Doc, existing: readonly Doc[], registry: Registry): string[] {
  const problems: string[] = [];
  const taken = existing.find((k) => k.keyId === key.keyId);
  if (taken) {
    problems.push(
      `keyId ${String(key.keyId)} is taken (unit ${JSON.stringify(taken.unit)}); choose another --key, or remove it first (raspimon keys remove ${String(key.keyId)})`,
    );
  }
  const result = validateConfig([], [key], registry);
  problems.push(...result.problems.map(describeProblem));
  return problems;
}

/**
 * Problems that removing the key `keyId` would create: the devices whose config refers to
 * it (as the monitor would report them). Problems that exist already are not counted.
 */
export function problemsOfKeyRemoval(
  keyId: number,
  devices: readonly Doc[],
  keys: readonly Doc[],
  registry: Registry,
): string[] {
  const before = new Set(validateConfig(devices, keys, registry).problems.map(describeProblem));
  const after = validateConfig(
    devices,
    keys.filter((k) => k.keyId !== keyId),
    registry,
  ).problems.map(describeProblem);
  return after.filter((p) => !before.has(p));
}

/**
 * The problems of each device document, as the monitor would report them (empty: valid):
 * each is validated alone against the keys, and a shared id or name is reported on
 * every holder (the monitor then runs none of them).
 */
export function deviceStatuses(
  devices: readonly Doc[],
  keys: readonly Doc[],
  registry: Registry,
): Map<Doc, string[]> {
  const statuses = new Map<Doc, string[]>();
  for (const doc of devices) {
    const own = validateConfig([doc], keys, registry).problems.filter((p) => p.collection === 'devices');
    const problems = own.map((p) => `${p.field} ${p.message}`);
    const sameId = devices.filter((d) => d.id === doc.id).length;
    if (sameId > 1) problems.push(`id ${String(doc.id)} is shared by ${sameId} devices; ids must be unique`);
    const sameName = devices.filter((d) => d.name === doc.name).length;
    if (sameName > 1)
      problems.push(
        `name ${JSON.stringify(doc.name)} is shared by ${sameName} devices; names must be unique`,
      );
    statuses.set(doc, problems);
  }
  return statuses;
}
