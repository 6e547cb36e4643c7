// The optional daily mail budget (`maxMailsPerDay`): mails attempted in the rolling last 24 h
// on the daemon's clock (NTP steps do not move it). Instant mails stop two short of the
// limit, leaving room for the digests; their records are held, the hold is logged once and
// said in the next mail, and `onFree` runs when the budget allows instant mails again.

const DAY_MS = 86_400_000;

/** Kinds of mail the budget tells apart. */
export type BudgetedKind = 'instant' | 'daily' | 'weekly';

/** What the budget works with; the mailer passes its own clock, timers and log. */
export interface DailyBudgetOptions {
  /** Mails per rolling 24 h; undefined for no limit. */
  maxMailsPerDay: number | undefined;
  /** The daemon's clock, epoch ms. */
  now: () => number;
  after: (seconds: number, fn: () => void) => string;
  cancel: (id: string) => void;
  /** A hold of instant records begins (logged once per hold). */
  onHold: (fields: Record<string, string | number | undefined>) => void;
  /** The budget may allow more mails now: the mailer starts what is ready. */
  onWake: () => void;
  /** The budget allows instant mails again after a hold. */
  onFree?: (() => void) | undefined;
}

/** The rolling 24-h count of mails, and the hold of instant records it causes. */
export class DailyBudget {
  /** Attempt times within the last 24 h. */
  private readonly sent: number[] = [];
  private timer: string | null = null;
  /** Set while instant records are held, until a mail says so. */
  private hold: { since: number; records: number; released: boolean } | null = null;
  private closed = false;

  constructor(private readonly options: DailyBudgetOptions) {}

  /** Mails attempted in the last 24 h (older ones are forgotten here). */
  sentToday(): number {
    const since = this.options.now() - DAY_MS;
    while (this.sent.length > 0 && this.sent[0]! <= since) this.sent.shift();
    return this.sent.length;
  }

  /** Whether a mail of this kind may be attempted when `sent` mails were in the last 24 h. */
  allows(kind: BudgetedKind, sent = this.sentToday()): boolean {
    const max = this.options.maxMailsPerDay ?? Infinity;
    return sent < (kind === 'instant' ? Math.max(1, max - 2) : max);
  }

  /** An attempt counts against the budget when it starts. */
  count(): void {
    this.sent.push(this.options.now());
  }

  /** An attempt that sent nothing (not composed, or refused): it does not count. */
  uncount(): void {
    this.sent.pop();
  }

  /**
   * Whether an instant mail of `records` may be composed now. Once the instant share is used
   * up, no: the hold begins (logged once) and a timer wakes the mailer when it may end.
   */
  mayComposeInstant(records: number): boolean {
    if (this.allows('instant')) {
      if (this.hold !== null) this.hold.released = true;
      return true;
    }
    if (this.hold === null) {
      this.hold = { since: this.options.now(), records: 0, released: false };
      this.options.onHold({
        kind: 'instant',
        reason: 'maxMailsPerDay',
        limit: this.options.maxMailsPerDay,
        resume: `${Math.round(this.freeInMs() / 1000)}s`,
      });
    }
    this.hold.records = records;
    this.arm();
    return false;
  }

  /** Wakes the mailer when the oldest counted mail leaves the 24-h window. */
  arm(): void {
    if (this.timer !== null || this.closed) return;
    this.timer = this.options.after(this.freeInMs() / 1000, () => {
      this.timer = null;
      this.options.onWake();
      if (this.hold !== null && this.allows('instant')) this.options.onFree?.();
      else if (this.hold !== null) this.arm();
    });
  }

  /** The line the next mail carries about a hold, and whether that mail ends it. */
  notice(): { line: string | undefined; ends: boolean } {
    const hold = this.hold;
    if (hold === null) return { line: undefined, ends: false };
    const since = new Date(hold.since).toISOString().replace('T', ' ').slice(0, 19);
    const max = this.options.maxMailsPerDay;
    return {
      line: hold.released
        ? `maxMailsPerDay (${max}) was reached at ${since} UTC: instant records were held since then and are sent now`
        : `maxMailsPerDay (${max}) was reached at ${since} UTC: ${hold.records} instant record(s) are held and follow in one mail when the budget allows`,
      ends: hold.released,
    };
  }

  /** A mail that said the hold was over was accepted. */
  endHold(): void {
    this.hold = null;
  }

  close(): void {
    this.closed = true;
    if (this.timer !== null) this.options.cancel(this.timer);
    this.timer = null;
  }

  private freeInMs(): number {
    const oldest = this.sent[0] ?? this.options.now();
    return Math.max(1000, oldest + DAY_MS - this.options.now());
  }
}
