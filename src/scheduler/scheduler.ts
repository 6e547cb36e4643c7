import { checkFunction, checkOptionsObject, checkSeconds, checkString, checkWhen } from './arguments.js';
import { systemClock, type Clock } from './clock.js';
import { replanAfterBackwardStep } from './clock-steps.js';
import { cronFor, nextCronRun, type CronRule } from './cron.js';
import { SchedulerStateError } from './errors.js';
import { Heap } from './heap.js';
import { Job, NO_ARGS, type JobFunction, type JobInfo, type JobKind } from './job.js';
import { nextSlotAfter, secondsToMs } from './o-clock.js';
import { randomId } from './uuid.js';
import { RaspimonTypeError } from '../errors.js';

/** setTimeout's limit; longer waits are chunked (the timer re-arms for the rest). */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** Offset changes smaller than this between two looks are NTP slewing, not a step. */
const STEP_TOLERANCE_MS = 100;

/**
 * Receives what a failed job threw or rejected with.
 *
 * @example
 * ```ts
 * const onError: ErrorHandler = (error, job) => logger.error(`job ${job.kind} failed: ${String(error)}`);
 * ```
 */
export type ErrorHandler = (error: unknown, job: { id: string; kind: JobKind }) => void;

/**
 * Options of {@link Scheduler}. The object is read once and never modified.
 *
 * @example
 * ```ts
 * const options: SchedulerOptions = { timeZone: 'Europe/Madrid', clockCheck: 5, onError: (e) => logger.error(String(e)) };
 * const scheduler = new Scheduler(options);
 * ```
 */
export interface SchedulerOptions {
  /**
   * Time source: wall clock, monotonic clock and timers. Tests pass a {@link ManualClock}.
   * @default systemClock (Date.now, performance.now and setTimeout, looked up at each call)
   */
  clock?: Clock;
  /**
   * IANA time zone for `repeatCron` patterns, e.g. `'Europe/Berlin'`.
   * @default undefined (the process's local zone, i.e. `TZ`)
   */
  timeZone?: string;
  /**
   * Called with what a job threw or rejected with. Never stops the scheduler.
   * @default writes one line to stderr: `raspimon scheduler: job <id> (<kind>) failed: <error>`
   */
  onError?: ErrorHandler;
  /**
   * Seconds between checks for wall-clock steps (e.g. NTP setting the time of a Pi
   * without RTC), made only while wall-clock jobs (onceWhen, o'clock, cron) are
   * pending and only with a clock that does not report its own steps.
   * @default 10
   */
  clockCheck?: number;
}

type State = 'new' | 'running' | 'stopped';

