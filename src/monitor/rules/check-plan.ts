// When the evaluator's check job runs: one scheduler job, planned at the earliest deadline
// (no-data, reminder) and moved when an earlier one appears. A failure to plan is reported
// once and retried at the next reading or reload.
import { describeError } from '../../internal/index.js';
import type { MonitorLogger, MonitorScheduler } from '../types.js';

/**
 * The check job is planned at most this far ahead; a later deadline is reached by planning
 * again then, so no rule's duration can ask the scheduler for a delay it refuses.
 */
const maxPlanMs = 86_400_000;

/** The one scheduler job that runs `check`; without a scheduler it plans nothing. */
export class CheckPlan {
  private timer: string | undefined;
  private plannedAt = Infinity;
  private stopped = false;
  private failureReported = false;

  /**
   * `options`: the evaluator's (its scheduler and logger); `mono`: the monotonic clock the
   * deadlines are on; `check`: runs the due transitions (and plans again).
   */
  constructor(
    private readonly options: { scheduler?: MonitorScheduler; logger: MonitorLogger },
    private readonly mono: () => number,
    private readonly check: () => void,
  ) {}

  /** Drops the planned job; the next {@link CheckPlan.plan} plans afresh. */
  reset(): void {
    if (this.timer !== undefined) this.options.scheduler?.remove(this.timer);
    this.timer = undefined;
    this.plannedAt = Infinity;
  }

  /** Makes sure the check runs by `atMono` (monotonic ms; a job already planned earlier stays). */
  planAt(atMono: number): void {
    if (atMono < this.plannedAt) this.plan(atMono);
  }

  /** Plans the check at `atMono` (monotonic ms; `Infinity`: none), replacing the planned one. */
  plan(atMono: number): void {
    const scheduler = this.options.scheduler;
    if (!scheduler || this.stopped) return;
    // Far deadlines are reached in steps of maxPlanMs: the scheduler takes every delay.
    const at = Math.min(atMono, this.mono() + maxPlanMs);
    if (at === this.plannedAt) return;
    if (this.timer !== undefined) scheduler.remove(this.timer);
    this.timer = undefined;
    this.plannedAt = at;
    if (!Number.isFinite(at)) return;
    const delaySeconds = Math.max(0.001, (at - this.mono()) / 1000);
    try {
      this.timer = scheduler.onceAfter(delaySeconds, () => {
        this.timer = undefined;
        this.plannedAt = Infinity;
        this.check();
      });
      this.failureReported = false;
    } catch (error) {
      this.plannedAt = Infinity;
      if (!this.failureReported) {
        this.failureReported = true;
        this.options.logger.error(
          `rules: cannot plan the no-data and reminder checks (${describeError(error)}); they run again at the next reading or reload`,
        );
      }
    }
  }

  /** Removes the job for good: nothing is planned after this. */
  stop(): void {
    this.stopped = true;
    this.reset();
  }
}
