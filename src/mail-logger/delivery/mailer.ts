// Delivery of composed mails: one pooled SMTP transport, per-mail retry state, replies
// classified as RFC 5321 does (see smtp-reply.ts), a size limit no mail exceeds, a dead-letter
// file for permanent refusals, and the optional daily budget (daily-budget.ts). Time comes from
// the daemon's scheduler (`now`, `after`), never from Date.now(). It keeps one state machine
// per mail (ready → in flight → sent / waiting / shorter / dead letter) in one file, as
// splitting it would scatter the transitions; what an attempt sends is rendered by
// composition/render-message.ts, and one attempt, the server-wide condition and the log lines
// are attempt.ts, smtp-condition.ts and mail-log.ts.
import { Backoff, Signal, within } from '../../internal/index.js';
import { DailyBudget } from './daily-budget.js';
import { renderMessage } from '../composition/render-message.js';
import { mailMessage, sendOnce } from './attempt.js';
import { mailLogLine } from './mail-log.js';
import type { MailerOptions } from './mailer-options.js';
import type { MailMessage, MailTransport } from './mail-transport.js';
import type { OutgoingMail } from '../composition/record.js';
import { SmtpCondition } from './smtp-condition.js';
import type { SmtpFailure } from './smtp-reply.js';
import { createPooledTransport, isTransport, POOL_CONNECTIONS } from './smtp-transport.js';

/** Mails attempted at once (one per pooled connection): a kill -9 can re-send at most these. */
export const MAX_IN_FLIGHT = POOL_CONNECTIONS;

interface Entry {
  mail: OutgoingMail;
  backoff: Backoff;
  timer: string | null;
  inFlight: boolean;
  attempts: number;
  /** Reason of the last failure, to log a retry once per change rather than per attempt. */
  reason: string | null;
  /** Limit learned for this mail from a 552 without a SIZE: half of what was refused. */
  limit: number;
  /** Bytes of the last attempt, to tell whether a shorter mail is still possible. */
  lastBytes: number;
  mustShrink: boolean;
  /** Refused for good while carrying notices: tried once more without them (they may be the cause). */
  withoutNotices: boolean;
}

/**
 * Sends composed mails through one pooled transport. Each mail has its own retry state, so a
 * mail that fails or hangs never holds the ones behind it:
 *
 * - 4xx, network errors, timeouts: retried with backoff and full jitter; a success wakes the
 *   others, since the server is back;
 * - too big (552, 5.3.4, over the SIZE the server announced): rendered again shorter, never
 *   retried as is;
 * - other 5xx: into the dead-letter file, logged, and mentioned in the next mail delivered;
 * - login or TLS refused: kept and retried, logged once per change of the condition.
 */
export class Mailer {
  private readonly transport: MailTransport;
  private readonly owned: boolean;
  private readonly entries = new Map<string, Entry>();
  private readonly changed = new Signal();
  private readonly attempts = new Set<Promise<void>>();
  private inFlight = 0;
  /** The SIZE the server announced (learned from a refusal). */
  private serverLimit = Infinity;
  /** A condition of the server as a whole (login refused, TLS, unreachable), logged once. */
  private readonly condition: SmtpCondition;
  /** `maxMailsPerDay`: the rolling 24-h count and the hold of instant records. */
  private readonly budget: DailyBudget;
  private closed = false;

  constructor(private readonly options: MailerOptions) {
    this.condition = new SmtpCondition(options.log);
    this.budget = new DailyBudget({
      maxMailsPerDay: options.maxMailsPerDay,
      now: options.now,
      after: options.after,
      cancel: options.cancel,
      onHold: (fields) => this.log(null, 'held', fields),
      onWake: () => this.pump(),
      onFree: options.onQuotaFree,
    });
    if (isTransport(options.transport)) {
      this.transport = options.transport;
      this.owned = false;
    } else {
      this.transport = createPooledTransport(options.credentials, options.transport, {
        sendTimeoutSeconds: options.sendTimeoutSeconds,
      });
      this.owned = true;
    }
  }

  /** Mails waiting to be accepted. */
  get pending(): number {
    return this.entries.size;
  }

  /**
   * Whether an attempt is under way or a mail is ready to be attempted now; false when every
   * mail left waits for a retry timer or for `maxMailsPerDay` (it moves only with the clock).
   */
  get busy(): boolean {
    return this.hasWork();
  }

