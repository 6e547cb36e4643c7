import { randomUUID } from 'node:crypto';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { RaspimonRangeError, RaspimonTypeError } from '../errors.js';
import { RecordBuffer, type BufferedRecord } from './buffer.js';
import { MailLoggerError } from './errors.js';
import { defaultSchedules, isLevel, isSchedule, Level, Schedule } from './levels.js';
import {
  defaultTransport,
  LineSplitter,
  parseServerFrame,
  parseTransport,
  serializeDrop,
  serializeHello,
  serializeRecord,
  type Endpoint,
} from './protocol.js';

/** Options of {@link MailLoggerClient.open}. */
export interface MailLoggerClientOptions {
  /**
   * Who is logging, shown in mails, e.g. the device namespace from `getDeviceNamespace()`.
   * @default `${os.hostname()}/${program file name}`
   */
  source?: string;
  /**
   * Records kept while the daemon is unreachable or has not acknowledged them yet; beyond
   * this the least severe (oldest first) are dropped and their count is mailed.
   * @default 10000
   */
  maxBufferedRecords?: number;
}

/** Counters of one client, for health checks and tests. */
export interface MailLoggerClientStats {
  /** Records waiting for the daemon's acknowledgement. */
  buffered: number;
  /** Records dropped because the buffer was full. */
  dropped: number;
  /** Records not sent because their level's schedule is SILENTLY. */
  silenced: number;
  /** Whether a connection to the daemon is up. */
  connected: boolean;
}

/** Options of {@link MailLoggerClient.flush}. */
export interface MailLoggerFlushOptions {
  /**
   * Give up waiting after this many seconds, rejecting with `ERR_FLUSH_TIMEOUT`; the
   * records stay buffered and are sent when the daemon is reachable again.
   * @default undefined (wait until the daemon acknowledges, however long that takes)
   */
  timeoutSeconds?: number;
}

interface FlushWaiter {
  seq: number;
  resolve: () => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout | undefined;
}

/** The flush timeout in ms (undefined: none); throws for a bad value, at the call. */
function flushTimeoutMs(options: MailLoggerFlushOptions): number | undefined {
  if (typeof options !== 'object' || options === null) {
    throw new RaspimonTypeError(
      'ERR_INVALID_ARG_TYPE',
      `flush() takes an options object, got ${options === null ? 'null' : typeof options}`,
    );
  }
  const seconds = options.timeoutSeconds;
  if (seconds === undefined) return undefined;
  if (typeof seconds !== 'number') {
    throw new RaspimonTypeError(
      'ERR_INVALID_ARG_TYPE',
      `option timeoutSeconds must be a number, got ${typeof seconds === 'string' ? `${JSON.stringify(seconds)} (string)` : typeof seconds}`,
    );
  }
  if (Number.isNaN(seconds) || seconds < 0) {
    throw new RaspimonRangeError(
      'ERR_OUT_OF_RANGE',
      `option timeoutSeconds must be a number of seconds ≥ 0, got ${seconds}`,
    );
  }
  // setTimeout cannot wait longer than 2^31 - 1 ms (about 24.8 days): beyond that, no timeout.
  const ms = seconds * 1000;
  return ms > 2 ** 31 - 1 ? undefined : ms;
}

// Kept small enough that a frame always stays under the daemon's 64 KiB limit, even if
// every character needs a 6-byte JSON escape.
const MAX_MESSAGE_CHARS = 8000;
const MAX_CONTEXT_CHARS = 4000;
const RECONNECT_MIN_MS = 100;
const RECONNECT_MAX_MS = 2000;

function stringifyContext(context: object): string {
  try {
    const json = JSON.stringify(context);
    if (json === undefined) return '{}';
    const object = json.startsWith('{') ? json : `{"value":${json}}`;
    return object.length <= MAX_CONTEXT_CHARS
      ? object
      : JSON.stringify({ truncated: object.slice(0, MAX_CONTEXT_CHARS / 2) });
  } catch (error) {
    return JSON.stringify({ unserializable: error instanceof Error ? error.message : String(error) });
  }
}

function defaultSource(): string {
  const program = process.argv[1] === undefined ? 'node' : path.basename(process.argv[1]);
  return `${os.hostname()}/${program}`;
}

