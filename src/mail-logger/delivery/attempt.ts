// One SMTP attempt of one mail: the message built from what composition rendered for this
// attempt (a Message-ID stable across retries and restarts, the envelope with its size), and
// the send, abandoned when no answer comes within the timeout.
import type { OutgoingMail } from '../composition/record.js';
import type { RenderedMessage } from '../composition/render-message.js';
import type { ValidCredentials } from './credentials.js';
import type { MailMessage, MailTransport } from './mail-transport.js';
import { classifySmtpFailure, type SmtpFailure } from './smtp-reply.js';

/** The message a transport is given for `mail`, rendered as `rendered`. Pure. */
export function mailMessage(
  mail: OutgoingMail,
  rendered: RenderedMessage,
  credentials: Pick<ValidCredentials, 'from' | 'to'>,
): MailMessage {
  const { from, to } = credentials;
  const { attachment } = rendered;
  return {
    from,
    to,
    subject: rendered.subject,
    text: rendered.text,
    html: rendered.html,
    // Stable across retries and restarts: a receiver can recognise a resent mail.
    messageId: `<${mail.id}@raspimon.mail-logger>`,
    date: new Date(mail.createdAt),
    headers: { 'X-Raspimon-Mail-Kind': mail.kind },
    ...(attachment === null ? {} : { attachments: [{ ...attachment, contentType: 'application/gzip' }] }),
    envelope: { from, to, size: rendered.bytes },
  };
}

/** The watchdog of an attempt (the daemon's Scheduler). */
export interface AttemptTimer {
  after: (seconds: number, fn: () => void) => string;
  cancel: (id: string) => void;
}

/**
 * Sends `message` once; resolves with null when the server accepted it, or with the failure
 * (an attempt not answered within `timeoutSeconds` fails as ETIMEDOUT). Never rejects.
 */
export async function sendOnce(
  transport: MailTransport,
  message: MailMessage,
  timeoutSeconds: number,
  timer: AttemptTimer,
): Promise<SmtpFailure | null> {
  const controller = new AbortController();
  const aborted = new Promise<never>((_, reject) => {
    controller.signal.addEventListener('abort', () =>
      reject(Object.assign(new Error(`no answer within ${timeoutSeconds} s`), { code: 'ETIMEDOUT' })),
    );
  });
  const watchdog = timer.after(timeoutSeconds, () => controller.abort());
  try {
    // A transport that ignores the signal is left behind: its late answer no longer matters.
    await Promise.race([transport.sendMail({ ...message, signal: controller.signal }), aborted]);
    return null;
  } catch (error) {
    return classifySmtpFailure(error);
  } finally {
    timer.cancel(watchdog);
  }
}
