// The shape of `rollups.json` (the open hours a monitor saves) and its check on load. Valid
// JSON of the wrong shape or with values out of range (`{"version":1,"clean":true}`, a
// `writtenThroughMs` of 1e20) must not stop the monitor from starting: it is treated as an
// unreadable file (warned, the open hours recomputed from raw). Pure: no I/O.
import type { Accumulator } from './bucket-math.js';

/** What `rollups.json` holds. */
export interface SavedState {
  version: 1;
  clean: boolean;
  savedAtMs: number;
  writtenThroughMs: number | null;
  /** Rollups cover hours from here on (the first run's hour, or the start of a rebuild). */
  coveredFromMs: number | null;
  pendingDays: number[];
  /** A recomputation from raw still to do: the saved hours in it are incomplete. */
  recovery: { fromMs: number; toMs: number } | null;
  hours: Array<[number, number, number, Accumulator]>;
}

/** Largest |epoch ms| a Date can hold. */
const maxDateMs = 8.64e15;
const hourMs = 3_600_000;
const dayMs = 86_400_000;

const isTime = (v: unknown): v is number =>
  typeof v === 'number' && Number.isFinite(v) && Math.abs(v) <= maxDateMs;
const isAligned = (v: unknown, step: number): v is number => isTime(v) && v % step === 0;
const isId = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isValue = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function accumulatorProblem(acc: unknown): string | undefined {
  if (typeof acc !== 'object' || acc === null) return 'not an object';
  const a = acc as Record<string, unknown>;
  if (!isId(a.count) || a.count < 1) return `count ${JSON.stringify(a.count)}`;
  for (const field of ['sum', 'min', 'max', 'first', 'last'] as const)
    if (!isValue(a[field])) return `${field} ${JSON.stringify(a[field])}`;
  for (const field of ['firstTs', 'lastTs'] as const)
    if (!isTime(a[field])) return `${field} ${JSON.stringify(a[field])}`;
  if ((a.min as number) > (a.max as number)) return 'min above max';
  return undefined;
}

/**
 * What is wrong with parsed `rollups.json` content, or undefined when it is a valid
 * {@link SavedState}. The answer names the first bad field.
 */
export function savedStateProblem(state: unknown): string | undefined {
  if (typeof state !== 'object' || state === null || Array.isArray(state)) return 'not an object';
  const s = state as Record<string, unknown>;
  if (s.version !== 1) return `version ${JSON.stringify(s.version)} (expected 1)`;
  if (typeof s.clean !== 'boolean') return 'clean is not a boolean';
  if (!isTime(s.savedAtMs)) return `savedAtMs ${JSON.stringify(s.savedAtMs)}`;
  if (s.writtenThroughMs !== null && !isAligned(s.writtenThroughMs, hourMs))
    return `writtenThroughMs ${JSON.stringify(s.writtenThroughMs)} (an hour start or null)`;
  if (s.coveredFromMs !== null && !isTime(s.coveredFromMs))
    return `coveredFromMs ${JSON.stringify(s.coveredFromMs)} (epoch ms or null)`;
  if (!Array.isArray(s.pendingDays)) return 'pendingDays is not an array';
  for (const day of s.pendingDays as unknown[])
    if (!isAligned(day, dayMs)) return `pendingDays holds ${JSON.stringify(day)}`;
  if (s.recovery !== null) {
    const r = s.recovery as Record<string, unknown> | undefined;
    if (
      typeof r !== 'object' ||
      !isAligned(r.fromMs, hourMs) ||
      !isAligned(r.toMs, hourMs) ||
      r.fromMs > r.toMs
    )
      return 'recovery is not null nor { fromMs, toMs } hour starts';
  }
  if (!Array.isArray(s.hours)) return 'hours is not an array';
  for (const row of s.hours as unknown[]) {
    if (!Array.isArray(row) || row.length !== 4) return 'an hours row is not [id, keyId, start, bucket]';
    const [id, keyId, start, acc] = row as unknown[];
    if (!isId(id) || !isId(keyId) || !isAligned(start, hourMs))
      return `hours row ${JSON.stringify([id, keyId, start])} (ids and an hour start expected)`;
    const problem = accumulatorProblem(acc);
    if (problem) return `hours row ${JSON.stringify([id, keyId, start])}: ${problem}`;
  }
  return undefined;
}
