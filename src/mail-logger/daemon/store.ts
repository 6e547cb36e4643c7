// The daemon's one durable store: the journal (what is on disk) and the state (what it
// means), kept in step. Every change goes through `commit`: the events are appended, and
// once they are fsynced they are applied to the state, in order, and the caller's
// continuation runs. Nothing else in the daemon appends to the journal or applies events.
import { promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { frameText } from './journal-frame.js';
import { Journal, type JournalOptions } from './journal.js';
import type { StoredRecord } from '../composition/record.js';
import type { DaemonState, JournalEvent } from './state.js';

/** Options of {@link Store.open}. */
export interface StoreOptions extends JournalOptions {
  /** Called for every event once it is durable and applied, with the record it added. */
  onApplied?: (event: JournalEvent, record: StoredRecord | undefined) => void;
}

/**
 * What a client connection may do with the store, and nothing more: open its session,
 * claim sequence numbers, commit its raw frames, and hold off while the disk is behind.
 */
export interface SessionStore {
  /** Journals a hello; `then(acked)` runs once durable, with the session's highest durable seq. */
  hello(session: string, source: string, pid: number, then: (acked: number) => void): void;
  /** The connection of `session` closed: it may be forgotten in a later snapshot. */
  release(session: string): void;
  /** True (and `seq` is claimed) when `seq` is new for `session`, neither durable nor in flight. */
  claim(session: string, seq: number): boolean;
  /** Journals raw frame lines of `session`; applies `events` and runs `then` once durable. */
  commitFrames(
    session: string,
    lines: readonly Buffer[],
    events: readonly JournalEvent[],
    then: () => void,
  ): void;
  /** The source a session said hello with (for log lines). */
  sourceOf(session: string): string | undefined;
  /** True while so much waits for the disk that connections should stop reading. */
  readonly congested: boolean;
  /** Calls `listener` once, when the disk has caught up. */
  onDrain(listener: () => void): void;
}

// Stop reading from clients while this much is waiting for the disk.
const MAX_BACKLOG_BYTES = 8 * 1024 * 1024;
// Ids of mails the SMTP server accepted, one a line, each fsynced at once: a mail's "sent"
// must not wait behind a batch of records in the journal, or a kill -9 in that time sends
// it again after the restart. Folded into the journal (as 'x' events) at the next start.
const SENT_FILE = 'sent.ndjson';

/** The journal and the state, changed together through {@link Store.commit}. */
export class Store implements SessionStore {
  /** Highest seq accepted per session, durable or still being written. */
  private readonly accepted = new Map<string, number>();

  private constructor(
    private readonly journal: Journal,
    /** The state as of the last durable event: read it, never change it directly. */
    readonly state: DaemonState,
    /** Open connections per session: those sessions are never left out of a snapshot. */
    private readonly live: Map<string, number>,
    private readonly options: StoreOptions,
    private readonly sentFile: FileHandle,
  ) {}

  private sentWrites: Promise<void> = Promise.resolve();

  /** Loads snapshot + journal from `dir` (created if missing) and opens it for appending. */
  static async open(dir: string, options: StoreOptions): Promise<Store> {
    const live = new Map<string, number>();
    const { journal, state } = await Journal.open(dir, {
      ...options,
      isLive: (session) => live.has(session),
    });
    let sentFile: FileHandle;
    let sent: string[];
    try {
      const file = path.join(dir, SENT_FILE);
      sent = (await fs.readFile(file, 'utf8').catch(() => '')).split('\n').filter((id) => id.length > 0);
      sentFile = await fs.open(file, 'a', 0o600);
    } catch (error) {
      await journal.close();
      throw error;
    }
    const store = new Store(journal, state, live, options, sentFile);
    const known = new Set(state.outbox.map((mail) => mail.id));
    const events: JournalEvent[] = sent.filter((id) => known.has(id)).map((id) => ({ k: 'x', id }));
    for (const event of events) state.apply(event);
    // Once the journal has them, the marks are redundant (a crash before: applied again, harmless).
    if (sent.length > 0) store.commit(events, () => void sentFile.truncate(0).catch(() => undefined));
    return store;
  }

  /**
   * The SMTP server accepted `mailId`: fsynced in its own small file at once (the shortest
   * window in which a kill -9 makes the next start send it again), and journaled.
   */
  markSent(mailId: string): void {
    this.sentWrites = this.sentWrites
      .then(async () => {
        await this.sentFile.write(`${mailId}\n`);
        await this.sentFile.datasync();
      })
      .catch(() => undefined); // the journal's 'x' below still records it
    this.commit([{ k: 'x', id: mailId }]);
  }

  /** Journals `events`; once they are durable, applies them in order, then runs `then`. */
  commit(events: readonly JournalEvent[], then?: () => void): void {
    let text = '';
    for (const event of events) text += frameText(JSON.stringify(event));
    this.journal.append(text, () => this.applied(events, then));
  }

  commitFrames(
    session: string,
    lines: readonly Buffer[],
    events: readonly JournalEvent[],
    then: () => void,
  ): void {
    // Even with no lines (a resend of frames still in flight) the continuation waits until
    // everything before it is durable: the append is that barrier.
    this.journal.appendFrames(session, lines, () => this.applied(events, then));
  }

  hello(session: string, source: string, pid: number, then: (acked: number) => void): void {
    this.live.set(session, (this.live.get(session) ?? 0) + 1);
    const event: JournalEvent = { k: 's', id: session, src: source, pid, at: this.options.now() };
    this.commit([event], () => then(this.state.sessions.get(session)?.lastSeq ?? 0));
  }

  release(session: string): void {
    const count = (this.live.get(session) ?? 0) - 1;
    if (count > 0) this.live.set(session, count);
    else this.live.delete(session);
  }

  claim(session: string, seq: number): boolean {
    const seen = Math.max(this.accepted.get(session) ?? 0, this.state.sessions.get(session)?.lastSeq ?? 0);
    if (seq <= seen) return false;
    this.accepted.set(session, seq);
    return true;
  }

  sourceOf(session: string): string | undefined {
    return this.state.sessions.get(session)?.source;
  }

  get congested(): boolean {
    return this.journal.backlogBytes > MAX_BACKLOG_BYTES;
  }

  onDrain(listener: () => void): void {
    this.journal.onDrain(listener);
  }

  /** Resolves when everything committed so far is durable (and applied). */
  sync(): Promise<void> {
    return this.journal.sync();
  }

  /** Writes a snapshot of the state and starts an empty journal generation. */
  compact(): Promise<void> {
    return this.journal.compact();
  }

  /** True while the disk is full: commits wait (unacknowledged) and are retried. */
  get diskFull(): boolean {
    return this.journal.diskFull;
  }

  /** The write or fsync failure that stopped the journal, or null while it works. */
  get failure(): Error | null {
    return this.journal.failure;
  }

  /** Writes what is pending and closes the journal. */
  async close(): Promise<void> {
    await this.sentWrites;
    await this.sentFile.close().catch(() => undefined);
    await this.journal.close();
  }

  private applied(events: readonly JournalEvent[], then: (() => void) | undefined): void {
    for (const event of events) {
      const record = this.state.apply(event);
      this.options.onApplied?.(event, record);
    }
    then?.();
  }
}
