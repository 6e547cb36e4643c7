// The text of rule records: what fired, where, how far past the threshold and since when.
// Pure, so the CLI's `rules test` prints the very lines the monitor would log.
import { formatValue } from '../status/format-value.js';
import type { DeviceSpec, KeySpec } from '../types.js';
import type { RuleCause, RuleSpec } from './types.js';

/** `45 s`, `12 min 5 s`, `3 h 2 min`, `2 d 4 h`. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 === 0 ? `${m} min` : `${m} min ${s % 60} s`;
  const h = Math.floor(m / 60);
  if (h < 48) return m % 60 === 0 ? `${h} h` : `${h} h ${m % 60} min`;
  const d = Math.floor(h / 24);
  return h % 24 === 0 ? `${d} d` : `${d} d ${h % 24} h`;
}

/** `rule 1 "freezer warm": device 3 "freezer", key 7 (mC)`. */
export function pairLabel(
  rule: Pick<RuleSpec, 'id' | 'name' | 'keyId'>,
  device: Pick<DeviceSpec, 'id' | 'name'>,
  key: KeySpec | undefined,
): string {
  const unit = key?.unit ? ` (${key.unit})` : '';
  return `rule ${rule.id} ${JSON.stringify(rule.name)}: device ${device.id} ${JSON.stringify(device.name)}, key ${rule.keyId}${unit}`;
}

/**
 * `value -8500 mC above -10000 mC` (`value -8.5 °C above -10.0 °C` with 1 decimal), or
 * `no reading for 10 min`. The `subject` form, for mail subjects, is shorter:
 * `-8.5 °C above -10.0 °C`, `?` for an unknown value.
 */
export function conditionText(
  cause: RuleCause,
  value: number | undefined,
  threshold: number,
  key: KeySpec | undefined,
  { form = 'record' }: { form?: 'record' | 'subject' } = {},
): string {
  if (cause === 'noData') return `no reading for ${formatDuration(threshold * 1000)}`;
  if (form === 'subject')
    return `${value === undefined ? '?' : formatValue(value, key)} ${cause} ${formatValue(threshold, key)}`;
  const shown = value === undefined ? `undefined${key?.unit ? ` ${key.unit}` : ''}` : formatValue(value, key);
  return `value ${shown} ${cause} ${formatValue(threshold, key)}`;
}

/** The rule's own message, appended when it has one. */
export function withMessage(text: string, rule: Pick<RuleSpec, 'message'>): string {
  return rule.message ? `${text} — ${rule.message}` : text;
}

/** ISO time of an epoch-ms instant. */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}
