// What a wall-clock step (NTP setting the time of a Pi without RTC) does to the wall
// jobs' due times. Pure: the timeline notices the step and passes the times in.
import { nextCronRun, previousCronRun, type CronRule } from './cron.js';
import type { Job } from './job.js';
import { dueAfterBackwardStep, nextSlotAfter } from './o-clock.js';

/**
 * Re-plans wall-clock jobs after the wall clock stepped forward to `wallMs`, changing
 * their `due` in place (the caller rebuilds the heap).
 *
 * A step is not elapsed time: the slots between the old and the new wall time were not
 * lived through. What did go by is the real (monotonic) time since each job was planned,
 * and the corrected clock says when that was: `wallMs − (monotonicMs − job.plannedMs)`.
 * So an o'clock or cron job moves to its first slot after that moment. If that slot is
 * already past, it really was missed and runs once, at once (coalesced: its next slot
 * is then planned from the new time); otherwise it is the next slot after `wallMs`, and
 * nothing runs early. A Pi that booted in 1970 and is set to a Wednesday 14:00 thus
 * sends no daily 08:00 or Monday 08:00 digest until their next real slot. `onceWhen`
 * keeps its fixed time (a time already past runs at once, as when it is scheduled).
 */
export function replanAfterForwardStep(jobs: readonly Job[], wallMs: number, monotonicMs: number): void {
  for (const job of jobs) {
    if (job.kind === 'onceWhen' || job.due === Infinity) continue;
    const plannedWallMs = wallMs - (monotonicMs - job.plannedMs);
    const due =
      job.kind === 'repeatCron'
        ? (nextCronRun(job.trigger as CronRule, plannedWallMs) ?? Infinity)
        : nextSlotAfter(plannedWallMs, job.trigger as number);
    // Never earlier than planned: the old plan came from an earlier reading of the clock.
    if (due > job.due) job.due = due;
  }
}

/**
 * Moves repeating wall-clock jobs (o'clock and cron) back after the wall clock stepped
 * backward, changing their `due` in place (the caller rebuilds the heap). Each goes to
 * its next slot after the new time `wallMs`, except that the slot it ran last is not run
 * again if it came less than half a period ago (measured with the wall time just before
 * the step, `wallBeforeStepMs`). One-shot jobs keep their time. The jobs count as
 * planned now (`monotonicMs`) for a later forward step.
 */
export function replanAfterBackwardStep(
  jobs: readonly Job[],
  wallMs: number,
  wallBeforeStepMs: number,
  monotonicMs: number,
): void {
  for (const job of jobs) {
    if (job.kind === 'repeatOClock') {
      const periodMs = job.trigger as number;
      const lastSlot = job.due - periodMs;
      const candidate = nextSlotAfter(wallMs, periodMs);
      job.due = dueAfterBackwardStep(candidate, job.due, lastSlot, wallBeforeStepMs - lastSlot, periodMs);
    } else if (job.kind === 'repeatCron' && Number.isFinite(job.due)) {
      const rule = job.trigger as CronRule;
      const candidate = nextCronRun(rule, wallMs) ?? job.due;
      const lastSlot = previousCronRun(rule, job.due);
      job.due =
        lastSlot === null
          ? Math.min(candidate, job.due)
          : dueAfterBackwardStep(
              candidate,
              job.due,
              lastSlot,
              wallBeforeStepMs - lastSlot,
              job.due - lastSlot,
            );
    } else {
      continue;
    }
    job.plannedMs = monotonicMs;
  }
}
