// The readings section of the daily digest: per device and key, count/min/max/avg/last of
// the last 24 h, from the in-memory minute windows (no query). Pure text.
import type { Accumulator } from '../storage/rollups/bucket-math.js';
import type { MinuteWindow } from '../storage/rollups/minute-window.js';
import type { DeviceSpec, KeySpec } from '../types.js';
import { formatNumber, formatValue } from './format-value.js';

/** Per device and key, the last 24 h as text lines. */
export function renderReadingsDigest(parts: {
  nowMs: number;
  devices: readonly DeviceSpec[];
  keys: ReadonlyMap<number, KeySpec>;
  windows(id: number): ReadonlyMap<number, MinuteWindow>;
}): string {
  const end = Math.floor(parts.nowMs / 60_000);
  const lines = [`Readings of the last 24 h (to ${new Date((end + 1) * 60_000).toISOString()}):`];
  for (const device of parts.devices) {
    const windows = parts.windows(device.id);
    lines.push(`  ${device.name} (#${device.id}):`);
    const keyIds = [...new Set([...(device.keyIds ?? []), ...windows.keys()])].sort((a, b) => a - b);
    if (keyIds.length === 0) lines.push('    no keys');
    for (const keyId of keyIds) {
      const key = parts.keys.get(keyId);
      const label = `key ${keyId}${key?.description ? ` ${key.description}` : ''}`;
      const round = (v: number): string => formatNumber(v, key);
      let acc: Accumulator | undefined;
      const window = windows.get(keyId);
      // Up to the next minute: readings with a driver's ts up to a minute ahead are kept too.
      if (window) for (let m = end - 1438; m <= end + 1; m++) acc = window.mergeMinute(m, acc);
      lines.push(
        acc
          ? `    ${label}: min ${round(acc.min)}, max ${round(acc.max)}, avg ${round(acc.sum / acc.count)}, last ${formatValue(acc.last, key)} at ${new Date(acc.lastTs).toISOString()} (${acc.count} readings)`
          : `    ${label}: no readings`,
      );
    }
  }
  if (parts.devices.length === 0) lines.push('  no device is running');
  return lines.join('\n');
}
