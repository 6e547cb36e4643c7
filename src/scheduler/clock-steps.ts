import { nextCronRun, previousCronRun } from './cron.js';
import type { Job } from './job.js';
import { dueAfterBackwardStep, nextSlotAfter } from './o-clock.js';

/**
 * Moves repeating wall-clock jobs (o'clock and cron) back after the wall clock stepped
 * backward, changing their `due` in place (the caller rebuilds the heap). Each goes to
 * its next slot after the new time `wallMs`, except that the slot it ran last is not run
 * again if it came less than half a period ago (measured with the wall time just before
 * the step, `wallBeforeStepMs`). One-shot jobs keep their time. Forward steps need no
 * re-planning: the jobs simply fall due, and each re-plans from the new time once run.
 */
export function replanAfterBackwardStep(
  jobs: readonly Job[],
  wallMs: number,
  wallBeforeStepMs: number,
): void {
  for (const job of jobs) {
    if (job.kind === 'repeatOClock') {
      const lastSlot = job.due - job.periodMs;
      const candidate = nextSlotAfter(wallMs, job.periodMs);
      job.due = dueAfterBackwardStep(candidate, job.due, lastSlot, wallBeforeStepMs - lastSlot, job.periodMs);
    } else if (job.cron !== null && Number.isFinite(job.due)) {
      const candidate = nextCronRun(job.cron, wallMs) ?? job.due;
      const lastSlot = previousCronRun(job.cron, job.due);
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
    }
  }
}