  /**
   * Whether an instant mail of `records` may be composed now. Once the instant share of
   * `maxMailsPerDay` is used up, no: the records stay pending, this is logged once, and
   * `onQuotaFree` is called when the budget allows again.
   */
  mayComposeInstant(records: number): boolean {
    return this.budget.mayComposeInstant(records);
  }

  enqueue(mail: OutgoingMail): void {
    if (this.entries.has(mail.id)) return;
    this.entries.set(mail.id, {
      mail,
      backoff: new Backoff({
        minSeconds: this.options.retryMinSeconds,
        maxSeconds: this.options.retryMaxSeconds,
        ...(this.options.random ? { random: this.options.random } : {}),
      }),
      timer: null,
      inFlight: false,
      attempts: 0,
      reason: null,
      limit: Infinity,
      lastBytes: Infinity,
      mustShrink: false,
      withoutNotices: false,
    });
    this.pump();
  }

  /**
   * Waits until every mail is accepted or dead-lettered, `timeoutMs` passed, or only mails
   * waiting for a retry are left (the server is not taking mail now: that is the next start's
   * job). Settles on each change of the queue, no polling.
   */
  async drain(timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (this.hasWork()) {
      const left = deadline - performance.now();
      if (left <= 0 || !(await within(this.changed.wait(), left))) return;
    }
  }

  /** Waits up to `timeoutMs` for the attempts in flight, then stops (queued mails stay in the journal). */
  async close(timeoutMs: number): Promise<void> {
    this.closed = true;
    for (const entry of this.entries.values()) {
      if (entry.timer !== null) this.options.cancel(entry.timer);
      entry.timer = null;
    }
    this.budget.close();
    await within(Promise.allSettled([...this.attempts]), timeoutMs);
    if (this.owned) this.transport.close?.();
    this.changed.notify();
  }

  private hasWork(): boolean {
    if (this.closed) return false;
    const sent = this.budget.sentToday();
    for (const entry of this.entries.values()) {
      if (entry.inFlight) return true;
      // Ready, and not held by maxMailsPerDay: it will be attempted now.
      if (entry.timer === null && this.budget.allows(entry.mail.kind, sent)) return true;
    }
    return false;
  }

  private log(id: string | null, event: string, fields: Record<string, string | number | undefined>): void {
    this.options.log(mailLogLine(id, event, fields));
  }

  /** Starts attempts for ready mails, instant ones first, up to MAX_IN_FLIGHT, within the budget. */
  private pump(): void {
    if (this.closed) return;
    while (this.inFlight < MAX_IN_FLIGHT) {
      const sent = this.budget.sentToday();
      let next: Entry | undefined;
      let overBudget = false;
      for (const entry of this.entries.values()) {
        if (entry.inFlight || entry.timer !== null) continue;
        if (!this.budget.allows(entry.mail.kind, sent)) {
          overBudget = true;
          continue;
        }
        if (next === undefined || (entry.mail.kind === 'instant' && next.mail.kind !== 'instant'))
          next = entry;
        if (next.mail.kind === 'instant') break;
      }
      if (overBudget) this.budget.arm();
      if (next === undefined) return;
      this.budget.count(); // counts against the budget when it is attempted
      const attempt = this.attempt(next).finally(() => {
        this.attempts.delete(attempt);
        this.pump();
        this.changed.notify();
      });
      this.attempts.add(attempt);
    }
  }

  /** Lines telling of dead letters not yet mentioned and of a budget hold, and the ids they cover. */
  private notices(): { lines: string[]; ids: string[]; quota: boolean } {
    const { lines, ids } = this.options.deadLetters.notice();
    const hold = this.budget.notice();
    if (hold.line !== undefined) lines.push(hold.line);
    return { lines, ids, quota: hold.ends };
  }

  /** The message for this attempt, within the size limit known now; null when it cannot fit. */
  private message(entry: Entry, notices: readonly string[]): { message: MailMessage; bytes: number } | null {
    const rendered = renderMessage(entry.mail, {
      limit: Math.min(this.options.maxMailBytes, this.serverLimit, entry.limit),
      notices,
      timeZone: this.options.timeZone,
    });
    if (rendered === null) return null;
    return { message: mailMessage(entry.mail, rendered, this.options.credentials), bytes: rendered.bytes };
  }

  /** One attempt; the entry counts as in flight until its outcome is settled (journaled or timed). */
  private async attempt(entry: Entry): Promise<void> {
    entry.inFlight = true;
    this.inFlight++;
    try {
      await this.tryOnce(entry);
    } finally {
      this.inFlight--;
      entry.inFlight = false;
    }
  }

