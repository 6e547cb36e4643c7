// The wire protocol between MailLoggerClient and the daemon: newline-delimited JSON.
//
// client -> daemon
//   {"t":"hello","v":1,"session":"<uuid>","source":"host/prog","pid":123}   first frame of every connection
//   {"t":"rec","seq":7,"time":1700000000000,"level":"ERROR","schedule":"INSTANTANEOUSLY","msg":"...","ctx":{...}}
//   {"t":"drop","seq":8,"time":1700000000000,"count":42}    records the client's buffer had to drop
// daemon -> client
//   {"t":"welcome","acked":6}   highest seq of this session already durable (client forgets those)
//   {"t":"ack","seq":8}         cumulative: every frame up to seq 8 is on disk (or was rejected)
//   {"t":"nack","seq":9,"reason":"..."}   that frame was rejected (and will not be retried)
//
// seq grows by one per frame and per client session, so a resend after a reconnect is
// recognised (seq <= last seen) and skipped by the daemon.
import { RaspimonRangeError } from '../errors.js';
import { isPlainObject } from '../internal/index.js';
import { isLevel, isSchedule, type Level, type Schedule } from './levels.js';

/** Largest frame (one line, in bytes) the daemon accepts. */
export const MAX_FRAME_BYTES = 64 * 1024;
export const PROTOCOL_VERSION = 1;

export interface HelloFrame {
  t: 'hello';
  v: number;
  session: string;
  source: string;
  pid: number;
}

export interface RecordFrame {
  t: 'rec';
  seq: number;
  /** Epoch ms. */
  time: number;
  level: Level;
  schedule: Schedule;
  msg: string;
  ctx?: Record<string, unknown>;
}

export interface DropFrame {
  t: 'drop';
  seq: number;
  time: number;
  count: number;
}

export type ClientFrame = HelloFrame | RecordFrame | DropFrame;

export type ServerFrame =
  | { t: 'welcome'; acked: number }
  | { t: 'ack'; seq: number }
  | { t: 'nack'; seq: number | null; reason: string };

export type ParseResult<T> = { ok: true; frame: T } | { ok: false; reason: string; seq: number | null };

function isSeq(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

function isTime(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 && value < 8.64e15;
}

function fail<T>(reason: string, seq: number | null = null): ParseResult<T> {
  return { ok: false, reason, seq };
}

/** Parses one line from a client. Never throws; `reason` says why a frame is rejected. */
export function parseClientFrame(line: string): ParseResult<ClientFrame> {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return fail('malformed JSON');
  }
  if (!isPlainObject(value)) return fail('frame is not a JSON object');
  const seq = isSeq(value.seq) ? value.seq : null;
  switch (value.t) {
    case 'rec': {
      if (seq === null) return fail('record without a positive integer "seq"');
      if (!isTime(value.time)) return fail('record "time" is not epoch milliseconds', seq);
      if (!isLevel(value.level))
        return fail(`unknown level ${JSON.stringify(value.level)?.slice(0, 40)}`, seq);
      if (!isSchedule(value.schedule))
        return fail(`unknown schedule ${JSON.stringify(value.schedule)?.slice(0, 40)}`, seq);
      if (typeof value.msg !== 'string') return fail('record "msg" is not a string', seq);
      if (value.ctx !== undefined && !isPlainObject(value.ctx))
        return fail('record "ctx" is not an object', seq);
      return { ok: true, frame: value as unknown as RecordFrame };
    }
    case 'drop': {
      if (seq === null) return fail('drop notice without a positive integer "seq"');
      if (!isTime(value.time)) return fail('drop notice "time" is not epoch milliseconds', seq);
      if (typeof value.count !== 'number' || !Number.isSafeInteger(value.count) || value.count < 0) {
        return fail('drop notice "count" is not a non-negative integer', seq);
      }
      return { ok: true, frame: value as unknown as DropFrame };
    }
    case 'hello': {
      if (value.v !== PROTOCOL_VERSION)
        return fail(`unsupported protocol version ${JSON.stringify(value.v)}`);
      if (typeof value.session !== 'string' || value.session.length === 0 || value.session.length > 100) {
        return fail('hello "session" is not a non-empty string of at most 100 characters');
      }
      if (typeof value.source !== 'string' || value.source.length > 200) {
        return fail('hello "source" is not a string of at most 200 characters');
      }
      if (typeof value.pid !== 'number' || !Number.isSafeInteger(value.pid))
        return fail('hello "pid" is not an integer');
      return { ok: true, frame: value as unknown as HelloFrame };
    }
    default:
      return fail(`unknown frame type ${JSON.stringify(value.t)?.slice(0, 40)}`, seq);
  }
}

/** Parses one line from the daemon; null when it is not a frame the client knows. */
export function parseServerFrame(line: string): ServerFrame | null {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return null;
  }
  if (!isPlainObject(value)) return null;
  if (value.t === 'ack' && typeof value.seq === 'number') return { t: 'ack', seq: value.seq };
  if (value.t === 'welcome' && typeof value.acked === 'number') return { t: 'welcome', acked: value.acked };
  if (value.t === 'nack' && typeof value.reason === 'string') {
    return { t: 'nack', seq: typeof value.seq === 'number' ? value.seq : null, reason: value.reason };
  }
  return null;
}

