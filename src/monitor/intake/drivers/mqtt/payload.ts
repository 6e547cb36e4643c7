// Pure core of the mqtt driver: a message payload to readings. No I/O.
import type { DriverReading } from '../../../types.js';

/** One key an `mqtt` device fills: from the whole payload (no `path`) or a JSON dot path. */
export interface MqttKey {
  /** The key the reading is stored under. */
  keyId: number;
  /** Dot path into a JSON payload, e.g. `'temperature'` or `'sensors.0.value'`; none for a plain number. */
  path?: string | undefined;
}

/** What one payload gave: readings, or why it gave none. */
export type PayloadResult =
  | {
      ok: true;
      readings: DriverReading[];
      /** Set when a JSON payload held none of the configured paths (e.g. a battery-only update). */
      unmatched?: string;
    }
  | { ok: false; reason: string };

/** The value at a dot path (`'a.b.0.c'`), or undefined. Array indexes are path segments. */
export function valueAtPath(value: unknown, path: string): unknown {
  let current = value;
  for (const segment of path.split('.')) {
    if (typeof current !== 'object' || current === null) return undefined;
    if (!Object.prototype.hasOwnProperty.call(current, segment)) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

/** A number, a numeric string or a boolean (Zigbee2MQTT's `contact: true`) as a number. */
function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

/**
 * A payload timestamp as a Date: an ISO 8601 string, or epoch seconds (a number above
 * 1e11 is taken as epoch milliseconds, as many ESP32 sketches send `millis`-style stamps).
 */
export function parseTimestamp(value: unknown): Date | undefined {
  if (typeof value === 'number' && Number.isFinite(value) && value > 0)
    return new Date(value > 1e11 ? value : value * 1000);
  if (typeof value === 'string' && value !== '') {
    const asNumber = Number(value);
    if (Number.isFinite(asNumber)) return parseTimestamp(asNumber);
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? undefined : new Date(ms);
  }
  return undefined;
}

/**
 * Turns one payload into readings: a plain number goes to each key without a `path`; a JSON
 * object gives one reading per key with a `path` found in it. Keys whose path is missing
 * from this message are skipped (a device may send partial updates); a payload that is
 * neither a number nor JSON, or holds a non-number at a path, is a bad message.
 */
export function parsePayload(
  payload: Buffer | string,
  keys: readonly MqttKey[],
  timestampPath?: string,
): PayloadResult {
  const text = (typeof payload === 'string' ? payload : payload.toString('utf8')).trim();
  if (text === '') return { ok: false, reason: 'empty payload' };
  const plain = toNumber(text);
  if (plain !== undefined && !text.startsWith('{') && !text.startsWith('[')) {
    const readings = keys.filter((k) => k.path === undefined).map((k) => ({ keyId: k.keyId, value: plain }));
    if (readings.length === 0)
      return { ok: false, reason: `a plain number (${text.slice(0, 40)}) but every key has a path` };
    return { ok: true, readings };
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    return { ok: false, reason: `neither a number nor JSON: ${JSON.stringify(text.slice(0, 60))}` };
  }
  let ts: Date | undefined;
  if (timestampPath !== undefined) {
    const raw = valueAtPath(document, timestampPath);
    ts = parseTimestamp(raw);
    if (ts === undefined)
      return {
        ok: false,
        reason: `timestamp at "${timestampPath}" missing or not a time: ${JSON.stringify(raw)}`,
      };
  }
  const readings: DriverReading[] = [];
  const unreadable: string[] = [];
  for (const key of keys) {
    if (key.path === undefined) continue;
    const raw = valueAtPath(document, key.path);
    if (raw === undefined || raw === null) continue;
    const value = toNumber(raw);
    if (value === undefined) unreadable.push(`${key.path} = ${JSON.stringify(raw).slice(0, 30)}`);
    else readings.push(ts ? { keyId: key.keyId, value, ts } : { keyId: key.keyId, value });
  }
  if (unreadable.length > 0) return { ok: false, reason: `not a number: ${unreadable.join(', ')}` };
  if (readings.length === 0)
    return {
      ok: true,
      readings,
      unmatched: `JSON without any configured path (${keys.map((k) => k.path ?? '(whole payload)').join(', ')})`,
    };
  return { ok: true, readings };
}
