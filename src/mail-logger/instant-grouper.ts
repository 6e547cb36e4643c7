/** Timers the grouper needs; the daemon backs them with the Scheduler. */
export interface GrouperTimers {
  after(seconds: number, fn: () => void): string;
  cancel(id: string): void;
}

export interface InstantGrouperOptions {
  /** Seconds after a quiet period before the first mail, so records logged together share it. */
  groupSettle: number;
  /** Least seconds between two instant mails: records arriving meanwhile share the next one. */
  groupWait: number;
  /** Seconds of a rate-limit window. */
  groupInterval: number;
  /** Instant mails allowed per window; later records wait for one grouped mail at its end. */
  maxInstantMails: number;
  timers: GrouperTimers;
  /** Mails every instant record pending now. */
  emit: () => void;
}

/**
 * Decides when instant records are mailed, like Alertmanager's group_wait/group_interval
 * but with a leading edge, so a lone alert goes out in `groupSettle` (tens of ms) instead
 * of a whole `groupWait`:
 *
 * - after a quiet period the first record is mailed `groupSettle` later (with whatever
 *   arrived meanwhile);
 * - then mails are at least `groupWait` apart, each carrying what arrived in between;
 * - at most `maxInstantMails` go out per `groupInterval`; after that records are held and
 *   sent as one grouped mail when the interval ends.
 *
 * No clock: only timers, so a ManualClock drives it in tests.
 */
export class InstantGrouper {
  private settleTimer: string | null = null;
  private spacingTimer: string | null = null;
  private windowTimer: string | null = null;
  private mailsInWindow = 0;
  private waitingForSpacing = false;
  private holding = false;

  constructor(private readonly options: InstantGrouperOptions) {}

  /** A record became pending. */
  onRecord(): void {
    if (this.settleTimer !== null || this.holding || this.waitingForSpacing) return;
    if (this.spacingTimer !== null) this.waitingForSpacing = true;
    else this.settleTimer = this.options.timers.after(this.options.groupSettle, this.onSettled);
  }

  close(): void {
    for (const id of [this.settleTimer, this.spacingTimer, this.windowTimer]) {
      if (id !== null) this.options.timers.cancel(id);
    }
    this.settleTimer = this.spacingTimer = this.windowTimer = null;
  }

  private readonly onSettled = (): void => {
    this.settleTimer = null;
    this.trySend();
  };

  private readonly onSpacingEnd = (): void => {
    this.spacingTimer = null;
    if (this.waitingForSpacing) {
      this.waitingForSpacing = false;
      this.trySend();
    }
  };

  private readonly onWindowEnd = (): void => {
    this.windowTimer = null;
    this.mailsInWindow = 0;
    if (this.holding) {
      this.holding = false;
      this.send();
    }
  };

  private trySend(): void {
    if (this.mailsInWindow < this.options.maxInstantMails) this.send();
    else this.holding = true;
  }

  private send(): void {
    this.mailsInWindow++;
    this.windowTimer ??= this.options.timers.after(this.options.groupInterval, this.onWindowEnd);
    if (this.spacingTimer !== null) this.options.timers.cancel(this.spacingTimer);
    this.spacingTimer = this.options.timers.after(this.options.groupWait, this.onSpacingEnd);
    this.options.emit();
  }
}