function writeErrorLine(error: unknown, job: { id: string; kind: JobKind }): void {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  process.stderr.write(
    `raspimon scheduler: job ${job.id} (${job.kind}) failed: ${text.replace(/\s*\n\s*/g, ' ')}\n`,
  );
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

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
  readonly #timeZone: string | undefined;
  readonly #onError: ErrorHandler;
  readonly #clockCheckMs: number;
  #state: State = 'new';
  readonly #jobs = new Map<string, Job>();
  /** Cron rules by pattern, in this scheduler's zone (saves building the shared cache's key). */
  readonly #cronRules = new Map<string, CronRule>();
  /** Relative jobs, keyed by monotonic due time. */
  readonly #relative = new Heap<Job>();
  /** Wall-clock jobs, keyed by epoch due time. */
  readonly #wall = new Heap<Job>();
  #seq = 0;
  #timer: unknown = null;
  /** Monotonic time the armed timer fires at; Infinity when none is armed. */
  #timerAtMs = Infinity;
  /** wall − monotonic at the last look, to notice steps of the wall clock. */
  #offsetMs = 0;
  #unsubscribeStep: (() => void) | null = null;
  #inFlight = 0;
  #onIdle: (() => void) | null = null;
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
    checkOptionsObject('new Scheduler', options);
    const { clock = systemClock, timeZone, onError = writeErrorLine, clockCheck = 10 } = options;
    if (
      typeof clock !== 'object' ||
      clock === null ||
      typeof clock.now !== 'function' ||
      typeof clock.monotonic !== 'function' ||
      typeof clock.setTimer !== 'function' ||
      typeof clock.clearTimer !== 'function'
    ) {
      throw new RaspimonTypeError(
        'ERR_INVALID_ARG_TYPE',
        'new Scheduler: options.clock must implement Clock (now, monotonic, setTimer, clearTimer), e.g. new ManualClock().',
      );
    }
    checkFunction('new Scheduler: options.onError', onError);
    this.#clockCheckMs = secondsToMs(checkSeconds('new Scheduler', 'options.clockCheck', clockCheck));
    if (timeZone !== undefined) {
      checkString('new Scheduler', 'options.timeZone', timeZone);
      cronFor('* * * * *', timeZone); // throws CronPatternError for an unknown zone, now
    }
    this.#clock = clock;
    this.#timeZone = timeZone;
    this.#onError = onError;
    this.#stopped = new Promise((resolve) => {
      this.#resolveStopped = resolve;
    });
  }

  /**
   * The scheduler's wall clock in epoch milliseconds (`Date.now()` by default, the
   * `ManualClock` in tests). Every part that takes a scheduler reads the time here, so
   * one clock drives the whole program.
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
    this.#offsetMs = this.#clock.now() - this.#clock.monotonic();
    this.#unsubscribeStep = this.#clock.onStep?.(() => this.#checkClock(true)) ?? null;
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
    return this.#add('onceAfter', false, fn, args, monotonicMs + delayMs, 0, 0, null, monotonicMs);
  }

  /**
   * Runs `fn(...args)` once, at the next instant after now whose epoch time is a
   * multiple of `seconds` (`onceOClock(3600)`: at the next full hour, UTC-aligned).
   *
   * @example
   * ```ts
   * scheduler.onceOClock(60, takeReading); // at the next :00 seconds
   * ```
   */
  onceOClock<A extends unknown[]>(seconds: number, fn: JobFunction<A>, ...args: A): string {
    const periodMs = secondsToMs(this.#check('Scheduler.onceOClock', seconds, fn));
    return this.#add('onceOClock', true, fn, args, nextSlotAfter(this.#clock.now(), periodMs), 0, 0, null);
  }

  /**
   * Runs `fn(...args)` once at `when`, a `Date` or epoch seconds, by the wall clock. A
   * time already past runs at once.
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
    return this.#add('onceWhen', true, fn, args, dueMs, 0, 0, null);
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
    const originMs = this.#clock.monotonic();
    return this.#add('repeatEvery', false, fn, args, originMs + periodMs, periodMs, originMs, null, originMs);
  }

  /**
   * Runs `fn(...args)` at every instant whose epoch time is a multiple of `seconds`
   * (`repeatOClock(60)`: at :00 of every minute; `repeatOClock(0.25)`: four times a
   * second, on the quarter). Follows wall-clock steps; see the README on clock steps.
   *
   * @example
   * ```ts
   * scheduler.repeatOClock(15 * 60, report); // at :00, :15, :30 and :45 of every hour
   * ```
   */
  repeatOClock<A extends unknown[]>(seconds: number, fn: JobFunction<A>, ...args: A): string {
    const periodMs = secondsToMs(this.#check('Scheduler.repeatOClock', seconds, fn));
    return this.#add(
      'repeatOClock',
      true,
      fn,
      args,
      nextSlotAfter(this.#clock.now(), periodMs),
      periodMs,
      0,
      null,
    );
  }

  /**
   * Runs `fn(...args)` at every match of the cron `pattern` (croner syntax: 5 fields, or
   * 6 with seconds first) in `options.timeZone`. Across DST changes it follows croner's
   * documented rules (a time in the skipped hour runs once, in the repeated hour once).
   * Throws {@link CronPatternError} for a bad pattern.
   *
   * @example
   * ```ts
   * scheduler.repeatCron('0 8 * * 1', sendWeeklyDigest); // Mondays at 08:00
   * ```
   */
  repeatCron<A extends unknown[]>(pattern: string, fn: JobFunction<A>, ...args: A): string {
    this.#assertRunning('Scheduler.repeatCron');
    let rule = this.#cronRules.get(pattern);
    if (rule === undefined) {
      checkString('Scheduler.repeatCron', 'pattern', pattern);
      rule = cronFor(pattern, this.#timeZone);
      this.#cronRules.set(pattern, rule);
    }
    checkFunction('Scheduler.repeatCron', fn);
    // cronFor refused patterns that never match, so null means "none left after now".
    const dueMs = nextCronRun(rule, this.#clock.now()) ?? Infinity;
    return this.#add('repeatCron', true, fn, args, dueMs, 0, 0, rule);
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
        `Scheduler.remove: id must be the string a scheduling call returned, got ${String(id)} (${typeof id}).`,
      );
    }
    const job = this.#jobs.get(id);
    if (job === undefined) return false;
    this.#jobs.delete(id);
    (job.wall ? this.#wall : this.#relative).remove(job);
    if (this.#jobs.size === 0) this.#disarm();
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
    const offsetMs = this.#clock.now() - this.#clock.monotonic();
    const list: JobInfo[] = [];
    for (const job of this.#jobs.values()) {
      const dueMs = job.wall ? job.due : job.due + offsetMs;
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
    this.#disarm();
    this.#unsubscribeStep?.();
    this.#unsubscribeStep = null;
    this.#jobs.clear();
    this.#relative.clear();
    this.#wall.clear();
    this.#stopping = this.#waitIdle().then(() => {
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

  #add(
    kind: JobKind,
    wall: boolean,
    fn: JobFunction<never[]>,
    args: unknown[],
    dueMs: number,
    periodMs: number,
    originMs: number,
    cron: CronRule | null,
    monotonicMs = this.#clock.monotonic(),
  ): string {
    const id = randomId();
    const job = new Job(
      id,
      kind,
      wall,
      fn as JobFunction<unknown[]>,
      args.length === 0 ? NO_ARGS : args,
      dueMs,
      periodMs,
      originMs,
      cron,
    );
    job.seq = this.#seq++;
    this.#jobs.set(id, job);
    if (wall) {
      this.#wall.push(job);
      let atMs = dueMs - (this.#clock.now() - monotonicMs);
      if (this.#unsubscribeStep === null) atMs = Math.min(atMs, monotonicMs + this.#clockCheckMs);
      this.#armAt(atMs, monotonicMs);
    } else {
      this.#relative.push(job);
      this.#armAt(dueMs, monotonicMs);
    }
    return id;
  }

  /** Arms the timer for monotonic time `atMs`, unless it already fires sooner. */
  #armAt(atMs: number, monotonicMs: number): void {
    if (this.#timer !== null) {
      if (atMs >= this.#timerAtMs) return;
      this.#clock.clearTimer(this.#timer);
    }
    if (atMs === Infinity) {
      this.#timer = null;
      this.#timerAtMs = Infinity;
      return;
    }
    const delayMs = Math.min(Math.max(atMs - monotonicMs, 0), MAX_TIMER_MS);
    this.#timerAtMs = monotonicMs + delayMs;
    this.#timer = this.#clock.setTimer(this.#onTimer, delayMs);
  }

  #disarm(): void {
    if (this.#timer !== null) this.#clock.clearTimer(this.#timer);
    this.#timer = null;
    this.#timerAtMs = Infinity;
  }

  /** Arms the timer for the earliest pending job (and the next clock check). */
  #rearm(): void {
    const monotonicMs = this.#clock.monotonic();
    let atMs = this.#relative.peek()?.due ?? Infinity;
    const wallTop = this.#wall.peek();
    if (wallTop !== undefined) {
      atMs = Math.min(atMs, wallTop.due - (this.#clock.now() - monotonicMs));
      if (this.#unsubscribeStep === null) atMs = Math.min(atMs, monotonicMs + this.#clockCheckMs);
    }
    this.#armAt(atMs, monotonicMs);
  }

  readonly #onTimer = (): void => {
    this.#timer = null;
    this.#timerAtMs = Infinity;
    if (this.#state !== 'running') return;
    this.#checkClock(false);
    this.#dispatch();
    if (this.#state === 'running') this.#rearm();
  };

  /** Runs every job due now, earliest first; jobs scheduled meanwhile wait for the next turn. */
  #dispatch(): void {
    const monotonicMs = this.#clock.monotonic();
    const wallMs = this.#clock.now();
    const offsetMs = wallMs - monotonicMs;
    const firstNewSeq = this.#seq;
    const relative = this.#relative;
    const wall = this.#wall;
    while (this.#state === 'running') {
      const r = relative.peek();
      const w = wall.peek();
      const rDue = r !== undefined && r.due <= monotonicMs;
      const wDue = w !== undefined && w.due <= wallMs;
      let job: Job;
      if (rDue && wDue) {
        const wAt = w.due - offsetMs;
        job = r.due < wAt || (r.due === wAt && r.seq < w.seq) ? r : w;
      } else if (rDue) job = r;
      else if (wDue) job = w;
      else return;
      if (job.seq >= firstNewSeq) return; // scheduled during this turn: next turn
      (job.wall ? wall : relative).remove(job);
      this.#fire(job, monotonicMs, wallMs);
    }
  }

  #fire(job: Job, monotonicMs: number, wallMs: number): void {
    if (job.periodMs === 0 && job.cron === null) {
      this.#jobs.delete(job.id);
    } else {
      // Re-queue before running, so the job can remove itself and an overlap is seen.
      const next = this.#nextDue(job, monotonicMs, wallMs);
      if (next === null) {
        this.#jobs.delete(job.id);
      } else {
        job.due = next;
        job.seq = this.#seq++;
        (job.wall ? this.#wall : this.#relative).push(job);
      }
      if (job.running) {
        job.skipped++;
        return;
      }
    }
    job.runs++;
    let result: unknown;
    try {
      result = job.args.length === 0 ? job.fn() : Reflect.apply(job.fn, undefined, job.args);
    } catch (error) {
      this.#report(job, error);
      return;
    }
    if (isThenable(result)) {
      job.running = true;
      this.#inFlight++;
      void this.#settle(job, result);
    }
  }

  async #settle(job: Job, result: PromiseLike<unknown>): Promise<void> {
    try {
      await result;
    } catch (error) {
      this.#report(job, error);
    } finally {
      job.running = false;
      this.#inFlight--;
      if (this.#inFlight === 0) this.#onIdle?.();
    }
  }

  #waitIdle(): Promise<void> {
    if (this.#inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.#onIdle = resolve;
    });
  }

  #report(job: Job, error: unknown): void {
    job.lastError = error;
    const info = { id: job.id, kind: job.kind };
    try {
      this.#onError(error, info);
    } catch (handlerError) {
      writeErrorLine(handlerError, info);
    }
  }

  /** Due time of a repeating job's next run after now; null when a cron has no more. */
  #nextDue(job: Job, monotonicMs: number, wallMs: number): number | null {
    if (job.cron !== null) return nextCronRun(job.cron, wallMs);
    if (job.wall) return nextSlotAfter(wallMs, job.periodMs);
    return nextSlotAfter(monotonicMs, job.periodMs, job.originMs);
  }

  /**
   * Notices a wall-clock step. Forward: wall jobs that became due run at the next
   * dispatch, once each (their next slot is computed from the new time). Backward:
   * repeating wall jobs move back to their next slot after the new time, but a slot
   * that came less than half a period ago is not run again.
   */
  #checkClock(reported: boolean): void {
    if (this.#state !== 'running') return;
    const monotonicMs = this.#clock.monotonic();
    const wallMs = this.#clock.now();
    const previousOffsetMs = this.#offsetMs;
    this.#offsetMs = wallMs - monotonicMs;
    const stepMs = this.#offsetMs - previousOffsetMs;
    if (stepMs < (reported ? 0 : -STEP_TOLERANCE_MS)) {
      replanAfterBackwardStep(this.#wall.values(), wallMs, monotonicMs + previousOffsetMs);
      this.#wall.rebuild();
    }
    if (reported && stepMs !== 0) {
      this.#disarm();
      this.#rearm();
    }
  }
}
