// The Scheduler's public face: argument checks, the job table, start/stop. When jobs are
// due (queues, the timer, clock steps) is timeline.ts, and what a step does to due times
// clock-steps.ts; calling jobs and reporting their failures is runner.ts.
import { RaspimonTypeError } from '../errors.js';
import { describeValue } from '../internal/index.js';
import { checkFunction, checkSeconds, checkString, checkWhen } from './arguments.js';
import type { Clock } from './clock.js';
import { CronRules, nextCronRun } from './cron.js';
import { SchedulerStateError } from './errors.js';
import { Job, NO_ARGS, type JobFunction, type JobInfo, type JobKind, type Trigger } from './job.js';
import { nextSlotAfter, secondsToMs } from './o-clock.js';
import { resolveOptions, type SchedulerOptions } from './options.js';
import { JobRunner } from './runner.js';
import { Timeline } from './timeline.js';
import { UuidSequence } from './uuid.js';

/** setInterval's limit, for the keep-alive of loopForever(). */
const MAX_TIMER_MS = 2 ** 31 - 1;

type State = 'new' | 'running' | 'stopped';

/**
 * Runs functions at given delays, repetitions, o'clock times and cron patterns, on one
 * timer for all jobs (a binary heap), drift-free and never early. Times are in seconds
 * (fractions allowed). Like `setTimeout`, pending jobs keep the process alive;
 * {@link Scheduler.stop} releases everything.
 *
 * @example
 * ```ts
 * import { Scheduler } from 'raspimon/scheduler';
 *
 * const scheduler = new Scheduler({ timeZone: 'Europe/Madrid' });
 * scheduler.start();
 * scheduler.repeatOClock(60, readSensors);          // at :00 of every minute
 * scheduler.repeatCron('0 8 * * *', sendDigest);     // every day at 08:00 Madrid time
 * const id = scheduler.onceAfter(2.5, greet, 'hi'); // greet('hi') in 2.5 s
 * scheduler.remove(id);                              // changed our mind
 * process.once('SIGTERM', () => void scheduler.stop());
 * await scheduler.loopForever();                     // returns after stop()
 * ```
 */
export class Scheduler {
  readonly #clock: Clock;
  readonly #runner: JobRunner;
  /** The parsed cron patterns of this scheduler's zone. */
  readonly #cronRules: CronRules;
  readonly #timeline: Timeline;
  readonly #ids = new UuidSequence();
  #state: State = 'new';
  /** Pending jobs by id. */
  readonly #jobs = new Map<string, Job>();
  #keepAlive: NodeJS.Timeout | null = null;
  #stopping: Promise<void> | null = null;
  readonly #stopped: Promise<void>;
  #resolveStopped!: () => void;

