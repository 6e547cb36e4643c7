// The pooled nodemailer transport the daemon sends through, with TLS required before a
// login over smtp:// (unless the credentials opt out) and bounded timeouts. nodemailer (~12 MB
// of heap, ~80 ms to load) is imported only when a mail is about to be sent: a client that only
// logs, pino's transport and an idle daemon never load it.
import type { Transporter } from 'nodemailer';
import type { ValidCredentials } from './credentials.js';
import type { MailTransport } from './mail-transport.js';

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

/**
 * Builds the one pooled SMTP transport the daemon uses. With a login over `smtp://`, TLS
 * (STARTTLS) is required before AUTH unless the credentials say `allowUnencryptedAuth`.
 * Loads nodemailer on its first call.
 */
export async function createPooledTransport(
  credentials: Pick<ValidCredentials, 'smtp' | 'allowUnencryptedAuth'>,
  overrides?: Record<string, unknown>,
  timeouts: TransportTimeouts = {},
): Promise<Transporter> {
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
  const nodemailer = (await import('nodemailer')).default;
  return nodemailer.createTransport(
    options as Parameters<typeof nodemailer.createTransport>[0],
  ) as Transporter;
}

/**
 * The pooled transport of {@link createPooledTransport}, built (and nodemailer loaded) at the
 * first `sendMail`, so a daemon that has nothing to mail carries no nodemailer.
 */
export function lazyPooledTransport(
  credentials: Pick<ValidCredentials, 'smtp' | 'allowUnencryptedAuth'>,
  overrides?: Record<string, unknown>,
  timeouts: TransportTimeouts = {},
): MailTransport {
  let transport: Promise<Transporter> | undefined;
  let closed = false;
  return {
    async sendMail(message) {
      transport ??= createPooledTransport(credentials, overrides, timeouts);
      const built = await transport;
      if (closed) built.close();
      return built.sendMail(message);
    },
    close() {
      closed = true;
      void transport?.then((built) => built.close());
    },
  };
}