export function serializeHello(session: string, source: string, pid: number): string {
  return JSON.stringify({ t: 'hello', v: PROTOCOL_VERSION, session, source, pid }) + '\n';
}

/**
 * Serialises one record. `ctxJson` is the context already stringified at the log call
 * (so later mutations by the caller do not leak in), or undefined.
 */
export function serializeRecord(
  seq: number,
  time: number,
  level: Level,
  schedule: Schedule,
  msg: string,
  ctxJson: string | undefined,
): string {
  const head = `{"t":"rec","seq":${seq},"time":${time},"level":"${level}","schedule":"${schedule}","msg":${JSON.stringify(msg)}`;
  return ctxJson === undefined ? `${head}}\n` : `${head},"ctx":${ctxJson}}\n`;
}

export function serializeDrop(seq: number, time: number, count: number): string {
  return `{"t":"drop","seq":${seq},"time":${time},"count":${count}}\n`;
}

export function serializeServerFrame(frame: ServerFrame): string {
  return JSON.stringify(frame) + '\n';
}

/**
 * Splits a byte stream into lines (`\n`-terminated), dropping any line longer than
 * `maxBytes` (reported through `onOversized`) without ever holding more than `maxBytes`
 * of it. `onLine(bytes, start, end)` gets the line as `bytes[start, end)`, and
 * `bytes[end]` is its newline, so a caller can keep the raw bytes (zero copy).
 */
export class LineSplitter {
  private parts: Buffer[] = [];
  private partsLength = 0;
  private discarding = false;

  constructor(
    private readonly maxBytes: number,
    private readonly onLine: (bytes: Buffer, start: number, end: number) => void,
    private readonly onOversized: () => void,
  ) {}

  push(chunk: Buffer): void {
    let start = 0;
    let nl = chunk.indexOf(10);
    if (nl !== -1 && (this.partsLength > 0 || this.discarding)) {
      // The end of a line begun in earlier chunks.
      if (this.discarding) this.discarding = false;
      else if (this.partsLength + nl > this.maxBytes) this.onOversized();
      else {
        const line = Buffer.concat([...this.parts, chunk.subarray(0, nl + 1)]);
        this.onLine(line, 0, line.length - 1);
      }
      this.parts = [];
      this.partsLength = 0;
      start = nl + 1;
      nl = chunk.indexOf(10, start);
    }
    while (nl !== -1) {
      if (nl - start > this.maxBytes) this.onOversized();
      else if (nl > start) this.onLine(chunk, start, nl);
      start = nl + 1;
      nl = chunk.indexOf(10, start);
    }
    if (start < chunk.length && !this.discarding) {
      const rest = chunk.length - start;
      if (this.partsLength + rest > this.maxBytes) {
        this.parts = [];
        this.partsLength = 0;
        this.discarding = true;
        this.onOversized();
      } else {
        // A copy, so a small tail does not pin a large chunk.
        this.parts.push(Buffer.from(chunk.subarray(start)));
        this.partsLength += rest;
      }
    }
  }
}

export type Endpoint = { kind: 'unix'; path: string } | { kind: 'tcp'; host: string; port: number };

/** Default daemon address (DESIGN §3); `RASPIMON_MAIL_LOGGER` overrides it. */
export const DEFAULT_TRANSPORT = 'unix:///run/raspimon/mail-logger.sock';

/** The transport to use when none is given: `$RASPIMON_MAIL_LOGGER` or the default. */
export function defaultTransport(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.RASPIMON_MAIL_LOGGER;
  return fromEnv !== undefined && fromEnv !== '' ? fromEnv : DEFAULT_TRANSPORT;
}

/**
 * Parses `unix:///path/to.sock` or `tcp://host:port` (`tcp://:port` means loopback).
 * Throws RaspimonRangeError naming the value otherwise.
 */
export function parseTransport(transport: string): Endpoint {
  if (transport.startsWith('unix://')) {
    const path = transport.slice('unix://'.length);
    if (path.startsWith('/') && path.length > 1) return { kind: 'unix', path };
  }
  const tcp = /^tcp:\/\/(?:\[([^\]]+)\]|([^:/[\]]*)):(\d{1,5})\/?$/.exec(transport);
  if (tcp) {
    const port = Number(tcp[3]);
    const host = tcp[1] ?? (tcp[2] === '' || tcp[2] === undefined ? '127.0.0.1' : tcp[2]);
    if (port <= 65535) return { kind: 'tcp', host, port };
  }
  throw new RaspimonRangeError(
    'ERR_INVALID_TRANSPORT',
    `transport ${JSON.stringify(transport)} is not valid: use "unix:///absolute/path.sock" or "tcp://host:port"`,
  );
}

export function formatEndpoint(endpoint: Endpoint): string {
  if (endpoint.kind === 'unix') return `unix://${endpoint.path}`;
  return endpoint.host.includes(':')
    ? `tcp://[${endpoint.host}]:${endpoint.port}`
    : `tcp://${endpoint.host}:${endpoint.port}`;
}
