// What the scheduler tests share: schedulers started for a test and stopped after it, and a
// ManualClock seen through the bare Clock interface (without the step reports, or counting
// the timers the scheduler arms).
import { ManualClock, Scheduler, type Clock, type SchedulerOptions } from '../../src/scheduler/index.js';

const started: Scheduler[] = [];

/** A started Scheduler, stopped by {@link stopStartedSchedulers} (each file's afterEach). */
export function startScheduler(options: SchedulerOptions = {}): Scheduler {
  const scheduler = new Scheduler(options).start();
  started.push(scheduler);
  return scheduler;
}

/** A started Scheduler on a new ManualClock at `start` (an ISO time or epoch ms), and that clock. */
export function onManualClock(
  start: string | number,
  options: Omit<SchedulerOptions, 'clock'> = {},
): { clock: ManualClock; scheduler: Scheduler } {
  const clock = new ManualClock(new Date(start));
  return { clock, scheduler: startScheduler({ ...options, clock }) };
}

/** Stops every scheduler {@link startScheduler} started (pass to afterEach). */
export async function stopStartedSchedulers(): Promise<void> {
  await Promise.all(started.splice(0).map((s) => s.stop()));
}

/**
 * `manual` through the Clock interface alone: without `onStep` unless `reportSteps` (a clock
 * that does not report its steps is polled for them), calling `onSetTimer` at each timer armed.
 */
export function bareClock(
  manual: ManualClock,
  { reportSteps = false, onSetTimer }: { reportSteps?: boolean; onSetTimer?: () => void } = {},
): Clock {
  return {
    now: () => manual.now(),
    monotonic: () => manual.monotonic(),
    setTimer: (callback, delayMs) => {
      onSetTimer?.();
      return manual.setTimer(callback, delayMs);
    },
    clearTimer: (handle) => manual.clearTimer(handle),
    ...(reportSteps ? { onStep: (listener: () => void) => manual.onStep(listener) } : {}),
  };
}

/** What a test's jobs noted when they ran (see {@link runLog}). */
export interface RunLog {
  /** The notes, in the order the jobs ran. */
  runs: string[];
  /** A job that notes `label` and the clock's wall time in ISO form (the time alone without a label). */
  note(label?: string): () => void;
  /** Advances the clock by `seconds` (running what falls due), then gives every note so far. */
  after(seconds: number): Promise<string[]>;
}

/** A {@link RunLog} on `clock`. */
export function runLog(clock: ManualClock): RunLog {
  const runs: string[] = [];
  return {
    runs,
    note: (label) => () => {
      const time = new Date(clock.now()).toISOString();
      runs.push(label === undefined ? time : `${label} ${time}`);
    },
    after: async (seconds) => {
      await clock.advance(seconds);
      return runs;
    },
  };
}
