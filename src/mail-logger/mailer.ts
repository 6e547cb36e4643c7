import nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';
import type { ValidCredentials } from './credentials.js';
import type { MailMessage, MailTransport } from './mail-transport.js';
import type { OutgoingMail } from './record.js';

export interface MailerOptions {
  credentials: ValidCredentials;
  /** A transport to use instead of one built from `credentials.smtp`, or nodemailer transport options. */
  transport?: MailTransport | Record<string, unknown> | undefined;
  /** Backoff between attempts, seconds: doubles from min to max. */
  retryMinSeconds: number;
  retryMaxSeconds: number;
  /** Timer for backoff (the daemon's Scheduler). */
  after: (seconds: number, fn: () => void) => string;
  cancel: (id: string) => void;
  /** Called once the SMTP server accepted a mail. */
  onSent: (mail: OutgoingMail) => void;
  /** Called after a failed attempt (the mail is kept and retried). */
  onFailure: (mail: OutgoingMail, error: Error, retryInSeconds: number) => void;
}

function isTransport(value: unknown): value is MailTransport {
  return typeof (value as MailTransport | undefined)?.sendMail === 'function';
}

/** Builds the one pooled SMTP transport the daemon uses. */
export function createPooledTransport(
  smtp: ValidCredentials['smtp'],
  overrides?: Record<string, unknown>,
): Transporter {
  const base: Record<string, unknown> = typeof smtp === 'string' ? { url: smtp } : { ...smtp };
  const options = {
    pool: true,
    maxConnections: 2,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 60_000,
    ...base,
    ...overrides,
  };
  return nodemailer.createTransport(
    options as Parameters<typeof nodemailer.createTransport>[0],
  ) as Transporter;
}

/**
 * Sends composed mails in order through one pooled transport, keeping each until the
 * server accepts it: any failure (server down, 4xx, auth) is retried with backoff.
 */
export class Mailer {
  private readonly transport: MailTransport;
  private readonly owned: boolean;
  private readonly queue: OutgoingMail[] = [];
  private sending: Promise<void> | null = null;
  private retryTimer: string | null = null;
  private backoffSeconds: number;
  private closed = false;

  constructor(private readonly options: MailerOptions) {
    this.backoffSeconds = options.retryMinSeconds;
    if (isTransport(options.transport)) {
      this.transport = options.transport;
      this.owned = false;
    } else {
      this.transport = createPooledTransport(options.credentials.smtp, options.transport);
      this.owned = true;
    }
  }

  /** Mails waiting to be accepted, oldest first. */
  get pending(): number {
    return this.queue.length;
  }

  enqueue(mail: OutgoingMail): void {
    this.queue.push(mail);
    this.pump();
  }

  /** Sends one message now, outside the queue (for `--check`). */
  async sendNow(mail: OutgoingMail): Promise<void> {
    await this.transport.sendMail(this.message(mail));
  }

  /**
   * Waits until every queued mail is accepted, `timeoutMs` passed, or an attempt failed
   * (the server is not taking mail now: waiting for it is the next start's job).
   */
  async drain(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.queue.length > 0 && this.retryTimer === null && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Waits up to `timeoutMs` for the mail in flight, then stops (queued mails stay in the journal). */
  async close(timeoutMs: number): Promise<void> {
    this.closed = true;
    if (this.retryTimer !== null) this.options.cancel(this.retryTimer);
    this.retryTimer = null;
    if (this.sending) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.sending, new Promise((r) => (timer = setTimeout(r, timeoutMs)))]);
      clearTimeout(timer);
    }
    if (this.owned) this.transport.close?.();
  }

  private message(mail: OutgoingMail): MailMessage {
    return {
      from: this.options.credentials.from,
      to: this.options.credentials.to,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      // Stable across retries and restarts: a receiver can recognise a resent mail.
      messageId: `<${mail.id}@raspimon.mail-logger>`,
      date: new Date(mail.createdAt),
      headers: { 'X-Raspimon-Mail-Kind': mail.kind },
    };
  }

  private pump(): void {
    if (this.sending !== null || this.retryTimer !== null || this.closed) return;
    const mail = this.queue[0];
    if (mail === undefined) return;
    this.sending = this.attempt(mail).finally(() => {
      this.sending = null;
      this.pump();
    });
  }

  private async attempt(mail: OutgoingMail): Promise<void> {
    try {
      await this.transport.sendMail(this.message(mail));
    } catch (error) {
      const wait = this.backoffSeconds;
      this.backoffSeconds = Math.min(this.options.retryMaxSeconds, this.backoffSeconds * 2);
      this.options.onFailure(mail, error as Error, wait);
      if (!this.closed) {
        this.retryTimer = this.options.after(wait, () => {
          this.retryTimer = null;
          this.pump();
        });
      }
      return;
    }
    this.backoffSeconds = this.options.retryMinSeconds;
    this.queue.shift();
    this.options.onSent(mail);
  }
}
