import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { RaspimonRangeError } from '../../errors.js';
import { Backoff, within } from '../../internal/index.js';
import { RecordBuffer, type BufferedRecord } from './buffer.js';
import { UndeliveredTee } from './tee.js';
import {
  MAX_MESSAGE_CHARS,
  resolveClientOptions,
  stringifyContext,
  timeoutMs,
  type MailLoggerClientOptions,
  type MailLoggerClientStats,
  type MailLoggerCloseOptions,
  type MailLoggerFlushOptions,
  type ResolvedClientOptions,
} from './options.js';
import { MailLoggerError } from '../errors.js';
import { defaultSchedules, isLevel, isSchedule, Level, Schedule } from '../levels.js';
import {
  defaultTransport,
  LineSplitter,
  parseServerFrame,
  parseTransport,
  serializeDrop,
  serializeHello,
  serializeRecord,
  type Endpoint,
} from '../protocol.js';

const RECONNECT = { minSeconds: 0.1, maxSeconds: 2 };

interface FlushWaiter {
  seq: number;
  resolve: () => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout | undefined;
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
  private readonly options: ResolvedClientOptions;
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
  private readonly backoff = new Backoff(RECONNECT);
  private waiters: FlushWaiter[] = [];
  private readonly tee: UndeliveredTee;

  private constructor(transport: string, options: MailLoggerClientOptions) {
    this.endpoint = parseTransport(transport);
    this.options = resolveClientOptions(options);
    this.buffer = new RecordBuffer(this.options.maxBufferedRecords);
    this.tee = new UndeliveredTee(this.options.tee, () => this.describe());
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
    const ms = timeoutMs('flush()', options);
    const seq = this.seq;
    if (this.buffer.lowestSeq() > seq) return Promise.resolve();
    if (this.closed) return Promise.reject(this.closedError());
    return new Promise((resolve, reject) => {
      const waiter: FlushWaiter = { seq, resolve, reject, timer: undefined };
      if (ms !== undefined) waiter.timer = setTimeout(() => this.timeOut(waiter, ms), ms);
      this.waiters.push(waiter);
      this.connect();
      this.reconnectTimer?.ref();
    });
  }

  /**
   * Waits up to `timeoutSeconds` for the buffer to be acknowledged, then closes the
   * connection. Records logged after `close()` are ignored.
   */
  async close(options: MailLoggerCloseOptions = {}): Promise<void> {
    const ms = timeoutMs('close()', options, 5);
    if (this.closed) return;
    if (this.buffer.lowestSeq() <= this.seq) await within(this.flush(), ms ?? 2 ** 31 - 1);
    this.closed = true;
    this.tee.closed(this.buffer.size);
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
        time: this.options.now(),
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
        this.tee.record(record);
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
      time: this.options.now(),
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
      socket.write(serializeHello(this.session, this.options.source, process.pid));
    });
    socket.on('data', (chunk: Buffer) => splitter.push(chunk));
    let failure = 'closed before welcome';
    socket.on('error', (error: NodeJS.ErrnoException) => (failure = error.code ?? error.message)); // 'close' follows
    socket.on('close', () => this.onDisconnect(socket, failure));
  }

  private onServerLine(line: string): void {
    const frame = parseServerFrame(line);
    if (frame === null) return;
    if (frame.t === 'welcome') {
      this.buffer.ack(frame.acked);
      this.ready = true;
      this.backoff.reset();
      this.tee.reachable(this.buffer.size, this.droppedTotal);
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

  private onDisconnect(socket: net.Socket, failure: string): void {
    if (this.socket !== socket) return;
    const wasReady = this.ready;
    this.socket = null;
    this.ready = false;
    this.draining = false;
    this.outgoing = [];
    if (this.closed) return;
    // A connection that worked and dropped is retried quietly; one that never got a
    // welcome means the daemon cannot be reached now.
    if (!wasReady) this.tee.unreachable(failure, this.buffer.all(), this.buffer.size);
    const delay = this.backoff.next() * 1000;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (this.buffer.lowestSeq() !== Infinity || this.waiters.length > 0) this.connect();
    }, delay);
    // An idle logger must not keep the process alive; one awaiting flush() should.
    if (this.waiters.length === 0) this.reconnectTimer.unref();
  }
}
