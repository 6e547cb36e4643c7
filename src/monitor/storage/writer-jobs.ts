// The readings writer's waits on the injected scheduler: its one-shot jobs (the flush that
// sends a partial batch after flushSeconds, the retry after a failed attempt) and a wait for
// a promise bounded in scheduler time (stop's deadline), so a ManualClock drives all three.
import type { MonitorScheduler } from '../types.js';

/** One one-shot job on the scheduler at a time: planned, replaced or cancelled as a whole. */
export class OneShotJob {
  private id: string | undefined;

  constructor(private readonly scheduler: MonitorScheduler) {}

  /** Whether the job is planned and has not run yet. */
  get pending(): boolean {
    return this.id !== undefined;
  }

  /** Plans `run` in `seconds`, in place of the job still pending, if any. */
  plan(seconds: number, run: () => void): void {
    this.cancel();
    this.id = this.scheduler.onceAfter(seconds, () => {
      this.id = undefined;
      run();
    });
  }

  /** Removes the pending job, if any. */
  cancel(): void {
    if (this.id !== undefined) this.scheduler.remove(this.id);
    this.id = undefined;
  }
}

/** Waits for `promise` at most `ms` of scheduler time (not at all if the scheduler stopped). */
export async function withinSchedulerTime(
  scheduler: MonitorScheduler,
  promise: Promise<unknown> | undefined,
  ms: number,
): Promise<void> {
  if (!promise) return;
  let job: string | undefined;
  const deadline = new Promise<void>((resolve) => {
    try {
      job = scheduler.onceAfter(ms / 1000, resolve);
    } catch {
      resolve();
    }
  });
  await Promise.race([promise.catch(() => undefined), deadline]);
  if (job !== undefined) scheduler.remove(job);
}