/**
 * Client of the mail-logger daemon. Log calls never throw and never block: records are
 * queued, written in batches on a later tick, and kept until the daemon acknowledges
 * them as durable (resent after a reconnect, deduplicated by the daemon).
 *
 * @example
 * ```ts
 * const logger = MailLoggerClient.open(); // $RASPIMON_MAIL_LOGGER or unix:///run/raspimon/mail-logger.sock
 * logger.config(logger.levels.INFO, logger.schedule.DAILY);
 * logger.alert('Something very bad happened.', { sensor: 3 });
 * await logger.flush();
 * await logger.close();
 * ```
 */
export class MailLoggerClient {
  /** The levels, as `logger.levels.INFO` (seed). Same object as the exported `Level`. */
  readonly levels = Level;
  /** The schedules, as `logger.schedule.DAILY` (seed). Same object as the exported `Schedule`. */
  readonly schedule = Schedule;

  private readonly endpoint: Endpoint;
  private readonly session = randomUUID();
  private readonly source: string;
  private readonly schedules = defaultSchedules();
  private readonly buffer: RecordBuffer;
  private seq = 0;
  private socket: net.Socket | null = null;
  private ready = false;
  private closed = false;
  private writeScheduled = false;
  private draining = false;
  private outgoing: BufferedRecord[] = [];
  private unreportedDrops = 0;
  private droppedTotal = 0;
  private silenced = 0;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private reconnectDelayMs = RECONNECT_MIN_MS;
  private waiters: FlushWaiter[] = [];

  private constructor(transport: string, options: MailLoggerClientOptions) {
    this.endpoint = parseTransport(transport);
    const max = options.maxBufferedRecords ?? 10_000;
    if (!Number.isSafeInteger(max) || max < 1) {
      throw new RaspimonRangeError(
        'ERR_OUT_OF_RANGE',
        `option maxBufferedRecords must be a positive integer, got ${String(max)} (${typeof max})`,
      );
    }
    if (options.source !== undefined && typeof options.source !== 'string') {
      throw new RaspimonTypeError(
        'ERR_INVALID_ARG_TYPE',
        `option source must be a string, got ${typeof options.source}`,
      );
    }
    this.buffer = new RecordBuffer(max);
    this.source = (options.source ?? defaultSource()).slice(0, 200);
  }

  /**
   * Opens a client (synchronously; it connects on first use). Without a transport it uses
   * `$RASPIMON_MAIL_LOGGER` or `unix:///run/raspimon/mail-logger.sock`; `tcp://host:port`
   * works too. Throws {@link RaspimonRangeError} for a malformed transport.
   */
  static open(transport?: string, options: MailLoggerClientOptions = {}): MailLoggerClient {
    return new MailLoggerClient(transport ?? defaultTransport(), options);
  }

  /**
   * Chooses when records of `level` are mailed (for this client only; the schedule travels
   * with each record). Throws {@link RaspimonRangeError} for an unknown level or schedule.
   */
  config(level: Level, schedule: Schedule): void {
    if (!isLevel(level)) {
      throw new RaspimonRangeError(
        'ERR_INVALID_LEVEL',
        `unknown level ${JSON.stringify(level)}: use one of logger.levels.*`,
      );
    }
    if (!isSchedule(schedule)) {
      throw new RaspimonRangeError(
        'ERR_INVALID_SCHEDULE',
        `unknown schedule ${JSON.stringify(schedule)}: use one of logger.schedule.*`,
      );
    }
    this.schedules[level] = schedule;
  }

  /** Traces; silent by default. */
  debug(message: string, context?: object): void {
    this.log('DEBUG', message, context);
  }

  /** Information of any kind; daily digest by default. */
  info(message: string, context?: object): void {
    this.log('INFO', message, context);
  }

  /** Careful; mailed at once by default. */
  warning(message: string, context?: object): void {
    this.log('WARNING', message, context);
  }

  /** Something bad but recoverable; mailed at once by default. */
  error(message: string, context?: object): void {
    this.log('ERROR', message, context);
  }

  /** Something very bad happened; mailed at once by default. */
  alert(message: string, context?: object): void {
    this.log('ALERT', message, context);
  }

