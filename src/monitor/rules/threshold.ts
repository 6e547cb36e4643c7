// The threshold side of a pair, on each reading (the hot path: no allocation): ok → pending
// while the value stays past `above` or `below` for `forSeconds` (on the monotonic clock) →
// firing → ok once the value is back past the threshold by the hysteresis.
import type { PairNotices } from './notices.js';
import { FIRING, OK, PENDING, type Entry, type Pair } from './pair.js';
import type { RuleCause } from './types.js';

/** Moves `pair` of `entry` on the reading `value`, taken at `now` (wall) and `mono` (monotonic). */
export function onThresholdValue(
  notices: PairNotices,
  entry: Entry,
  pair: Pair,
  value: number,
  now: number,
  mono: number,
): void {
  const rule = entry.rule;
  const cause: RuleCause | undefined =
    rule.above !== undefined && value > rule.above
      ? 'above'
      : rule.below !== undefined && value < rule.below
        ? 'below'
        : undefined;
  if (pair.status === FIRING) {
    // Each side of a band is its own condition: firing "above" resolves once the value is
    // back under `above` (by the hysteresis), whatever `below` says, and a value past the
    // other side then starts that side's own pending and firing.
    const h = rule.hysteresis;
    const back =
      pair.cause === 'above'
        ? value <= rule.above! - h
        : pair.cause === 'below'
          ? value >= rule.below! + h
          : true;
    if (!back) {
      pair.value = value;
      if (pair.peak === undefined || (pair.cause === 'below' ? value < pair.peak : value > pair.peak))
        pair.peak = value;
      return;
    }
    notices.resolve(entry, pair, now, mono, undefined, value);
    pair.value = undefined;
    pair.peak = undefined;
  }
  if (cause === undefined) {
    pair.status = OK;
    return;
  }
  if (pair.status === OK || pair.cause !== cause) {
    pair.status = PENDING;
    pair.cause = cause;
    pair.sinceMs = now;
    pair.sinceMono = mono;
  }
  if (mono - pair.sinceMono >= rule.forSeconds * 1000) {
    const threshold = cause === 'above' ? rule.above! : rule.below!;
    notices.fire(entry, pair, cause, value, threshold, pair.sinceMs, pair.sinceMono, now, mono);
  }
}
