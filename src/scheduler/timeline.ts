// When jobs are due: the two queues (monotonic time for relative jobs, wall time for the
// others), the one timer over both, and the watch for wall-clock steps. The Scheduler
// decides what a job is and runs it; this file decides when.
import type { Clock } from './clock.js';
import { replanAfterBackwardStep, replanAfterForwardStep } from './clock-steps.js';
import { Heap } from './heap.js';
import { nextDue, type Job } from './job.js';

/** setTimeout's limit; longer waits are chunked (the timer re-arms for the rest). */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** Offset changes smaller than this between two looks are NTP slewing, not a step. */
const STEP_TOLERANCE_MS = 100;
/**
 * A look at a clock that does not report its steps is trusted only if the monotonic
 * readings around the wall reading are this close: a process preempted between them
 * (a loaded Pi) would otherwise see the offset move and take it for a step.
 */
const LOOK_BRACKET_MS = 10;

/**
 * Called for each job that fell due, earliest first, after a repeating one was queued
 * again for its next slot (`requeued`; false for a one-shot job or a cron pattern with no
 * match left, which are gone from the timeline).
 */
export type DueHandler = (job: Job, requeued: boolean) => void;

/** The Scheduler's queues and timer (see the file comment). */
export class Timeline {
  readonly #clock: Clock;
  readonly #clockCheckMs: number;
  readonly #onDue: DueHandler;
  /** Relative jobs, keyed by monotonic due time. */
  readonly #relative = new Heap<Job>();
  /** Wall-clock jobs, keyed by epoch due time. */
  readonly #wall = new Heap<Job>();
  #running = false;
  #seq = 0;
  #timer: unknown = null;
  /** Monotonic time the armed timer fires at; Infinity when none is armed. */
  #timerAtMs = Infinity;
  /** wall − monotonic at the last look, to notice steps of the wall clock. */
  #offsetMs = 0;
  #unsubscribeStep: (() => void) | null = null;

  constructor(clock: Clock, clockCheckMs: number, onDue: DueHandler) {
    this.#clock = clock;
    this.#clockCheckMs = clockCheckMs;
    this.#onDue = onDue;
  }

  start(): void {
    this.#running = true;
    this.#offsetMs = this.#clock.now() - this.#clock.monotonic();
    this.#unsubscribeStep = this.#clock.onStep?.(() => this.#checkClock(true)) ?? null;
  }

  /** Drops every job and leaves no timer or step listener behind. */
  stop(): void {
    this.#running = false;
    this.#disarm();
    this.#unsubscribeStep?.();
    this.#unsubscribeStep = null;
    this.#relative.clear();
    this.#wall.clear();
  }

  /** Queues a new job planned at `monotonicMs` (its `plannedMs`) and arms the timer for it. */
  add(job: Job, monotonicMs: number): void {
    job.seq = this.#seq++;
    (job.wall ? this.#wall : this.#relative).push(job);
    this.#armAt(this.#wakeAt(job, monotonicMs), monotonicMs);
  }

  /** Takes a queued job out; with none left the timer is released. */
  remove(job: Job): void {
    (job.wall ? this.#wall : this.#relative).remove(job);
    if (this.#relative.size === 0 && this.#wall.size === 0) this.#disarm();
  }

  /** wall − monotonic now, for {@link Timeline.wallDue}. */
  offsetNow(): number {
    return this.#clock.now() - this.#clock.monotonic();
  }

  /** A job's next due time by the wall clock, in epoch ms (Infinity: never), at `offsetMs` from {@link Timeline.offsetNow}. */
  wallDue(job: Job, offsetMs: number): number {
    return job.wall ? job.due : job.due + offsetMs;
  }

  /**
   * The monotonic time to wake up for `job`: its due time, and for a wall job the
   * wall-to-monotonic conversion at the current offset, no later than the next clock
   * check when the clock does not report its steps.
   */
  #wakeAt(job: Job, monotonicMs: number): number {
    if (!job.wall) return job.due;
    const atMs = job.due - (this.#clock.now() - monotonicMs);
    return this.#unsubscribeStep === null ? Math.min(atMs, monotonicMs + this.#clockCheckMs) : atMs;
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
    const relativeTop = this.#relative.peek();
    const wallTop = this.#wall.peek();
    let atMs = relativeTop === undefined ? Infinity : relativeTop.due;
    if (wallTop !== undefined) atMs = Math.min(atMs, this.#wakeAt(wallTop, monotonicMs));
    this.#armAt(atMs, monotonicMs);
  }

  readonly #onTimer = (): void => {
    this.#timer = null;
    this.#timerAtMs = Infinity;
    if (!this.#running) return;
    this.#checkClock(false);
    this.#dispatch();
    if (this.#running) this.#rearm();
  };

  /** Hands every job due now to onDue, earliest first; jobs queued meanwhile wait for the next turn. */
  #dispatch(): void {
    const monotonicMs = this.#clock.monotonic();
    const wallMs = this.#clock.now();
    const offsetMs = wallMs - monotonicMs;
    const firstNewSeq = this.#seq;
    const relative = this.#relative;
    const wall = this.#wall;
    while (this.#running) {
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
      if (job.seq >= firstNewSeq) return; // queued during this turn: next turn
      const heap = job.wall ? wall : relative;
      heap.remove(job);
      // Re-queued before it runs, so the job can remove itself and an overlap is seen.
      const next = job.repeats ? nextDue(job, monotonicMs, wallMs) : null;
      if (next !== null) {
        job.due = next;
        job.plannedMs = monotonicMs;
        job.seq = this.#seq++;
        heap.push(job);
      }
      this.#onDue(job, next !== null);
    }
  }

  /**
   * Notices a wall-clock step (`reported` by the clock, or seen in the offset between the
   * wall and the monotonic clock at a timer) and re-plans the wall jobs: see
   * clock-steps.ts for what each direction does.
   */
  #checkClock(reported: boolean): void {
    if (!this.#running) return;
    const monotonicBeforeMs = this.#clock.monotonic();
    const wallMs = this.#clock.now();
    const monotonicMs = this.#clock.monotonic();
    if (!reported && monotonicMs - monotonicBeforeMs > LOOK_BRACKET_MS) return; // look again next time
    const previousOffsetMs = this.#offsetMs;
    this.#offsetMs = wallMs - monotonicMs;
    const stepMs = this.#offsetMs - previousOffsetMs;
    const toleranceMs = reported ? 0 : STEP_TOLERANCE_MS;
    if (stepMs > toleranceMs) {
      replanAfterForwardStep(this.#wall.values(), wallMs, monotonicMs);
    } else if (stepMs < -toleranceMs) {
      replanAfterBackwardStep(this.#wall.values(), wallMs, monotonicMs + previousOffsetMs, monotonicMs);
    } else {
      return;
    }
    this.#wall.rebuild();
    if (reported) {
      this.#disarm();
      this.#rearm();
    }
  }
}