  /**
   * Creates a scheduler; nothing runs until {@link Scheduler.start}.
   *
   * @example
   * ```ts
   * const scheduler = new Scheduler({ onError: (error, job) => console.error(job.kind, error) });
   * ```
   */
  constructor(options: SchedulerOptions = {}) {
    const { clock, timeZone, onError, clockCheckMs } = resolveOptions(options);
    this.#cronRules = CronRules.of(timeZone); // throws CronPatternError for an unknown zone, now
    this.#clock = clock;
    this.#runner = new JobRunner(onError);
    this.#timeline = new Timeline(clock, clockCheckMs, this.#onDue);
    this.#stopped = new Promise((resolve) => {
      this.#resolveStopped = resolve;
    });
  }

  /**
   * The scheduler's wall clock in epoch milliseconds (`Date.now()` by default, the
   * `ManualClock` in tests, steps included). Every part that takes a scheduler reads the
   * time here, so one clock drives the whole program. Works in any state, also before
   * {@link Scheduler.start} and after {@link Scheduler.stop}.
   *
   * @example
   * ```ts
   * const stamp = new Date(scheduler.now());
   * ```
   */
  now(): number {
    return this.#clock.now();
  }

  /**
   * The scheduler's monotonic clock in milliseconds from an arbitrary origin
   * (`performance.now()` by default, the `ManualClock`'s in tests): it never steps, so
   * durations other parts measure (rule deadlines, timeouts, watchdogs) are taken here,
   * never on {@link Scheduler.now}. Works in any state.
   *
   * @example
   * ```ts
   * const started = scheduler.monotonic();
   * // … later: seconds that really went by, whatever NTP did to the wall clock
   * const seconds = (scheduler.monotonic() - started) / 1000;
   * ```
   */
  monotonic(): number {
    return this.#clock.monotonic();
  }

  /**
   * Starts the scheduler; must come before any scheduling call. Calling it again while
   * running does nothing; a stopped scheduler cannot start again.
   *
   * @example
   * ```ts
   * const scheduler = new Scheduler();
   * scheduler.start();
   * ```
   */
  start(): this {
    if (this.#state === 'stopped') {
      throw new SchedulerStateError(
        'ERR_SCHEDULER_STOPPED',
        'Scheduler.start: this scheduler was stopped and cannot start again; create a new Scheduler.',
      );
    }
    if (this.#state === 'running') return this;
    this.#state = 'running';
    this.#timeline.start();
    return this;
  }

  /**
   * Runs `fn(...args)` once, `seconds` from now (monotonic: wall-clock steps do not
   * move it). Returns the job id.
   *
   * @example
   * ```ts
   * const id = scheduler.onceAfter(1.5, console.log, 'one and a half seconds later');
   * ```
   */
  onceAfter<A extends unknown[]>(seconds: number, fn: JobFunction<A>, ...args: A): string {
    const delayMs = secondsToMs(this.#check('Scheduler.onceAfter', seconds, fn));
    const monotonicMs = this.#clock.monotonic();
    return this.#add('onceAfter', null, monotonicMs + delayMs, fn, args, monotonicMs);
  }

  /**
   * Runs `fn(...args)` once, at the next instant after now whose epoch time is a
   * multiple of `seconds` (`onceOClock(3600)`: at the next full hour, UTC-aligned).
   * After a forward clock step it runs at once only if that instant really went by (see
   * {@link Scheduler.repeatOClock}); else it waits for the next multiple.
   *
   * @example
   * ```ts
   * scheduler.onceOClock(60, takeReading); // at the next :00 seconds
   * ```
   */
  onceOClock<A extends unknown[]>(seconds: number, fn: JobFunction<A>, ...args: A): string {
    const periodMs = secondsToMs(this.#check('Scheduler.onceOClock', seconds, fn));
    const dueMs = nextSlotAfter(this.#clock.now(), periodMs);
    return this.#add('onceOClock', periodMs, dueMs, fn, args, this.#clock.monotonic());
  }

  /**
   * Runs `fn(...args)` once at `when`, a `Date` or epoch seconds, by the wall clock. A
   * time already past runs at once, also when a clock step takes the clock past it.
   * A number above 1e11 (the year 5138) is refused with a {@link RaspimonRangeError}: it
   * is epoch milliseconds, as `Date.now()` gives, and would wait until the year 58,000 or
   * so; pass seconds (`Date.now() / 1000 + 5`) or a `Date`.
   *
   * @example
   * ```ts
   * scheduler.onceWhen(new Date('2026-12-31T23:59:59Z'), celebrate);
   * scheduler.onceWhen(Date.now() / 1000 + 60, remind); // epoch seconds
   * ```
   */
  onceWhen<A extends unknown[]>(when: Date | number, fn: JobFunction<A>, ...args: A): string {
    this.#assertRunning('Scheduler.onceWhen');
    const dueMs = checkWhen('Scheduler.onceWhen', when);
    checkFunction('Scheduler.onceWhen', fn);
    return this.#add('onceWhen', null, dueMs, fn, args, this.#clock.monotonic());
  }

  /**
   * Runs `fn(...args)` every `seconds`, drift-free: run k is due at start + k·seconds
   * on the monotonic clock, whatever each run costs. An occurrence that comes while the
   * previous (async) run has not settled is skipped and counted.
   *
   * @example
   * ```ts
   * scheduler.repeatEvery(7, poll); // 7 s, 14 s, 21 s, ... after this call
   * ```
   */
  repeatEvery<A extends unknown[]>(seconds: number, fn: JobFunction<A>, ...args: A): string {
    const periodMs = secondsToMs(this.#check('Scheduler.repeatEvery', seconds, fn));
    const monotonicMs = this.#clock.monotonic();
    return this.#add('repeatEvery', periodMs, monotonicMs + periodMs, fn, args, monotonicMs);
  }

  /**
   * Runs `fn(...args)` at every instant whose epoch time is a multiple of `seconds`
   * (`repeatOClock(60)`: at :00 of every minute; `repeatOClock(0.25)`: four times a
   * second, on the quarter). Follows wall-clock steps: after a forward step (NTP
   * setting the clock of a Pi without RTC), a slot runs at once, and once, only if it
   * fell in the real (monotonic) time since the job was planned, as the corrected clock
   * counts it; slots the clock jumped over were not lived through and do not run. After
   * a backward step the job moves to the next slot of the new time, but a slot that ran
   * less than half a period ago does not run again.
   *
   * @example
   * ```ts
   * scheduler.repeatOClock(15 * 60, report); // at :00, :15, :30 and :45 of every hour
   * ```
   */
  repeatOClock<A extends unknown[]>(seconds: number, fn: JobFunction<A>, ...args: A): string {
    const periodMs = secondsToMs(this.#check('Scheduler.repeatOClock', seconds, fn));
    const dueMs = nextSlotAfter(this.#clock.now(), periodMs);
    return this.#add('repeatOClock', periodMs, dueMs, fn, args, this.#clock.monotonic());
  }

  /**
   * Runs `fn(...args)` at every match of the cron `pattern` (croner syntax: 5 fields, or
   * 6 with seconds first) in `options.timeZone`. Across DST changes it follows croner's
   * documented rules (a time in the skipped hour runs once, in the repeated hour once).
   * Clock steps are handled as for {@link Scheduler.repeatOClock}: a Pi that boots in
   * 1970 and is set to a Wednesday 14:00 runs a `0 8 * * *` job next on Thursday 08:00.
   * Throws {@link CronPatternError} for a bad pattern.
   *
   * @example
   * ```ts
   * scheduler.repeatCron('0 8 * * 1', sendWeeklyDigest); // Mondays at 08:00
   * ```
   */
  repeatCron<A extends unknown[]>(pattern: string, fn: JobFunction<A>, ...args: A): string {
    this.#assertRunning('Scheduler.repeatCron');
    const rule =
      this.#cronRules.cached(pattern) ??
      this.#cronRules.get(checkString('Scheduler.repeatCron', 'pattern', pattern));
    checkFunction('Scheduler.repeatCron', fn);
    // Patterns that never match were refused, so null means "none left after now".
    const dueMs = nextCronRun(rule, this.#clock.now()) ?? Infinity;
    return this.#add('repeatCron', rule, dueMs, fn, args, this.#clock.monotonic());
  }

  /**
   * Removes a job; it never runs again (a run already in progress finishes). Returns
   * false if no pending job has that id (unknown, finished or already removed).
   *
   * @example
   * ```ts
   * const id = scheduler.repeatEvery(1, tick);
   * scheduler.remove(id); // true
   * scheduler.remove(id); // false
   * ```
   */
  remove(id: string): boolean {
    if (typeof id !== 'string') {
      throw new RaspimonTypeError(
        'ERR_INVALID_ARG_TYPE',
        `Scheduler.remove: id must be the string a scheduling call returned, got ${describeValue(id)}.`,
      );
    }
    const job = this.#jobs.get(id);
    if (job === undefined) return false;
    this.#jobs.delete(id);
    this.#timeline.remove(job);
    return true;
  }

  /**
   * A snapshot of the pending jobs.
   *
   * @example
   * ```ts
   * console.table(scheduler.jobs().map((j) => ({ ...j, nextRun: j.nextRun?.toISOString() })));
   * ```
   */
  jobs(): JobInfo[] {
    const list: JobInfo[] = [];
    const offsetMs = this.#timeline.offsetNow();
    for (const job of this.#jobs.values()) {
      const dueMs = this.#timeline.wallDue(job, offsetMs);
      list.push({
        id: job.id,
        kind: job.kind,
        nextRun: Number.isFinite(dueMs) ? new Date(dueMs) : null,
        runs: job.runs,
        skipped: job.skipped,
        lastError: job.lastError,
      });
    }
    return list;
  }

  /**
   * Stops: nothing new runs, pending jobs are dropped, running async jobs are awaited,
   * and no timer is left behind. Later scheduling calls throw. Safe to call twice.
   * From inside a job, call it without awaiting it (`void scheduler.stop()`): it waits
   * for that job too.
   *
   * @example
   * ```ts
   * process.once('SIGTERM', () => void scheduler.stop());
   * ```
   */
  stop(): Promise<void> {
    if (this.#stopping) return this.#stopping;
    this.#state = 'stopped';
    this.#timeline.stop();
    this.#jobs.clear();
    this.#stopping = this.#runner.idle().then(() => {
      if (this.#keepAlive !== null) clearInterval(this.#keepAlive);
      this.#keepAlive = null;
      this.#resolveStopped();
    });
    return this.#stopping;
  }

  /**
   * Keeps the process alive until {@link Scheduler.stop} has finished, then resolves
   * (the seed's `loop_forever`).
   *
   * @example
   * ```ts
   * process.once('SIGINT', () => void scheduler.stop());
   * await scheduler.loopForever();
   * console.log('bye');
   * ```
   */
  loopForever(): Promise<void> {
    if (this.#state === 'new') this.#assertRunning('Scheduler.loopForever');
    if (this.#state === 'running' && this.#keepAlive === null) {
      // A ref'd, nearly never-firing interval: the process stays up with no job pending.
      this.#keepAlive = setInterval(() => undefined, MAX_TIMER_MS);
    }
    return this.#stopped;
  }

  /** `where` is a literal such as 'Scheduler.onceAfter' (no string built per call). */
  #check(where: string, seconds: number, fn: unknown): number {
    this.#assertRunning(where);
    const valid = checkSeconds(where, 'seconds', seconds);
    checkFunction(where, fn);
    return valid;
  }

  #assertRunning(where: string): void {
    if (this.#state === 'running') return;
    if (this.#state === 'new') {
      throw new SchedulerStateError(
        'ERR_SCHEDULER_NOT_STARTED',
        `${where}: the scheduler is not started; call scheduler.start() first.`,
      );
    }
    throw new SchedulerStateError(
      'ERR_SCHEDULER_STOPPED',
      `${where}: the scheduler was stopped; create a new Scheduler to schedule more work.`,
    );
  }

  /**
   * Creates, records and queues a job; `trigger` and `dueMs` as {@link Trigger} says for
   * `kind`, planned at `monotonicMs` (the one reading a relative due time counts from).
   */
  #add(
    kind: JobKind,
    trigger: Trigger,
    dueMs: number,
    fn: JobFunction<never[]>,
    args: unknown[],
    monotonicMs: number,
  ): string {
    const id = this.#ids.next();
    const job = new Job(
      id,
      kind,
      trigger,
      fn as JobFunction<unknown[]>,
      args.length === 0 ? NO_ARGS : args,
      dueMs,
      monotonicMs,
    );
    this.#jobs.set(id, job);
    this.#timeline.add(job, monotonicMs);
    return id;
  }

  /** A job the timeline found due: a finished one leaves the table, then it runs. */
  readonly #onDue = (job: Job, requeued: boolean): void => {
    if (!requeued) this.#jobs.delete(job.id);
    this.#runner.run(job);
  };
}
