// A real SMTP server (smtp-server) on a free loopback port that parses what it receives
// with mailparser; knobs make it reject with 4xx, require auth, go down and come back.
import { simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { freePort } from './free-port.js';

export interface SinkMessage {
  subject: string;
  text: string;
  html: string;
  from: string;
  to: string;
  messageId: string;
  /** Every header, lower-cased names, as mailparser gives them. */
  headers: Map<string, unknown>;
  /** Date.now() when the DATA command began. */
  dataAt: number;
}

export interface SmtpSinkOptions {
  /** Require AUTH with these credentials (a wrong password gets 535). */
  auth?: { user: string; pass: string };
  /** Fixed port (default: a free one). */
  port?: number;
}

export class SmtpSink {
  readonly messages: SinkMessage[] = [];
  /** Connections accepted since start (to check pooling). */
  connections = 0;
  private server: SMTPServer | null = null;
  private rejection: { code: number; message: string } | null = null;
  private waiters: Array<() => void> = [];

  private constructor(
    readonly port: number,
    private readonly options: SmtpSinkOptions,
  ) {}

  static async start(options: SmtpSinkOptions = {}): Promise<SmtpSink> {
    const sink = new SmtpSink(options.port ?? (await freePort()), options);
    await sink.up();
    return sink;
  }

  /** `smtp://127.0.0.1:port` (with the auth user/password when one is required). */
  get url(): string {
    const auth = this.options.auth;
    return auth
      ? `smtp://${encodeURIComponent(auth.user)}:${encodeURIComponent(auth.pass)}@127.0.0.1:${this.port}`
      : `smtp://127.0.0.1:${this.port}`;
  }

  /** Makes MAIL FROM fail with `code` (e.g. 451) until called with null. */
  rejectWith(code: number | null, message = 'Try again later'): void {
    this.rejection = code === null ? null : { code, message };
  }

  /** Stops listening and drops every connection, as a crashed server would. */
  async down(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Listens again on the same port. */
  async up(): Promise<void> {
    if (this.server) return;
    const auth = this.options.auth;
    const options: SMTPServerOptions = {
      logger: false,
      disabledCommands: auth ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
      allowInsecureAuth: true,
      authOptional: !auth,
      closeTimeout: 50,
      size: 10 * 1024 * 1024,
      onConnect: (_session, callback) => {
        this.connections++;
        callback();
      },
      onAuth: (a, _session, callback) => {
        if (auth && a.username === auth.user && a.password === auth.pass)
          callback(null, { user: a.username });
        else callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
      },
      onMailFrom: (_address, _session, callback) => {
        const r = this.rejection;
        if (r) callback(Object.assign(new Error(r.message), { responseCode: r.code }));
        else callback();
      },
      onData: (stream, _session, callback) => {
        const dataAt = Date.now();
        simpleParser(stream).then(
          (parsed) => {
            this.messages.push({
              subject: parsed.subject ?? '',
              text: parsed.text ?? '',
              html: typeof parsed.html === 'string' ? parsed.html : '',
              from: parsed.from?.text ?? '',
              to: Array.isArray(parsed.to)
                ? parsed.to.map((t) => t.text).join(', ')
                : (parsed.to?.text ?? ''),
              messageId: parsed.messageId ?? '',
              headers: parsed.headers,
              dataAt,
            });
            callback();
            const waiters = this.waiters;
            this.waiters = [];
            for (const w of waiters) w();
          },
          (error: Error) => callback(error),
        );
      },
    };
    const server = new SMTPServer(options);
    server.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.server = server;
  }

  /** Resolves once at least `count` messages arrived; rejects after `timeoutMs`. */
  async waitFor(count: number, timeoutMs = 10_000): Promise<SinkMessage[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.messages.length < count) {
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`SMTP sink: ${this.messages.length} of ${count} messages after ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 200));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.messages;
  }

  async close(): Promise<void> {
    await this.down();
  }
}
