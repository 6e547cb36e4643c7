// A real SMTP server (smtp-server) on a free loopback port that parses what it receives
// with mailparser; knobs make it reject with 4xx/5xx (at MAIL FROM or after DATA), refuse
// big mails with 552 (with or without announcing SIZE), hang in DATA, require auth, offer
// STARTTLS or not, go down and come back.
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
  /** Bytes of the message as received (headers and encoded parts). */
  bytes: number;
  /** Attachments, decoded (e.g. a digest's `.txt.gz`). */
  attachments: Array<{ filename: string; contentType: string; content: Buffer }>;
}

/** A refusal after DATA for the mails `match` selects. */
export interface DataRefusal {
  code: number;
  message: string;
  /** Which mails, by their raw text (default: every one). */
  match?: (raw: string) => boolean;
}

export interface SmtpSinkOptions {
  /** Require AUTH with these credentials (a wrong password gets 535). */
  auth?: { user: string; pass: string };
  /** Fixed port (default: a free one). */
  port?: number;
  /** Announce `SIZE n` in EHLO and refuse bigger mails with 552 5.3.4. @default 10 MiB */
  size?: number;
  /** Offer STARTTLS (with smtp-server's built-in self-signed certificate). @default false */
  starttls?: boolean;
}

export class SmtpSink {
  readonly messages: SinkMessage[] = [];
  /** Connections accepted since start (to check pooling). */
  connections = 0;
  private server: SMTPServer | null = null;
  private rejection: { code: number; message: string } | null = null;
  private waiters: Array<() => void> = [];
  private dataRefusal: DataRefusal | null = null;
  private hiddenLimit = Infinity;
  private hangs = 0;
  private hung: Array<() => void> = [];
  /** AUTH attempts, and whether each came over TLS. */
  readonly auths: Array<{ user: string; secure: boolean }> = [];
  /** Mails refused (by any knob), with the reply code. */
  readonly refused: Array<{ code: number; bytes: number }> = [];

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

  /** Refuses mails after DATA (e.g. 550, 554, 452) until called with null. */
  refuseData(refusal: DataRefusal | null): void {
    this.dataRefusal = refusal;
  }

  /** Refuses mails over `bytes` with 552 without announcing it in EHLO (Infinity: off). */
  refuseOver(bytes: number): void {
    this.hiddenLimit = bytes;
  }

  /** The next `count` mails hang after DATA: no reply until {@link SmtpSink.release}. */
  hangNext(count: number): void {
    this.hangs = count;
  }

  /** Mails hanging in DATA now. */
  get hanging(): number {
    return this.hung.length;
  }

  /** Answers every hanging mail (with 451, so a client that gave up on it resends it). */
  release(): void {
    this.hangs = 0;
    for (const answer of this.hung.splice(0)) answer();
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
      disabledCommands: [...(this.options.starttls ? [] : ['STARTTLS']), ...(auth ? [] : ['AUTH'])],
      allowInsecureAuth: true,
      authOptional: !auth,
      closeTimeout: 50,
      size: this.options.size ?? 10 * 1024 * 1024,
      onConnect: (_session, callback) => {
        this.connections++;
        callback();
      },
      onAuth: (a, session, callback) => {
        this.auths.push({ user: a.username ?? '', secure: session.secure });
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
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks);
          const refuse = (code: number, message: string): void => {
            this.refused.push({ code, bytes: raw.length });
            callback(Object.assign(new Error(message), { responseCode: code }));
          };
          if ((stream as unknown as { sizeExceeded?: boolean }).sizeExceeded)
            return refuse(552, '5.3.4 Message exceeds fixed maximum message size');
          if (raw.length > this.hiddenLimit) return refuse(552, '5.3.4 Message too big for system');
          const refusal = this.dataRefusal;
          if (refusal && (refusal.match?.(raw.toString('utf8')) ?? true))
            return refuse(refusal.code, refusal.message);
          if (this.hangs > 0) {
            this.hangs--;
            this.hung.push(() => refuse(451, '4.4.2 Timeout, try again'));
            return;
          }
          simpleParser(raw).then(
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
                bytes: raw.length,
                attachments: parsed.attachments.map((a) => ({
                  filename: a.filename ?? '',
                  contentType: a.contentType,
                  content: a.content,
                })),
              });
              callback();
              const waiters = this.waiters;
              this.waiters = [];
              for (const w of waiters) w();
            },
            (error: Error) => callback(error),
          );
        });
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
    this.release();
    await this.down();
  }
}
