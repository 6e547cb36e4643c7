// Delivery of composed mails: one pooled SMTP transport, per-mail retry state, replies
// classified as RFC 5321 does (see smtp-reply.ts), a size limit no mail exceeds, a dead-letter
// file for permanent refusals, and the optional daily budget (daily-budget.ts). Time comes from
// the daemon's scheduler (`now`, `after`), never from Date.now(). Over 400 lines on purpose:
// it is one state machine per mail (ready → in flight → sent / waiting / shorter / dead
// letter), and splitting it would scatter the transitions; the pure parts live in
// smtp-reply.ts, digest.ts, mail-log.ts and smtp-transport.ts.
import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { Backoff, Signal, within } from '../../internal/index.js';
import type { ValidCredentials } from './credentials.js';
import { DailyBudget } from './daily-budget.js';
import type { DeadLetters } from './dead-letters.js';
import { BASE64_GROWTH, gzipParts } from './digest-parts.js';
import { composeBody, escapeHtml, formatTime, isCut, renderBody, renderSubject } from './digest.js';
import { mailLogLine } from './mail-log.js';
import type { MailMessage, MailTransport } from './mail-transport.js';
import type { OutgoingMail, StoredRecord } from './record.js';
import { classifySmtpFailure, type SmtpFailure } from './smtp-reply.js';
import { createPooledTransport, isTransport, POOL_CONNECTIONS } from './smtp-transport.js';

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
  /** The daemon's log (one line per event, see {@link mailLogLine}). */
  log: (line: string) => void;
  /** Uniform in [0, 1) for the backoff jitter. @default Math.random */
  random?: () => number;
}

