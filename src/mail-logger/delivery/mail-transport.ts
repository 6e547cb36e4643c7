// What the daemon hands to an SMTP transport: our own small types, so the public
// declarations need no @types/nodemailer (nodemailer ships none of its own).

/**
 * One mail as the daemon passes it to {@link MailTransport.sendMail}: the subset of
 * nodemailer's message options it uses, so a nodemailer `Transporter` accepts it as is.
 *
 * @example
 * ```ts
 * const transport: MailTransport = {
 *   async sendMail(message: MailMessage) {
 *     console.log(message.messageId, message.subject);
 *   },
 * };
 * ```
 */
export interface MailMessage {
  /** Sender, from the credentials, e.g. `"Raspimon <robot@example.org>"`. */
  from: string;
  /** Recipients, from the credentials. */
  to: string[];
  /** One line, never CR/LF, e.g. `[ERROR ×12] raspimon_dca632112233: sensor timeout`. */
  subject: string;
  /** Plain-text part. */
  text: string;
  /** HTML part (every value escaped). */
  html: string;
  /** `<uuid@raspimon.mail-logger>`, the same on every retry and after a restart. */
  messageId: string;
  /** When the mail was composed (not when this attempt is made). */
  date: Date;
  /** Extra headers: `X-Raspimon-Mail-Kind` is `instant`, `daily` or `weekly`. */
  headers: Record<string, string>;
  /** Files attached: the whole text of a mail cut to the size limit, as `.txt.gz` (nodemailer's shape). */
  attachments?: Array<{
    /** File name shown by the mail client, e.g. `digest-2026-06-01.txt.gz`. */
    filename: string;
    /** The attached bytes. */
    content: Buffer;
    /** MIME type, e.g. `application/gzip`. */
    contentType: string;
  }>;
  /**
   * Aborted when the attempt took longer than the daemon's `sendTimeoutSeconds`: a nodemailer
   * pool then closes the connection that carries it; the daemon retries the mail later.
   */
  signal?: AbortSignal;
  /**
   * SMTP envelope: sender and recipients as in `from`/`to`, and `size`, the daemon's estimate
   * of the mail's bytes (sent as RFC 1870 `SIZE=`, so a server with a smaller limit refuses it
   * before the data, and nodemailer checks it against the SIZE the server announced).
   */
  envelope?: {
    /** Sender, as `from`. */
    from: string;
    /** Recipients, as `to`. */
    to: string[];
    /** Estimated bytes of the whole mail as sent (an upper bound). */
    size: number;
  };
}

/**
 * Anything with nodemailer's `sendMail`: a `Transporter` from `nodemailer.createTransport()`,
 * or a test double.
 *
 * @example
 * ```ts
 * import nodemailer from 'nodemailer';
 * const transport: MailTransport = nodemailer.createTransport('smtp://127.0.0.1:2525');
 * await MailLoggerServer.start({ credentials: '/etc/mail_credentials', transport });
 * ```
 */
export interface MailTransport {
  /** Sends one message; a rejection means not accepted: with an SMTP `responseCode` 5xx the mail is not retried as is (see the README's delivery rules), otherwise it is retried with backoff. */
  sendMail(message: MailMessage): Promise<unknown>;
  /** Releases the transport's connections; the daemon calls it only on a transport it built itself. */
  close?(): void;
}
