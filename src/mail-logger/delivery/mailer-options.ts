// What the mailer works with: the daemon's resolved options, its clock and timers, the
// dead-letter file and the callbacks it reports to (kept apart from mailer.ts, as the server's
// options are from server.ts).
import type { OutgoingMail } from '../composition/record.js';
import type { ValidCredentials } from './credentials.js';
import type { DeadLetters } from './dead-letters.js';
import type { MailTransport } from './mail-transport.js';

/** Options of the `Mailer` (mailer.ts). */
export interface MailerOptions {
  credentials: ValidCredentials;
  /** A transport to use instead of one built from `credentials.smtp`, or nodemailer transport options. */
  transport?: MailTransport | Record<string, unknown> | undefined;
  /** Backoff between attempts of one mail, seconds: full jitter, ceiling doubling from min to max. */
  retryMinSeconds: number;
  retryMaxSeconds: number;
  /** Largest mail, bytes as sent (headers and encoding included). */
  maxMailBytes: number;
  /** An attempt not answered within this is abandoned (its connection closed) and retried. */
  sendTimeoutSeconds: number;
  /**
   * Mails per rolling 24 h. Instant mails stop two short of it (room for the digests): their
   * records are held and go out in one mail when the budget allows. @default Infinity
   */
  maxMailsPerDay?: number;
  /** The budget allows instant mails again after a hold (the daemon then composes the held records). */
  onQuotaFree?: () => void;
  /** IANA zone of the times shown in mails. */
  timeZone?: string | undefined;
  /** The daemon's clock, epoch ms (its Scheduler's `now()`). */
  now: () => number;
  /** Timer for backoff and timeouts (the daemon's Scheduler). */
  after: (seconds: number, fn: () => void) => string;
  cancel: (id: string) => void;
  /** Where permanently refused mails are kept. */
  deadLetters: DeadLetters;
  /** The mail left the outbox: accepted by the server, or kept in the dead-letter file. */
  onDone: (mail: OutgoingMail) => void;
  /** The daemon's log (one line per event, see `mailLogLine` in mail-log.ts). */
  log: (line: string) => void;
  /** Uniform in [0, 1) for the backoff jitter. @default Math.random */
  random?: () => number;
}
