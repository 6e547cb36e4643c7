// Pure next-due arithmetic, in milliseconds. No clock, no I/O: the Scheduler passes
// "now" in and gets a due time back, so these are tested directly (property tests).

/**
 * Converts a period given in seconds to milliseconds, snapping to a whole millisecond
 * when the product is off by float noise only (0.3 s → 300 ms, not 300.00000000000006).
 */
export function secondsToMs(seconds: number): number {
  const ms = seconds * 1000;
  const whole = Math.round(ms);
  return Math.abs(ms - whole) < 1e-6 ? whole : ms;
}

/**
 * The first `origin + k·period` (k an integer) strictly after `now`. Repeating jobs use
 * it with their start as origin (drift-free: never "previous run + period"), o'clock
 * jobs with origin 0 (the epoch). Late callers skip the missed slots (coalescing).
 */
export function nextSlotAfter(nowMs: number, periodMs: number, originMs = 0): number {
  let k = Math.floor((nowMs - originMs) / periodMs);
  // Float division can land one off either way; settle on the exact boundary.
  while (originMs + k * periodMs > nowMs) k--;
  while (originMs + k * periodMs <= nowMs) k++;
  return originMs + k * periodMs;
}

/**
 * Where a repeating wall-clock job goes after the wall clock stepped backward.
 *
 * `candidate` is its next slot after the new wall time, `lastSlot` the slot before the
 * one it was planned for, `msSinceLastSlot` how long ago (in real time) that slot came
 * and `periodMs` its period. The job moves back to `candidate`, except that a slot that
 * already came less than half a period ago is not run twice: then it keeps
 * `plannedDue`.
 */
export function dueAfterBackwardStep(
  candidate: number,
  plannedDue: number,
  lastSlot: number,
  msSinceLastSlot: number,
  periodMs: number,
): number {
  if (candidate >= plannedDue) return plannedDue;
  if (candidate === lastSlot && msSinceLastSlot < periodMs / 2) return plannedDue;
  return candidate;
}
