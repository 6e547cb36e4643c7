// The writable stream pino's worker thread writes NDJSON into: each line becomes a
// MailLoggerClient call; ending the stream flushes and closes the client.
import { StringDecoder } from 'node:string_decoder';
import { Writable } from 'node:stream';
import { RaspimonRangeError, RaspimonTypeError } from '../errors.js';
import { Level, MailLoggerClient, Schedule } from '../mail-logger/index.js';
import { parseLine, type MailRecord } from './record.js';

/** Options of the `raspimon/pino` transport (pino's `transport.options`). Plain data: they cross into pino's worker thread. */
export interface PinoTransportOptions {
  /**
   * Where the mail-logger daemon listens: `unix:///path.sock` or `tcp://host:port`.
   * @default $RASPIMON_MAIL_LOGGER or 'unix:///run/raspimon/mail-logger.sock'
   */
  transport?: string;
  /**
   * Who is logging, shown in mails (e.g. the device namespace).
   * @default `${hostname}/${program file name}`
   */
  source?: string;
  /**
   * Pino level (label, or number as a string for custom levels) → mail-logger level,
   * merged over the defaults (trace/debug → DEBUG, info → INFO, warn → WARNING,
   * error → ERROR, fatal → ALERT).
   * @default {}
   */
  levels?: Readonly<Record<string, Level>>;
  /**
   * When the daemon mails each level, as `logger.config(level, schedule)`.
   * @default the mail logger's (DEBUG silent, INFO daily, WARNING/ERROR/ALERT at once)
   */
  schedules?: Readonly<Partial<Record<Level, Schedule>>>;
  /**
   * The key pino writes the message under (pino's own `messageKey` option).
   * @default 'msg'
   */
  messageKey?: string;
  /**
   * How long the end of the stream (the app exiting) and `logger.flush()` wait for the
   * daemon to acknowledge what is buffered, in seconds. Pino itself gives up after 10.
   * @default 5
   */
  closeTimeoutSeconds?: number;
  /**
   * Records kept while the daemon is unreachable.
   * @default 10000
   */
  maxBufferedRecords?: number;
}

function checkOptions(options: PinoTransportOptions): void {
  if (typeof options !== 'object' || options === null) {
    throw new RaspimonTypeError(
      'ERR_INVALID_ARG_TYPE',
      `raspimon/pino options must be an object, got ${String(options)}`,
    );
  }
  for (const [name, level] of Object.entries(options.levels ?? {})) {
    if (!Object.values(Level).includes(level)) {
      throw new RaspimonRangeError(
        'ERR_OUT_OF_RANGE',
        `raspimon/pino options.levels.${name} must be one of ${Object.values(Level).join(', ')}, got ${JSON.stringify(level)}`,
      );
    }
  }
  for (const [level, schedule] of Object.entries(options.schedules ?? {})) {
    if (!Object.values(Level).includes(level as Level) || !Object.values(Schedule).includes(schedule)) {
      throw new RaspimonRangeError(
        'ERR_OUT_OF_RANGE',
        `raspimon/pino options.schedules must map a level (${Object.values(Level).join(', ')}) to a schedule (${Object.values(Schedule).join(', ')}), got ${level}: ${JSON.stringify(schedule)}`,
      );
    }
  }
  const timeout = options.closeTimeoutSeconds;
  if (
    timeout !== undefined &&
    (typeof timeout !== 'number' || !(timeout >= 0) || !Number.isFinite(timeout))
  ) {
    throw new RaspimonRangeError(
      'ERR_OUT_OF_RANGE',
      `raspimon/pino options.closeTimeoutSeconds must be a number of seconds ≥ 0, got ${String(timeout)}`,
    );
  }
}

/** The stream; `flush()` is what pino's worker calls for `logger.flush()`. */
class MailLoggerStream extends Writable {
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';

  constructor(
    private readonly client: MailLoggerClient,
    private readonly levels: Readonly<Record<string, Level>>,
    private readonly messageKey: string,
    private readonly timeoutSeconds: number,
  ) {
    super({ decodeStrings: false });
  }

  override _write(
    chunk: string | Buffer,
    _encoding: BufferEncoding,
    callback: (error?: Error | null) => void,
  ): void {
    this.pending += typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    const lines = this.pending.split('\n');
    this.pending = lines.pop() ?? '';
    for (const line of lines) this.send(parseLine(line, this.levels, this.messageKey));
    callback();
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.send(parseLine(this.pending + this.decoder.end(), this.levels, this.messageKey));
    this.pending = '';
    this.client.close({ timeoutSeconds: this.timeoutSeconds }).then(
      () => callback(),
      (error: unknown) => callback(error as Error),
    );
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.client.close({ timeoutSeconds: 0 }).then(
      () => callback(error),
      () => callback(error),
    );
  }

  /** Resolves once the daemon acknowledged every record so far, or after the timeout. */
  async flush(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.client.flush().catch(() => undefined),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, this.timeoutSeconds * 1000);
      }),
    ]);
    clearTimeout(timer);
  }

  private send(record: MailRecord | undefined): void {
    if (!record) return;
    const method = record.level.toLowerCase() as Lowercase<Level>;
    this.client[method](record.message, record.context);
  }
}

/**
 * Creates the stream pino writes into: every line is forwarded to the mail-logger daemon
 * through a MailLoggerClient (instant mails and digests by level). Pino calls this in its
 * worker thread when `target: 'raspimon/pino'`; call it yourself to use it as a plain
 * destination, `pino(createPinoTransport(options))`.
 *
 * @example
 * ```ts
 * import pino from 'pino';
 * const logger = pino(pino.transport({
 *   target: 'raspimon/pino',
 *   options: { source: 'boiler-pi', levels: { info: 'WARNING' } },
 * }));
 * logger.error({ sensor: 3 }, 'boiler probe unplugged'); // mailed at once
 * ```
 */
export function createPinoTransport(options: PinoTransportOptions = {}): Writable & {
  /** Resolves once the daemon acknowledged every record so far, or after `closeTimeoutSeconds`. */
  flush(): Promise<void>;
} {
  checkOptions(options);
  const clientOptions: { source?: string; maxBufferedRecords?: number } = {};
  if (options.source !== undefined) clientOptions.source = options.source;
  if (options.maxBufferedRecords !== undefined) clientOptions.maxBufferedRecords = options.maxBufferedRecords;
  const client = MailLoggerClient.open(options.transport, clientOptions);
  for (const [level, schedule] of Object.entries(options.schedules ?? {}))
    client.config(level as Level, schedule);
  return new MailLoggerStream(
    client,
    { ...options.levels },
    options.messageKey ?? 'msg',
    options.closeTimeoutSeconds ?? 5,
  );
}
