// Pure diff of the running devices against a newly validated set: what to start, stop,
// restart, and what to leave alone (its driver, and e.g. its open serial port, untouched).
import type { DeviceSpec } from '../types.js';

/** What a reload must do. */
export interface DeviceDiff {
  added: DeviceSpec[];
  changed: DeviceSpec[];
  removed: DeviceSpec[];
  unchanged: DeviceSpec[];
}

/** JSON with sorted keys, so two equal documents always compare equal. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return v;
    return Object.fromEntries(
      Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    );
  });
}

/**
 * Compares running devices (by id) with the next configuration.
 *
 * @example
 * ```ts
 * const { added, changed, removed } = diffDevices(running, next.devices);
 * ```
 */
export function diffDevices(
  running: ReadonlyMap<number, DeviceSpec>,
  next: readonly DeviceSpec[],
): DeviceDiff {
  const diff: DeviceDiff = { added: [], changed: [], removed: [], unchanged: [] };
  const nextIds = new Set<number>();
  for (const device of next) {
    nextIds.add(device.id);
    const current = running.get(device.id);
    if (!current) diff.added.push(device);
    else if (canonicalJson(current) === canonicalJson(device)) diff.unchanged.push(current);
    else diff.changed.push(device);
  }
  for (const [id, device] of running) if (!nextIds.has(id)) diff.removed.push(device);
  return diff;
}
