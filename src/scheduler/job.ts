import type { CronRule } from './cron.js';
import type { HeapEntry } from './heap.js';

/**
 * How a job was scheduled: the name of the Scheduler method that created it.
 *
 * @example
 * ```ts
 * const cronJobs = scheduler.jobs().filter((job) => job.kind === 'repeatCron');
 * ```
 */
export type JobKind = 'onceAfter' | 'onceOClock' | 'onceWhen' | 'repeatEvery' | 'repeatOClock' | 'repeatCron';

/**
 * A snapshot of one scheduled job, as {@link Scheduler.jobs} returns it.
 *
 * @example
 * ```ts
 * for (const job of scheduler.jobs()) console.log(job.id, job.kind, job.nextRun?.toISOString(), job.runs);
 * ```
 */
export interface JobInfo {
  /** The id the scheduling call returned (a UUID). */
  id: string;
  /** The Scheduler method that created it, e.g. `'repeatCron'`. */
  kind: JobKind;
  /** When it runs next; null while a one-shot job is running. */
  nextRun: Date | null;
  /** How many times it has started. */
  runs: number;
  /** Occurrences skipped because the previous run had not settled yet. */
  skipped: number;
  /** What its last failed run threw or rejected with; undefined if none failed. */
  lastError: unknown;
}

/**
 * A job: called with the extra arguments given to the scheduling call. It may return a
 * promise; a repeating job's next occurrence is skipped while that promise is pending.
 *
 * @example
 * ```ts
 * const job: JobFunction<[string]> = async (room) => save(await readSensor(room));
 * scheduler.repeatEvery(60, job, 'kitchen');
 * ```
 */
export type JobFunction<A extends unknown[]> = (...args: A) => unknown;

/** Shared by every job scheduled without extra arguments, so those allocate none. */
export const NO_ARGS: readonly unknown[] = Object.freeze([]);

/**
 * One scheduled job. A plain class with every field set in the constructor, so all jobs
 * share one hidden class (fast dispatch, ~200 bytes each).
 */
export class Job implements HeapEntry {
  /**
   * Next due time in ms: monotonic for relative jobs (onceAfter, repeatEvery), epoch
   * (wall clock) for the others.
   */
  due: number;
  seq = 0;
  index = -1;
  runs = 0;
  skipped = 0;
  lastError: unknown = undefined;
  /** True while an async run has not settled (a repeating job then skips occurrences). */
  running = false;

  constructor(
    readonly id: string,
    readonly kind: JobKind,
    readonly wall: boolean,
    readonly fn: JobFunction<unknown[]>,
    readonly args: readonly unknown[],
    due: number,
    /** Period in ms for repeatEvery and o'clock jobs, 0 otherwise. */
    readonly periodMs: number,
    /** Monotonic start of a repeatEvery job (its runs are due at origin + k·period). */
    readonly originMs: number,
    readonly cron: CronRule | null,
  ) {
    this.due = due;
  }
}
