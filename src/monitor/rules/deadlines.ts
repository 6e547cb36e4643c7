// The time-based transitions of a rule's pairs, run by the evaluator's check job: a no-data
// fire once a pair has had no reading for `noDataSeconds`, and a reminder every
// `repeatSeconds` while it fires. Deadlines are on the monotonic clock.
import type { PairNotices } from './notices.js';
import { FIRING, type Entry } from './pair.js';

/**
 * Runs the no-data fires and reminders of `entry` due at `mono` (`now`: the same instant on
 * the wall clock); returns the entry's next deadline (monotonic ms, `Infinity` for none).
 */
export function checkDeadlines(notices: PairNotices, entry: Entry, now: number, mono: number): number {
  const rule = entry.rule;
  let next = Infinity;
  for (const pair of entry.pairs.values()) {
    if (rule.noDataSeconds !== undefined && pair.status !== FIRING) {
      const due = pair.lastSeenMono + rule.noDataSeconds * 1000;
      // Fired as of its deadline, so a replay over stored readings names the right time.
      if (due <= mono)
        notices.fire(
          entry,
          pair,
          'noData',
          undefined,
          rule.noDataSeconds,
          pair.lastSeenMs,
          pair.lastSeenMono,
          now - (mono - due),
          due,
        );
      else next = Math.min(next, due);
    }
    if (pair.status === FIRING && rule.repeatSeconds !== undefined) {
      const period = rule.repeatSeconds * 1000;
      let due = pair.lastNoticeMono + period;
      // Missed reminders (the monitor was down, the loop blocked) are not back-filled:
      // one reminder now, which says how long since the last notice.
      if (due <= mono) {
        notices.remind(entry, pair, now, mono);
        due = mono + period;
      }
      next = Math.min(next, due);
    }
  }
  return next;
}
