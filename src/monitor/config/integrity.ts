// Pure integrity report over a validated configuration and the (id, keyId) pairs found in
// the readings collection (one $group with $sum, which FerretDB v1 supports too).
import type { ConfigProblem, ValidatedConfig } from './validate.js';

/** Readings of a (device, key) pair the configuration does not know. */
export interface OrphanReadings {
  /** Device id the readings carry. */
  id: number;
  /** Key id the readings carry. */
  keyId: number;
  /** How many readings of this pair are stored. */
  count: number;
  /** Why the pair is an orphan: no such device, no such key, or a key the device does not declare. */
  reason: 'unknown device' | 'unknown key' | 'key not produced by this device';
}

/** What `monitor.check()` returns. */
export interface IntegrityReport {
  /** When the check ran. */
  checkedAt: Date;
  /** Valid devices (enabled and disabled). */
  devices: number;
  /** Valid keys. */
  keys: number;
  /** Valid rules (enabled or not). */
  rules: number;
  /** Every problem in the configuration documents. */
  problems: ConfigProblem[];
  /** Reading groups whose (id, keyId) pair is not in the configuration. */
  orphanReadings: OrphanReadings[];
  /** Readings counted in the collection. */
  readings: number;
}

/** Classifies each (id, keyId) group; pairs the configuration knows are left out. */
export function findOrphans(
  pairs: ReadonlyArray<{ id: number; keyId: number; count: number }>,
  config: ValidatedConfig,
): OrphanReadings[] {
  const devices = new Map([...config.devices, ...config.disabled].map((d) => [d.id, d]));
  const orphans: OrphanReadings[] = [];
  for (const { id, keyId, count } of pairs) {
    const device = devices.get(id);
    let reason: OrphanReadings['reason'] | undefined;
    if (!device) reason = 'unknown device';
    else if (!config.keys.has(keyId)) reason = 'unknown key';
    else if (device.keyIds && !device.keyIds.includes(keyId)) reason = 'key not produced by this device';
    if (reason) orphans.push({ id, keyId, count, reason });
  }
  return orphans.sort((a, b) => a.id - b.id || a.keyId - b.keyId);
}
