import type net from 'node:net';
import {
  LineSplitter,
  MAX_FRAME_BYTES,
  parseClientFrame,
  serializeServerFrame,
  type ServerFrame,
} from '../protocol.js';
import type { JournalEvent } from './state.js';
import type { SessionStore } from './store.js';

/** What a connection needs from the daemon. */
export interface ConnectionHost {
  readonly store: SessionStore;
  log(line: string): void;
  /** A connection that says no hello within this is closed. */
  readonly helloTimeoutSeconds: number;
  /** The daemon's timers (its Scheduler). */
  after(seconds: number, fn: () => void): string;
  cancel(id: string): void;
  /** A connection (named `who`) was closed for saying no hello in time. */
  noHello(who: string): void;
}

// A client that stops reading gets cut off before its unread acks grow past this.
const MAX_UNREAD_BYTES = 1024 * 1024;
const LOGGED_REJECTIONS = 3;

/** One client connection: frames in, journal appends, acks out once durable. */
export class Connection {
  private session: string | null = null;
  /** Raw bytes of accepted frames, for the journal; the current run is [runStart, runEnd) of runBytes. */
  private lines: Buffer[] = [];
  private runBytes: Buffer | null = null;
  private runStart = 0;
  private runEnd = 0;
  private events: JournalEvent[] = [];
  private ackTarget = 0;
  private ackSent = 0;
  private rejected = 0;
  private readonly splitter: LineSplitter;
  private readonly name: string;
  private helloTimer: string | null;

  constructor(
    private readonly socket: net.Socket,
    private readonly host: ConnectionHost,
  ) {
    this.name =
      socket.remoteAddress === undefined
        ? 'unix socket client'
        : `${socket.remoteAddress}:${socket.remotePort}`;
    this.splitter = new LineSplitter(
      MAX_FRAME_BYTES,
      (bytes, start, end) => this.onLine(bytes, start, end),
      () => this.reject(`frame larger than ${MAX_FRAME_BYTES} bytes`, null),
    );
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => undefined); // 'close' follows
    this.helloTimer = host.after(host.helloTimeoutSeconds, () => this.onHelloTimeout());
    socket.on('close', () => {
      this.cancelHelloTimer();
      if (this.session !== null) host.store.release(this.session);
      if (this.rejected > LOGGED_REJECTIONS) {
        host.log(`${this.describe()}: ${this.rejected - LOGGED_REJECTIONS} more frame(s) were rejected`);
      }
    });
  }

  destroy(): void {
    this.socket.destroy();
  }

  private cancelHelloTimer(): void {
    if (this.helloTimer !== null) this.host.cancel(this.helloTimer);
    this.helloTimer = null;
  }

  private onHelloTimeout(): void {
    this.helloTimer = null;
    if (this.session !== null || this.socket.destroyed) return;
    this.host.noHello(this.describe());
    this.socket.destroy();
  }

  private describe(): string {
    const session =
      this.session === null ? '' : ` (${this.host.store.sourceOf(this.session) ?? this.session})`;
    return `${this.name}${session}`;
  }

  private onData(chunk: Buffer): void {
    this.splitter.push(chunk);
    this.endRun();
    if (this.events.length === 0 && this.ackTarget <= this.ackSent) return;
    const events = this.events;
    const ackTarget = this.ackTarget;
    const lines = this.lines;
    this.events = [];
    this.lines = [];
    const store = this.host.store;
    store.commitFrames(this.session ?? '', lines, events, () => {
      if (ackTarget > this.ackSent) {
        this.ackSent = ackTarget;
        this.send({ t: 'ack', seq: ackTarget });
      }
    });
    if (store.congested) {
      this.socket.pause();
      store.onDrain(() => this.socket.resume());
    }
  }

  private endRun(): void {
    if (this.runBytes === null) return;
    this.lines.push(this.runBytes.subarray(this.runStart, this.runEnd));
    this.runBytes = null;
  }

  private onLine(bytes: Buffer, start: number, end: number): void {
    const parsed = parseClientFrame(bytes.toString('utf8', start, end));
    if (!parsed.ok) {
      this.reject(parsed.reason, parsed.seq);
      return;
    }
    const frame = parsed.frame;
    if (frame.t === 'hello') {
      if (this.session !== null) {
        this.reject('a second hello on one connection', null);
        return;
      }
      this.session = frame.session;
      this.cancelHelloTimer();
      this.host.store.hello(frame.session, frame.source, frame.pid, (acked) =>
        this.send({ t: 'welcome', acked }),
      );
      return;
    }
    const session = this.session;
    if (session === null) {
      this.reject('a record before hello', frame.seq);
      return;
    }
    if (this.host.store.claim(session, frame.seq)) {
      // The validated line goes into the journal as the client sent it (newline included):
      // no re-serialisation, no copy; consecutive lines of one chunk make one slice.
      if (this.runBytes === bytes && this.runEnd === start) this.runEnd = end + 1;
      else {
        this.endRun();
        this.runBytes = bytes;
        this.runStart = start;
        this.runEnd = end + 1;
      }
      this.events.push(
        frame.t === 'rec' ? { k: 'r', id: session, f: frame } : { k: 'd', id: session, f: frame },
      );
    }
    if (frame.seq > this.ackTarget) this.ackTarget = frame.seq;
  }

  private reject(reason: string, seq: number | null): void {
    this.rejected++;
    if (this.rejected <= LOGGED_REJECTIONS) this.host.log(`${this.describe()}: rejected a frame: ${reason}`);
    if (seq !== null && seq > this.ackTarget) this.ackTarget = seq;
    this.send({ t: 'nack', seq, reason });
  }

  private send(frame: ServerFrame): void {
    if (this.socket.destroyed) return;
    if (this.socket.writableLength > MAX_UNREAD_BYTES) {
      this.host.log(`${this.describe()}: does not read its acknowledgements; connection closed`);
      this.socket.destroy();
      return;
    }
    this.socket.write(serializeServerFrame(frame));
  }
}
