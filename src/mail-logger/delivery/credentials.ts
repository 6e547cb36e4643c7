import { readFileSync, statSync, type Stats } from 'node:fs';
import { checkBoolean } from '../../internal/index.js';
import { CredentialsError } from '../errors.js';

/**
 * Contents of the credentials file (JSON), or the same object passed to
 * `MailLoggerServer.start({ credentials })`.
 *
 * @example
 * ```json
 * { "smtp": "smtps://robot%40example.org:app-password@smtp.example.org:465",
 *   "from": "Raspimon <robot@example.org>", "to": ["team@example.org"] }
 * ```
 */
export interface Credentials {
  /** An SMTP URL (`smtp://` / `smtps://`, user and password URL-encoded) or nodemailer SMTP options. */
  smtp: string | Record<string, unknown>;
  /** Sender address, e.g. `"Raspimon <robot@example.org>"`. */
  from: string;
  /** One recipient or several. */
  to: string | string[];
  /**
   * Log in over `smtp://` even when the server offers no STARTTLS, so the password crosses
   * the network in clear. Only for a trusted relay on the same host or link (e.g. a local
   * Postfix). Without it, a login over `smtp://` requires TLS first (nodemailer `requireTLS`).
   * @default false
   */
  allowUnencryptedAuth?: boolean;
}

/** Credentials after validation: `to` is always a list. */
export type ValidCredentials = Credentials & { to: string[]; allowUnencryptedAuth: boolean };

const EXAMPLE =
  '{"smtp": "smtps://user:password@smtp.example.org:465", "from": "robot@example.org", "to": "team@example.org"}';

/**
 * Reads and validates a credentials file: it must exist, be a regular file owned by the
 * daemon's user (or root) and readable only by its owner (like ssh keys and msmtp's config),
 * and hold valid JSON. Messages name the file and
 * the fix, never its contents.
 */
export function loadCredentialsFile(file: string): ValidCredentials {
  let stats: Stats;
  try {
    stats = statSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new CredentialsError(
        `credentials file ${file} does not exist: create it with JSON like ${EXAMPLE}, then run: chmod 600 ${file}`,
        file,
        'ERR_CREDENTIALS_MISSING',
      );
    }
    throw new CredentialsError(
      `cannot read credentials file ${file} (${code ?? 'error'}): check its path and owner`,
      file,
    );
  }
  // A FIFO or device would block the start (or never end): only a regular file is read.
  if (!stats.isFile()) {
    throw new CredentialsError(
      `credentials file ${file} is not a regular file (${kindOf(stats)}): point the daemon at the JSON file itself`,
      file,
      'ERR_CREDENTIALS_NOT_FILE',
    );
  }
  // Like ssh: a secret in a file someone else owns could have been written by them.
  const uid = process.getuid?.();
  if (uid !== undefined && stats.uid !== uid && stats.uid !== 0) {
    throw new CredentialsError(
      `credentials file ${file} is owned by uid ${stats.uid}, not by the daemon's user (uid ${uid}) or root: run: chown ${uid} ${file}`,
      file,
      'ERR_CREDENTIALS_OWNER',
    );
  }
  const mode = stats.mode;
  if ((mode & 0o077) !== 0) {
    throw new CredentialsError(
      `credentials file ${file} is readable or writable by group/others (mode ${(mode & 0o777).toString(8).padStart(4, '0')}): it holds a password, run: chmod 600 ${file}`,
      file,
      'ERR_CREDENTIALS_PERMISSIONS',
    );
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new CredentialsError(
      `cannot read credentials file ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'}): run the daemon as the file's owner`,
      file,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // JSON.parse's message quotes the text, which holds the password: never pass it on.
    throw new CredentialsError(
      `credentials file ${file} is not valid JSON: write it like ${EXAMPLE}`,
      file,
      'ERR_CREDENTIALS_MALFORMED',
    );
  }
  return validateCredentials(value, file);
}

/** Checks the shape of credentials (from a file or an object); returns a copy. */
export function validateCredentials(value: unknown, file?: string): ValidCredentials {
  const where = file === undefined ? 'credentials' : `credentials file ${file}`;
  const bad = (what: string): CredentialsError =>
    new CredentialsError(
      `${where}: ${what}; expected JSON like ${EXAMPLE}`,
      file,
      'ERR_CREDENTIALS_MALFORMED',
    );
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad('not a JSON object');
  const { smtp, from, to, allowUnencryptedAuth } = value as Record<string, unknown>;
  let plainAuth: boolean;
  try {
    plainAuth = checkBoolean('"allowUnencryptedAuth"', allowUnencryptedAuth, false);
  } catch {
    throw bad('"allowUnencryptedAuth" must be true or false');
  }
  if (typeof smtp === 'string') {
    let url: URL;
    try {
      url = new URL(smtp);
    } catch {
      throw bad('"smtp" is not a valid URL');
    }
    if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') {
      throw bad(`"smtp" must start with smtp:// or smtps://, not ${url.protocol}//`);
    }
  } else if (typeof smtp !== 'object' || smtp === null || Array.isArray(smtp)) {
    throw bad('"smtp" is missing (a URL string or nodemailer SMTP options)');
  }
  if (typeof from !== 'string' || !from.includes('@'))
    throw bad('"from" is missing or not an e-mail address');
  const recipients = typeof to === 'string' ? [to] : to;
  if (
    !Array.isArray(recipients) ||
    recipients.length === 0 ||
    !recipients.every((r) => typeof r === 'string' && r.includes('@'))
  ) {
    throw bad('"to" must be an e-mail address or a non-empty list of them');
  }
  return {
    smtp: typeof smtp === 'string' ? smtp : { ...smtp },
    from,
    to: [...(recipients as string[])],
    allowUnencryptedAuth: plainAuth,
  };
}

function kindOf(stats: Stats): string {
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isDirectory()) return 'a directory';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  return 'not a file';
}

/** The SMTP endpoint with the secret masked, for logs: `smtps://robot@smtp.example.org:465`. */
export function describeSmtp(smtp: Credentials['smtp']): string {
  if (typeof smtp === 'string') {
    try {
      const url = new URL(smtp);
      return `${url.protocol}//${url.username ? `${decodeURIComponent(url.username)}@` : ''}${url.host}`;
    } catch {
      return '(invalid smtp URL)';
    }
  }
  const host = typeof smtp.host === 'string' ? smtp.host : 'localhost';
  const port = typeof smtp.port === 'number' ? `:${smtp.port}` : '';
  const auth = smtp.auth as { user?: unknown } | undefined;
  const user = auth && typeof auth.user === 'string' ? `${auth.user}@` : '';
  return `smtp://${user}${host}${port}`;
}