  private async tryOnce(entry: Entry): Promise<void> {
    entry.attempts++;
    const notices = entry.withoutNotices ? { lines: [], ids: [], quota: false } : this.notices();
    const built = this.message(entry, notices.lines);
    if (built === null || (entry.mustShrink && built.bytes >= entry.lastBytes)) {
      this.budget.uncount(); // nothing was sent
      await this.deadLetter(entry, entry.reason ?? 'too big for the size limit, even cut to its shortest');
      return;
    }
    entry.lastBytes = built.bytes;
    entry.mustShrink = false;
    const failure = await sendOnce(
      this.transport,
      built.message,
      this.options.sendTimeoutSeconds,
      this.options,
    );
    if (failure === null) this.onAccepted(entry, built.bytes, notices);
    else if (failure.kind === 'permanent' && notices.lines.length > 0) {
      // A filter that refuses what a notice quotes must not take every later mail with it.
      entry.withoutNotices = true;
      this.log(entry.mail.id, 'retry', {
        kind: entry.mail.kind,
        in: '0s',
        reason: `${failure.summary} (again without notices)`,
      });
    } else await this.onFailed(entry, failure, built.bytes);
  }

  private onAccepted(entry: Entry, bytes: number, notices: { ids: string[]; quota: boolean }): void {
    const mentioned = notices.ids;
    const { mail } = entry;
    this.entries.delete(mail.id);
    this.log(mail.id, 'sent', {
      kind: mail.kind,
      records: mail.body?.total,
      bytes,
      attempts: entry.attempts,
    });
    if (mentioned.length > 0)
      this.options.deadLetters.mentioned(mentioned, mail.id).catch((error: unknown) =>
        this.log(mail.id, 'note', {
          problem: `cannot update ${this.options.deadLetters.file}: ${(error as Error).message}`,
        }),
      );
    if (notices.quota) this.budget.endHold(); // a mail said the hold is over
    this.condition.ok();
    // The server takes mail again: what waits for a transient failure need not wait its backoff.
    for (const other of this.entries.values()) {
      if (other.timer === null || other.inFlight) continue;
      this.options.cancel(other.timer);
      other.timer = null;
    }
    this.options.onDone(mail);
  }

  private async onFailed(entry: Entry, failure: SmtpFailure, bytes: number): Promise<void> {
    const { mail } = entry;
    this.budget.uncount(); // refused: the provider did not count it either
    if (failure.kind === 'too-big') {
      if (failure.sizeLimit !== undefined && failure.sizeLimit > 0)
        this.serverLimit = Math.min(this.serverLimit, failure.sizeLimit);
      else entry.limit = Math.floor(bytes / 2);
      entry.mustShrink = true;
      entry.reason = failure.summary;
      this.log(mail.id, 'too-big', {
        kind: mail.kind,
        bytes,
        limit: Math.min(this.options.maxMailBytes, this.serverLimit, entry.limit),
        reason: failure.summary,
      });
      return; // ready again at once: the next attempt renders it shorter
    }
    if (failure.kind === 'permanent') {
      entry.reason = failure.summary;
      await this.deadLetter(entry, failure.summary);
      return;
    }
    this.condition.failed(failure);
    if (this.closed) return;
    const wait = entry.backoff.next();
    if (entry.reason !== failure.summary) {
      this.log(mail.id, 'retry', {
        kind: mail.kind,
        records: mail.body?.total,
        in: `${wait.toFixed(1)}s`,
        reason: failure.summary,
      });
      entry.reason = failure.summary;
    }
    entry.timer = this.options.after(wait, () => {
      entry.timer = null;
      this.pump();
    });
  }

  private async deadLetter(entry: Entry, reason: string): Promise<void> {
    const { mail } = entry;
    try {
      await this.options.deadLetters.add({ at: this.options.now(), reason, mail });
    } catch (error) {
      // Kept in the outbox rather than lost: retried after the usual backoff.
      this.log(mail.id, 'retry', {
        kind: mail.kind,
        reason: `cannot write ${this.options.deadLetters.file}: ${(error as Error).message}`,
      });
      if (!this.closed)
        entry.timer = this.options.after(entry.backoff.next(), () => {
          entry.timer = null;
          this.pump();
        });
      return;
    }
    this.entries.delete(mail.id);
    this.log(mail.id, 'dead-letter', {
      kind: mail.kind,
      records: mail.body?.total,
      reason,
      file: this.options.deadLetters.file,
    });
    this.options.onDone(mail);
  }
}
