import { nextCronRun, type CronRule } from './cron.js';
import type { HeapEntry } from './heap.js';
import { nextSlotAfter } from './o-clock.js';

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
 * What decides a job's due times, one value per kind: the period in ms for
 * `repeatEvery`, `repeatOClock` and `onceOClock` (whose slot a clock step re-plans), the
 * parsed pattern for `repeatCron`, and null for `onceAfter` and `onceWhen` (a fixed time).
 */
export type Trigger = number | CronRule | null;

/**
 * One scheduled job. A plain class with every field set in the constructor, so all jobs
 * share one hidden class (fast dispatch, 160 bytes each on 64-bit Node 20: 13 fields and
 * the two boxed doubles `due` and `plannedMs`); what follows from the kind
 * (wall clock or monotonic, repeating or not) is computed, not stored.
 */
export class Job implements HeapEntry {
  /** Insertion order among jobs due at the same instant (set by the timeline). */
  seq = 0;
  /** Slot in its heap (maintained by the heap). */
  index = -1;
  runs = 0;
  skipped = 0;
  lastError: unknown = undefined;
  /** True while an async run has not settled (a repeating job then skips occurrences). */
  running = false;

  constructor(
    readonly id: string,
    readonly kind: JobKind,
    readonly trigger: Trigger,
    readonly fn: JobFunction<unknown[]>,
    readonly args: readonly unknown[],
    /**
     * Next due time in ms: monotonic for relative jobs (onceAfter, repeatEvery), epoch
     * (wall clock) for the others. A `repeatEvery` job's runs are due at this time plus
     * whole periods, so it also anchors the drift-free grid.
     */
    public due: number,
    /**
     * Monotonic time `due` was planned at (scheduling, the last run, a backward step).
     * After a forward clock step, only the slots in the real time since then count as
     * missed.
     */
    public plannedMs: number,
  ) {}

  /** Follows the wall clock (onceWhen, o'clock and cron jobs) rather than the monotonic one. */
  get wall(): boolean {
    return this.kind !== 'onceAfter' && this.kind !== 'repeatEvery';
  }

  /** Stays scheduled after a run (repeatEvery, repeatOClock, repeatCron). */
  get repeats(): boolean {
    return this.kind === 'repeatEvery' || this.kind === 'repeatOClock' || this.kind === 'repeatCron';
  }
}

/**
 * Due time of a repeating job's next run after a run at `monotonicMs` / `wallMs`; null for
 * a one-shot job, or a cron pattern with no match left. Missed slots are skipped
 * (coalesced): the next due time is always after now.
 */
export function nextDue(job: Job, monotonicMs: number, wallMs: number): number | null {
  const trigger = job.trigger;
  switch (job.kind) {
    case 'repeatEvery':
      return nextSlotAfter(monotonicMs, trigger as number, job.due);
    case 'repeatOClock':
      return nextSlotAfter(wallMs, trigger as number);
    case 'repeatCron':
      return nextCronRun(trigger as CronRule, wallMs);
    default:
      return null;
  }
}
