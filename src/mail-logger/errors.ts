import { RaspimonError } from '../errors.js';

/**
 * The daemon's credentials file is missing, readable by group/others, or malformed.
 * The message names the file and the fix; it never contains a secret.
 *
 * @example
 * ```ts
 * try {
 *   await MailLoggerServer.start({ credentials: '/etc/mail_credentials' });
 * } catch (e) {
 *   if (e instanceof CredentialsError) console.error(e.message); // "... run: chmod 600 ..."
 * }
 * ```
 */
export class CredentialsError extends RaspimonError {
  /** The credentials file concerned, when it came from a file. */
  readonly path: string | undefined;

  constructor(message: string, path?: string, code = 'ERR_CREDENTIALS') {
    super(code, message);
    this.path = path;
  }
}

/**
 * The daemon could not start: its state directory or its socket could not be used
 * (e.g. another daemon already listens there). The message says which and what to do.
 */
export class MailLoggerError extends RaspimonError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