  /** Counters: buffered, dropped, silenced, connected. */
  stats(): MailLoggerClientStats {
    return {
      buffered: this.buffer.size,
      dropped: this.droppedTotal,
      silenced: this.silenced,
      connected: this.ready,
    };
  }

  /**
   * Resolves once every record logged so far is acknowledged by the daemon (durable) or was
   * dropped by a full buffer. Rejects with `ERR_LOGGER_CLOSED` if the client is closed first,
   * and with `ERR_FLUSH_TIMEOUT` if `timeoutSeconds` pass first (the records stay buffered
   * and are sent when the daemon is reachable again).
   *
   * @example
   * ```ts
   * try {
   *   await logger.flush({ timeoutSeconds: 5 });
   * } catch (e) {
   *   if (e instanceof MailLoggerError && e.code === 'ERR_FLUSH_TIMEOUT') console.error(e.message);
   * }
   * ```
   */
  flush(options: MailLoggerFlushOptions = {}): Promise<void> {
    const timeoutMs = flushTimeoutMs(options);
    const seq = this.seq;
    if (this.buffer.lowestSeq() > seq) return Promise.resolve();
    if (this.closed) return Promise.reject(this.closedError());
    return new Promise((resolve, reject) => {
      const waiter: FlushWaiter = { seq, resolve, reject, timer: undefined };
      if (timeoutMs !== undefined) {
        waiter.timer = setTimeout(() => this.timeOut(waiter, timeoutMs), timeoutMs);
      }
      this.waiters.push(waiter);
      this.connect();
      this.reconnectTimer?.ref();
    });
  }

