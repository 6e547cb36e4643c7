// Pure parser of the text lines a serial device sends (no I/O).
import type { DriverReading } from '../../../types.js';

/** A parsed line: its readings, or why it was rejected. */
export type LineResult =
  | {
      /** The line was understood. */
      ok: true;
      /** Its readings (none for an empty line). */
      readings: DriverReading[];
    }
  | {
      /** The line is malformed: it is counted and reported, never stored. */
      ok: false;
      /** Why, for the report, e.g. `bad pair "T=twenty-one"`. */
      reason: string;
    };

const numberText = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/**
 * Parses one line: `NAME=VALUE` pairs (NAME mapped through `keys`; several pairs may share
 * a line, separated by spaces, commas or semicolons), `KEYID VALUE`, or JSON
 * `{"keyId": K, "value": V}` (or an array of those). Empty lines yield no reading.
 *
 * @example
 * ```ts
 * parseLine('temp=2150 hum=40', { temp: 1, hum: 2 }) // two readings
 * parseLine('7 -12', {})                              // keyId 7, value -12
 * ```
 */
export function parseLine(line: string, keys: Readonly<Record<string, number>>): LineResult {
  const text = line.trim();
  if (text === '') return { ok: true, readings: [] };
  if (text.startsWith('{') || text.startsWith('[')) return parseJsonLine(text);
  if (text.includes('=')) return parsePairs(text, keys);
  const parts = text.split(/\s+/);
  if (parts.length === 2 && /^\d+$/.test(parts[0]!) && numberText.test(parts[1]!)) {
    return { ok: true, readings: [{ keyId: Number(parts[0]), value: Number(parts[1]) }] };
  }
  return { ok: false, reason: 'not NAME=VALUE, KEYID VALUE or JSON' };
}

function parsePairs(text: string, keys: Readonly<Record<string, number>>): LineResult {
  const readings: DriverReading[] = [];
  for (const pair of text.split(/[\s,;]+/)) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    if (eq <= 0 || !numberText.test(value)) return { ok: false, reason: `bad pair ${JSON.stringify(pair)}` };
    const keyId = Object.hasOwn(keys, name) ? keys[name] : undefined;
    if (keyId === undefined)
      return { ok: false, reason: `name ${JSON.stringify(name)} is not in config.keys` };
    readings.push({ keyId, value: Number(value) });
  }
  return { ok: true, readings };
}

function parseJsonLine(text: string): LineResult {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'invalid JSON' };
  }
  const items = Array.isArray(data) ? (data as unknown[]) : [data];
  const readings: DriverReading[] = [];
  for (const item of items) {
    const { keyId, value } = (item ?? {}) as { keyId?: unknown; value?: unknown };
    if (typeof keyId !== 'number' || !Number.isSafeInteger(keyId) || keyId < 0 || typeof value !== 'number') {
      return { ok: false, reason: 'JSON must be {"keyId": integer, "value": number}' };
    }
    readings.push({ keyId, value });
  }
  return { ok: true, readings };
}
