// Waiting out a full disk: the journal holds its batch (written nowhere, so acknowledged to
// no one) and retries with backoff on the daemon's timers, logging once when the outage
// begins and once when space is back, never once per retry.
import { Backoff } from '../../internal/index.js';
import { countLines } from './journal-files.js';

/** What the wait works with; the journal passes its directory, clock, log and timer. */
export interface DiskFullOptions {
  /** The state directory, named in the log lines. */
  dir: string;
  /** Epoch ms (the daemon's scheduler clock). */
  now: () => number;
  log: (line: string) => void;
  /** Runs `fn` after `seconds` (the daemon's scheduler). */
  after: (seconds: number, fn: () => void) => void;
}

/** One outage of disk space at a time: when it began, the retry backoff, the wait under way. */
export class DiskFullWait {
  private full: { since: number; backoff: Backoff; wake: (() => void) | null } | null = null;

  constructor(private readonly options: DiskFullOptions) {}

  /** True from a write that found no space until one gets through. */
  get active(): boolean {
    return this.full !== null;
  }

  /** A write of `buffer` found no space (`error`): an outage begins (logged) or goes on. */
  begin(error: NodeJS.ErrnoException, buffer: Buffer): void {
    if (this.full !== null) return;
    this.full = {
      since: this.options.now(),
      backoff: new Backoff({ minSeconds: 0.2, maxSeconds: 5 }),
      wake: null,
    };
    this.options.log(
      `disk full: cannot write the journal in ${this.options.dir} (${error.code}); ` +
        `${countLines(buffer)} line(s) (${buffer.length} bytes) wait unacknowledged, and the clients keep ` +
        'their records and resend them; retrying until space is free',
    );
  }

  /** Waits before the next attempt; false when `closing()` says to give up instead. */
  async wait(closing: () => boolean): Promise<boolean> {
    const full = this.full!;
    if (closing()) return false;
    await new Promise<void>((resolve) => {
      full.wake = resolve;
      this.options.after(full.backoff.next(), resolve);
    });
    full.wake = null;
    return !closing();
  }

  /** Ends the wait under way at once (the journal is closing). */
  wake(): void {
    this.full?.wake?.();
  }

  /** The held `buffer` got written: the outage is over (logged with how long it lasted). */
  end(buffer: Buffer): void {
    const seconds = Math.round((this.options.now() - this.full!.since) / 100) / 10;
    this.full = null;
    this.options.log(
      `disk space is back after ${seconds} s: ${countLines(buffer)} held line(s) (${buffer.length} bytes) written and acknowledged`,
    );
  }
}