  /**
   * Waits up to `timeoutSeconds` for the buffer to be acknowledged, then closes the
   * connection. Records logged after `close()` are ignored.
   */
  async close(options: { timeoutSeconds?: number } = {}): Promise<void> {
    if (this.closed) return;
    const timeoutMs = (options.timeoutSeconds ?? 5) * 1000;
    if (this.buffer.lowestSeq() <= this.seq) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        this.flush().catch(() => undefined),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, timeoutMs);
        }),
      ]);
      clearTimeout(timer);
    }
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    this.socket?.destroy();
    this.socket = null;
    this.ready = false;
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) {
      clearTimeout(waiter.timer);
      waiter.reject(this.closedError());
    }
  }

  private timeOut(waiter: FlushWaiter, timeoutMs: number): void {
    const index = this.waiters.indexOf(waiter);
    if (index === -1) return;
    this.waiters.splice(index, 1);
    // Nobody waits any more: reconnecting goes on in the background without holding the process.
    if (this.waiters.length === 0) this.reconnectTimer?.unref();
    waiter.reject(
      new MailLoggerError(
        'ERR_FLUSH_TIMEOUT',
        `${this.buffer.size} record(s) still unacknowledged after ${timeoutMs / 1000} s: the daemon at ${this.describe()} is not answering (is raspimon-mail-logger running?); they stay buffered and are sent when it is reachable again`,
      ),
    );
  }

  private closedError(): MailLoggerError {
    return new MailLoggerError(
      'ERR_LOGGER_CLOSED',
      `the mail logger was closed before ${this.buffer.size} record(s) reached the daemon at ${this.describe()}`,
    );
  }

  private describe(): string {
    return this.endpoint.kind === 'unix' ? this.endpoint.path : `${this.endpoint.host}:${this.endpoint.port}`;
  }

  // The hot path: no I/O, no serialisation of the message, one small object.
  private log(level: Level, message: string, context: object | undefined): void {
    try {
      if (this.closed) return;
      const schedule = this.schedules[level];
      if (schedule === 'SILENTLY') {
        this.silenced++;
        return;
      }
      let msg = typeof message === 'string' ? message : String(message);
      if (msg.length > MAX_MESSAGE_CHARS) msg = `${msg.slice(0, MAX_MESSAGE_CHARS)}… (truncated)`;
      const record: BufferedRecord = {
        seq: ++this.seq,
        time: Date.now(),
        level,
        schedule,
        msg,
        ctxJson: context === undefined || context === null ? undefined : stringifyContext(context),
        dropCount: undefined,
        evicted: false,
      };
      if (this.buffer.push(record) > 0) {
        this.unreportedDrops++;
        this.droppedTotal++;
        if (this.waiters.length > 0) this.settleWaiters();
      }
      if (this.ready) {
        this.outgoing.push(record);
        this.scheduleWrite();
      } else {
        this.connect();
      }
    } catch {
      // A log call never throws (DESIGN §3).
    }
  }

  private scheduleWrite(): void {
    if (this.writeScheduled || this.draining) return;
    this.writeScheduled = true;
    setImmediate(this.writeOut);
  }

  private readonly writeOut = (): void => {
    this.writeScheduled = false;
    const socket = this.socket;
    if (!this.ready || socket === null) return;
    const batch = this.outgoing;
    this.outgoing = [];
    let text = '';
    for (const r of batch) {
      if (r.evicted) continue;
      text +=
        r.dropCount === undefined
          ? serializeRecord(r.seq, r.time, r.level, r.schedule, r.msg, r.ctxJson)
          : serializeDrop(r.seq, r.time, r.dropCount);
    }
    if (this.unreportedDrops > 0) {
      const notice = this.dropNotice(this.unreportedDrops);
      this.unreportedDrops = 0;
      text += serializeDrop(notice.seq, notice.time, notice.dropCount ?? 0);
    }
    if (text.length === 0) return;
    socket.ref();
    if (!socket.write(text)) {
      this.draining = true;
      socket.once('drain', () => {
        this.draining = false;
        if (this.outgoing.length > 0) this.scheduleWrite();
      });
    }
  };

  private dropNotice(count: number): BufferedRecord {
    const notice: BufferedRecord = {
      seq: ++this.seq,
      time: Date.now(),
      level: 'WARNING',
      schedule: 'INSTANTANEOUSLY',
      msg: '',
      ctxJson: undefined,
      dropCount: count,
      evicted: false,
    };
    this.buffer.pushNotice(notice);
    return notice;
  }

  private connect(): void {
    if (this.socket !== null || this.reconnectTimer !== null || this.closed) return;
    const socket =
      this.endpoint.kind === 'unix'
        ? net.connect({ path: this.endpoint.path })
        : net.connect({ host: this.endpoint.host, port: this.endpoint.port });
    this.socket = socket;
    const splitter = new LineSplitter(
      1 << 16,
      (bytes, start, end) => this.onServerLine(bytes.toString('utf8', start, end)),
      () => undefined,
    );
    socket.on('connect', () => {
      socket.write(serializeHello(this.session, this.source, process.pid));
    });
    socket.on('data', (chunk: Buffer) => splitter.push(chunk));
    socket.on('error', () => undefined); // 'close' follows; the buffer keeps the records.
    socket.on('close', () => this.onDisconnect(socket));
  }

  private onServerLine(line: string): void {
    const frame = parseServerFrame(line);
    if (frame === null) return;
    if (frame.t === 'welcome') {
      this.buffer.ack(frame.acked);
      this.ready = true;
      this.reconnectDelayMs = RECONNECT_MIN_MS;
      this.outgoing = this.buffer.all();
      this.settleWaiters();
      this.scheduleWrite();
    } else if (frame.t === 'ack') {
      this.buffer.ack(frame.seq);
      this.settleWaiters();
    }
    // A nack means the daemon rejected that frame for good; the next ack covers its seq.
  }

  private settleWaiters(): void {
    const lowest = this.buffer.lowestSeq();
    if (lowest === Infinity && this.unreportedDrops === 0) this.socket?.unref();
    if (this.waiters.length === 0) return;
    const still: typeof this.waiters = [];
    for (const waiter of this.waiters) {
      if (waiter.seq < lowest) {
        clearTimeout(waiter.timer);
        waiter.resolve();
      } else still.push(waiter);
    }
    this.waiters = still;
  }

  private onDisconnect(socket: net.Socket): void {
    if (this.socket !== socket) return;
    this.socket = null;
    this.ready = false;
    this.draining = false;
    this.outgoing = [];
    if (this.closed) return;
    const delay = this.reconnectDelayMs;
    this.reconnectDelayMs = Math.min(RECONNECT_MAX_MS, this.reconnectDelayMs * 2);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (this.buffer.lowestSeq() !== Infinity || this.waiters.length > 0) this.connect();
    }, delay);
    // An idle logger must not keep the process alive; one awaiting flush() should.
    if (this.waiters.length === 0) this.reconnectTimer.unref();
  }
}
