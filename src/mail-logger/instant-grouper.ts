/** Timers the grouper needs; the daemon backs them with the Scheduler. */
export interface GrouperTimers {
  after(seconds: number, fn: () => void): string;
  cancel(id: string): void;
}

export interface InstantGrouperOptions {
  /** Seconds to wait after the first record so a burst shares one mail. */
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
 * Decides when instant records are mailed, like Alertmanager's group_wait/group_interval:
 * the first record opens a `groupWait` window whose records share a mail; at most
 * `maxInstantMails` such mails go out per `groupInterval`, after which records are held
 * and sent together when the interval ends. No clock: only timers.
 */
export class InstantGrouper {
  private waitTimer: string | null = null;
  private windowTimer: string | null = null;
  private mailsInWindow = 0;
  private holding = false;

  constructor(private readonly options: InstantGrouperOptions) {}

  /** A record became pending. */
  onRecord(): void {
    if (this.waitTimer !== null || this.holding) return;
    this.waitTimer = this.options.timers.after(this.options.groupWait, this.onWaitEnd);
  }

  close(): void {
    if (this.waitTimer !== null) this.options.timers.cancel(this.waitTimer);
    if (this.windowTimer !== null) this.options.timers.cancel(this.windowTimer);
    this.waitTimer = null;
    this.windowTimer = null;
  }

  private readonly onWaitEnd = (): void => {
    this.waitTimer = null;
    if (this.mailsInWindow < this.options.maxInstantMails) this.send();
    else this.holding = true;
  };

  private readonly onWindowEnd = (): void => {
    this.windowTimer = null;
    this.mailsInWindow = 0;
    if (this.holding) {
      this.holding = false;
      this.send();
    }
  };

  private send(): void {
    this.mailsInWindow++;
    this.windowTimer ??= this.options.timers.after(this.options.groupInterval, this.onWindowEnd);
    this.options.emit();
  }
}
