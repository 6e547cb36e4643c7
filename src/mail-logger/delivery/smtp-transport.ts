// The pooled nodemailer transport the daemon sends through, with TLS required before a
// login over smtp:// (unless the credentials opt out) and bounded timeouts. nodemailer is
// imported when the first mail is sent, so a process that only logs (the client, the pino
// transport) or a daemon that has sent nothing yet does not load it (~12 MB, ~80 ms).
import type { Transporter } from 'nodemailer';
import type { ValidCredentials } from './credentials.js';
import type { MailMessage, MailTransport } from './mail-transport.js';

/** Connections of the pool: a mail hanging on one leaves the other free. */
export const POOL_CONNECTIONS = 2;

/** Anything with `sendMail` (a nodemailer Transporter or a test double). */
export function isTransport(value: unknown): value is MailTransport {
  return typeof (value as MailTransport | undefined)?.sendMail === 'function';
}

/** True when `smtp` logs in over a connection that starts in plain text (smtp://, not smtps://). */
function authOverPlainConnection(smtp: ValidCredentials['smtp']): boolean {
  if (typeof smtp === 'string') {
    const url = new URL(smtp);
    return url.protocol === 'smtp:' && url.username !== '';
  }
  return smtp.secure !== true && typeof smtp.auth === 'object' && smtp.auth !== null;
}

/** Timeouts of the pooled transport, from the mailer's send timeout. */
export interface TransportTimeouts {
  /** Whole attempt, and socket inactivity, seconds. @default 60 */
  sendTimeoutSeconds?: number;
}

/** The daemon's SMTP transport: a nodemailer transporter built on the first `sendMail`. */
export interface PooledTransport {
  /** Loads nodemailer and builds the transporter on the first call, then sends through it. */
  sendMail(message: MailMessage | Record<string, unknown>): Promise<unknown>;
  /** Closes the pool (at once, or as soon as a transporter being built is ready). */
  close(): void;
}

/**
 * Builds the one pooled SMTP transport the daemon uses. With a login over `smtp://`, TLS
 * (STARTTLS) is required before AUTH unless the credentials say `allowUnencryptedAuth`.
 */
export function createPooledTransport(
  credentials: Pick<ValidCredentials, 'smtp' | 'allowUnencryptedAuth'>,
  overrides?: Record<string, unknown>,
  timeouts: TransportTimeouts = {},
): PooledTransport {
  const smtp = credentials.smtp;
  const base: Record<string, unknown> = typeof smtp === 'string' ? { url: smtp } : { ...smtp };
  const timeoutMs = (timeouts.sendTimeoutSeconds ?? 60) * 1000;
  const tls =
    authOverPlainConnection(smtp) && credentials.allowUnencryptedAuth !== true ? { requireTLS: true } : {};
  const options = {
    pool: true,
    maxConnections: POOL_CONNECTIONS,
    connectionTimeout: Math.min(10_000, timeoutMs),
    greetingTimeout: Math.min(10_000, timeoutMs),
    socketTimeout: timeoutMs,
    ...tls,
    ...base,
    ...overrides,
  };
  let transporter: Promise<Transporter> | undefined;
  let closed = false;
  const load = (): Promise<Transporter> =>
    (transporter ??= import('nodemailer').then(({ default: nodemailer }) => {
      const built = nodemailer.createTransport(
        options as Parameters<typeof nodemailer.createTransport>[0],
      ) as Transporter;
      if (closed) built.close();
      return built;
    }));
  return {
    async sendMail(message) {
      const built = await load();
      return built.sendMail(message);
    },
    close() {
      closed = true;
      void transporter?.then((built) => built.close()).catch(() => undefined);
    },
  };
}
