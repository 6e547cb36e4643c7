// A condition of the SMTP server as a whole (login refused, TLS failed, unreachable): logged
// once when it begins or changes, with what to do, and once when mail goes through again,
// never once per attempt of every mail.
import type { SmtpFailure } from './smtp-reply.js';

/** The server-wide condition the mailer last saw, and its log lines. */
export class SmtpCondition {
  private current: { text: string; failures: number } | null = null;

  constructor(private readonly log: (line: string) => void) {}

  /** An attempt failed: a login, TLS or network failure begins or continues a condition. */
  failed(failure: SmtpFailure): void {
    // Refusals of one mail (too big, 5xx) and 4xx replies say nothing of the server as a whole.
    if (failure.kind === 'too-big' || failure.kind === 'permanent') return;
    if (failure.kind === 'transient' && !/^E(CONNECTION|SOCKET|TIMEDOUT|DNS)\b/.test(failure.summary)) return;
    const text =
      failure.kind === 'auth'
        ? `login refused: ${failure.summary}`
        : failure.kind === 'tls'
          ? `TLS failed: ${failure.summary}`
          : `unreachable: ${failure.summary}`;
    if (this.current === null || this.current.text !== text) {
      const hint =
        failure.kind === 'auth'
          ? '; check the user and password in the credentials file (mails are kept)'
          : failure.kind === 'tls'
            ? '; the server must offer STARTTLS before a login over smtp:// (or set "allowUnencryptedAuth": true for a trusted local relay); mails are kept'
            : '';
      this.log(`smtp problem: ${text}${hint}`);
      this.current = { text, failures: 0 };
    }
    this.current.failures++;
  }

  /** A mail was accepted: a condition, if any, is over. */
  ok(): void {
    if (this.current === null) return;
    this.log(`smtp ok again after ${this.current.failures} failed attempt(s) (${this.current.text})`);
    this.current = null;
  }
}