/** Headers and MIME structure, bytes; the rest of the limit is for the encoded parts. */
const HEADER_ALLOWANCE = 4096;
/** Quoted-printable or base64 (with line breaks) grows a part by at most this factor. */
const ENCODING_GROWTH = 1.4;
/** The MIME headers and boundaries of an attachment. */
const ATTACHMENT_ALLOWANCE = 1024;
/** The short text of a numbered part after the first. */
const PART_BODY_ALLOWANCE = 2048;
/** Attempts at once: the pool's connections, so a hanging one leaves the other free. */
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
  private condition: { text: string; failures: number } | null = null;
  /** `maxMailsPerDay`: the rolling 24-h count and the hold of instant records. */
  private readonly budget: DailyBudget;
  private closed = false;

  constructor(private readonly options: MailerOptions) {
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

  /**
   * A new mail of `records`: grouped, stamped with the daemon's clock, not queued yet. A body
   * too big for `maxMailBytes` is cut (what is cut is counted per section), and then the whole
   * text goes along gzip-compressed as an attachment — in numbered mails ("digest 2/3") when
   * one cannot carry it — so no acknowledged record's text is ever dropped. The first mail
   * keeps the grouped summary.
   */
  compose(
    kind: OutgoingMail['kind'],
    records: readonly StoredRecord[],
    dropped: Readonly<Record<string, number>>,
  ): OutgoingMail[] {
    const { maxMailBytes, timeZone } = this.options;
    const createdAt = this.options.now();
    const budget = Math.floor((maxMailBytes - HEADER_ALLOWANCE) / ENCODING_GROWTH);
    const body = composeBody(records, dropped, { maxBytes: budget, timeZone });
    if (!isCut(body))
      return [
        { id: randomUUID(), kind, subject: renderSubject(kind, body.groups, body.dropped), body, createdAt },
      ];
    const whole = renderBody(composeBody(records, dropped), { timeZone }).text;
    const summaryBytes = Math.floor(budget / 4);
    const members = gzipParts(
      whole,
      Math.floor(
        (maxMailBytes - HEADER_ALLOWANCE - summaryBytes * ENCODING_GROWTH - ATTACHMENT_ALLOWANCE) /
          BASE64_GROWTH,
      ),
      Math.floor(
        (maxMailBytes - HEADER_ALLOWANCE - PART_BODY_ALLOWANCE - ATTACHMENT_ALLOWANCE) / BASE64_GROWTH,
      ),
    );
    const of = members.length;
    const label = kind === 'instant' ? 'part' : 'digest';
    const day = formatTime(createdAt, timeZone).slice(0, 10);
    const name = (i: number): string =>
      `${label}-${kind}-${day}${of > 1 ? `-part-${i}-of-${of}` : ''}.txt.gz`;
    const note =
      of === 1
        ? `The whole text of this mail (${records.length} records) is attached, gzip-compressed: ${name(1)}.`
        : `The whole text of this mail (${records.length} records) is attached, gzip-compressed, in ${of} parts: ` +
          `${name(1)} here, the others in the ${of - 1} mail(s) whose subjects end "(${label} 2/${of})" to "(${label} ${of}/${of})".`;
    const summary = composeBody(records, dropped, { maxBytes: summaryBytes, timeZone, notes: [note] });
    const subject = renderSubject(kind, summary.groups, summary.dropped);
    return members.map((member, i) => {
      const mail: OutgoingMail = {
        id: randomUUID(),
        kind,
        subject: of > 1 ? `${subject} (${label} ${i + 1}/${of})` : subject,
        createdAt,
        attachment: { filename: name(i + 1), gzipBase64: member.toString('base64') },
      };
      if (of > 1) mail.part = { index: i + 1, of };
      if (i === 0) mail.body = summary;
      else {
        mail.text =
          `Part ${i + 1} of ${of} of the ${kind} ${label === 'digest' ? 'digest' : 'mail'} composed ${formatTime(createdAt, timeZone)}: ` +
          `the attached ${name(i + 1)} (gzip) holds the next share of its whole text, in order. Part 1 has the summary.`;
        mail.html = `<p>${escapeHtml(mail.text)}</p>`;
      }
      return mail;
    });
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

  /** Lines telling of dead letters not yet mentioned, and the ids they cover. */
  private notices(): { lines: string[]; ids: string[]; quota: boolean } {
    const lines: string[] = [];
    const letters = this.options.deadLetters.unmentioned;
    for (const letter of letters.slice(0, 5)) {
      lines.push(
        `a mail could not be delivered (the server refused it: ${letter.reason}) and is kept in ${this.options.deadLetters.file}: "${letter.mail.subject}"`,
      );
    }
    if (letters.length > 5)
      lines.push(`${letters.length - 5} more refused mails are kept in ${this.options.deadLetters.file}`);
    const hold = this.budget.notice();
    if (hold.line !== undefined) lines.push(hold.line);
    return { lines, ids: letters.map((l) => l.mail.id), quota: hold.ends };
  }

  /** The message for this attempt, within the size limit known now; null when it cannot fit. */
  private message(entry: Entry, notices: string[]): { message: MailMessage; bytes: number } | null {
    const { mail } = entry;
    const limit = Math.min(this.options.maxMailBytes, this.serverLimit, entry.limit);
    let attachment: { filename: string; content: Buffer } | null =
      mail.attachment === undefined
        ? null
        : { filename: mail.attachment.filename, content: Buffer.from(mail.attachment.gzipBase64, 'base64') };
    const attachmentBytes = (content: Buffer | undefined): number =>
      content === undefined ? 0 : Math.ceil(content.length * BASE64_GROWTH) + ATTACHMENT_ALLOWANCE;
    let text: string;
    let html: string;
    if (mail.body !== undefined) {
      const { timeZone } = this.options;
      let maxBytes = Math.floor(
        (limit - HEADER_ALLOWANCE - attachmentBytes(attachment?.content)) / ENCODING_GROWTH,
      );
      if (maxBytes < 1024) return null;
      let cut: boolean;
      ({ text, html, cut } = renderBody(mail.body, { timeZone, maxBytes, notices }));
      if (cut && attachment === null) {
        // The server's limit is below the one the mail was composed for: its whole text goes
        // along compressed, when that fits beside a shorter summary.
        const content = gzipSync(renderBody(mail.body, { timeZone }).text);
        maxBytes = Math.floor((limit - HEADER_ALLOWANCE - attachmentBytes(content)) / ENCODING_GROWTH);
        if (maxBytes >= 1024) {
          attachment = {
            filename: `${mail.kind === 'instant' ? 'mail' : 'digest'}-${mail.kind}-${formatTime(mail.createdAt, timeZone).slice(0, 10)}.txt.gz`,
            content,
          };
          const note = `The whole text of this mail (${mail.body.total} records) is attached, gzip-compressed: ${attachment.filename}.`;
          ({ text, html } = renderBody(mail.body, { timeZone, maxBytes, notices: [...notices, note] }));
        }
      }
    } else {
      text = mail.text ?? '';
      html = mail.html ?? '';
    }
    const bytes =
      Math.ceil((Buffer.byteLength(text) + Buffer.byteLength(html)) * ENCODING_GROWTH) +
      HEADER_ALLOWANCE +
      attachmentBytes(attachment?.content);
    if (attachment !== null && bytes > limit) return null;
    return {
      bytes,
      message: {
        from: this.options.credentials.from,
        to: this.options.credentials.to,
        subject: mail.subject,
        text,
        html,
        // Stable across retries and restarts: a receiver can recognise a resent mail.
        messageId: `<${mail.id}@raspimon.mail-logger>`,
        date: new Date(mail.createdAt),
        headers: { 'X-Raspimon-Mail-Kind': mail.kind },
        ...(attachment === null ? {} : { attachments: [{ ...attachment, contentType: 'application/gzip' }] }),
        envelope: { from: this.options.credentials.from, to: this.options.credentials.to, size: bytes },
      },
    };
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
    const controller = new AbortController();
    const aborted = new Promise<never>((_, reject) => {
      controller.signal.addEventListener('abort', () =>
        reject(
          Object.assign(new Error(`no answer within ${this.options.sendTimeoutSeconds} s`), {
            code: 'ETIMEDOUT',
          }),
        ),
      );
    });
    const watchdog = this.options.after(this.options.sendTimeoutSeconds, () => controller.abort());
    let failure: SmtpFailure | null = null;
    try {
      // A transport that ignores the signal is left behind: its late answer no longer matters.
      await Promise.race([this.transport.sendMail({ ...built.message, signal: controller.signal }), aborted]);
    } catch (error) {
      failure = classifySmtpFailure(error);
    } finally {
      this.options.cancel(watchdog);
    }
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
    if (this.condition !== null) {
      this.options.log(
        `smtp ok again after ${this.condition.failures} failed attempt(s) (${this.condition.text})`,
      );
      this.condition = null;
    }
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
    if (failure.kind !== 'transient' || /^E(CONNECTION|SOCKET|TIMEDOUT|DNS)\b/.test(failure.summary)) {
      const text =
        failure.kind === 'auth'
          ? `login refused: ${failure.summary}`
          : failure.kind === 'tls'
            ? `TLS failed: ${failure.summary}`
            : `unreachable: ${failure.summary}`;
      if (this.condition === null || this.condition.text !== text) {
        const hint =
          failure.kind === 'auth'
            ? '; check the user and password in the credentials file (mails are kept)'
            : failure.kind === 'tls'
              ? '; the server must offer STARTTLS before a login over smtp:// (or set "allowUnencryptedAuth": true for a trusted local relay); mails are kept'
              : '';
        this.options.log(`smtp problem: ${text}${hint}`);
        this.condition = { text, failures: 0 };
      }
      this.condition.failures++;
    }
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
