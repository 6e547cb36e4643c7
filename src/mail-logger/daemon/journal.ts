// The daemon's write-ahead journal: framed lines (length + CRC-32, see journal-frame.ts)
// appended with group commit (one write + fdatasync per batch, callbacks after), plus
// snapshots written tmp + fsync + rename. Files: snapshot.json (state as of generation G),
// snapshot.prev.json (the one before, kept with its journals to rebuild a damaged snapshot
// from) and journal-G.ndjson (events since). Client frames are written as the raw bytes the
// client sent (validated, zero copy) behind their header, after a marker line
// {"k":"c","id":SESSION} naming the session they belong to (journal-frame.ts frames a batch).
// Taking the state directory is state-dir.ts, loading it (damage included) recovery.ts,
// waiting out a full disk disk-full.ts. The group-commit loop and switching generations for a
// snapshot stay together: both work on one queue (items, callbacks, backlog, fileSession).
import { promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { InstanceLock } from '../../internal/index.js';
import { MailLoggerError } from '../errors.js';
import { DiskFullWait } from './disk-full.js';
import { frameBatch, frameText, type BatchItem } from './journal-frame.js';
import type { Recovery } from './recovery.js';
import { takeStateDir } from './state-dir.js';
import {
  describeFsError,
  isNoSpace,
  journalName,
  removeJournalsBefore,
  SNAPSHOT,
  writeSnapshotFile,
} from './journal-files.js';
import type { DaemonState, JournalEvent } from './state.js';

export interface JournalOptions {
  /** Compact by itself once the journal file grows past this. @default 16 MiB */
  compactBytes?: number;
  /** Called when a write or fsync fails: the daemon can no longer promise durability. */
  onFatal: (error: Error) => void;
  /** Epoch ms (the daemon's scheduler clock), stamped on sessions. */
  now: () => number;
  /** Whether a session has an open connection: such a session is kept in every snapshot. */
  isLive?: (session: string) => boolean;
  /** Where "disk full" and "space is back" are reported (once each per outage). @default nothing */
  log?: (line: string) => void;
  /** Runs `fn` after `seconds` (the daemon's scheduler), for retries while the disk is full. */
  after?: (seconds: number, fn: () => void) => void;
}

export class Journal {
  private items: BatchItem[] = [];
  /** Set while the disk is full: the held batch is retried until space is back. */
  private readonly disk: DiskFullWait;
  private closing = false;
  /** Callbacks of sync(): the only ones run when a close gives up on a full disk. */
  private readonly syncCallbacks = new Set<() => void>();
  private fileSession: string | null = null;
  private callbacks: Array<() => void> = [];
  private compactWaiters: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
  private running: Promise<void> = Promise.resolve();
  private active = false;
  private backlog = 0;
  private failed: Error | null = null;
  private drainListeners: Array<() => void> = [];
  private snapshotBytes = 0;
  private snapshotting: Promise<void> = Promise.resolve();
  private snapshotInFlight = false;

  private constructor(
    private readonly dir: string,
    private handle: FileHandle,
    private gen: number,
    private size: number,
    /** Generation of snapshot.json on disk (0: none yet). */
    private snapshotGen: number,
    private readonly state: DaemonState,
    private readonly options: Required<JournalOptions>,
    private readonly lock: InstanceLock,
  ) {
    this.disk = new DiskFullWait({ dir, now: options.now, log: options.log, after: options.after });
  }

  /** Loads snapshot + journal from `dir` (created if missing) and opens it for appending. */
  static async open(dir: string, options: JournalOptions): Promise<{ journal: Journal; state: DaemonState }> {
    try {
      const { lock, recovery, handle } = await takeStateDir(dir, options.now, options.log);
      try {
        return await Journal.start(dir, options, lock, recovery, handle);
      } catch (error) {
        await lock.release();
        throw error;
      }
    } catch (error) {
      if (error instanceof MailLoggerError) throw error;
      throw new MailLoggerError(
        'ERR_STATE_DIR',
        `cannot use the state directory ${dir} (${describeFsError(error)}): make it readable and writable by the daemon's user, or pass --state-dir`,
        { cause: error },
      );
    }
  }

  private static async start(
    dir: string,
    options: JournalOptions,
    lock: InstanceLock,
    recovery: Recovery,
    handle: FileHandle,
  ): Promise<{ journal: Journal; state: DaemonState }> {
    const { state } = recovery;
    const journal = new Journal(
      dir,
      handle,
      recovery.gen,
      recovery.keep,
      recovery.snapshotGen,
      state,
      {
        compactBytes: options.compactBytes ?? 16 * 1024 * 1024,
        onFatal: options.onFatal,
        now: options.now,
        isLive: options.isLive ?? (() => false),
        log: options.log ?? (() => undefined),
        after: options.after ?? ((seconds, fn) => void setTimeout(fn, seconds * 1000).unref()),
      },
      lock,
    );
    if (recovery.problems.length > 0) {
      // Mailed as the daemon's own ALERT; the snapshot written at once holds it and leaves
      // the damage behind, so it is found and reported once.
      state.apply({ k: 'n', msg: recovery.problems.join('\n\n'), at: options.now() });
      await journal.compact();
    }
    return { journal, state };
  }

  /** Bytes (or characters) appended and waiting behind the batch being written. */
  get backlogBytes(): number {
    return this.backlog;
  }

  /** Calls `listener` once, when the next batch is taken for writing (the backlog is then empty). */
  onDrain(listener: () => void): void {
    this.drainListeners.push(listener);
  }

  /** Appends framed event lines ({@link frameText}); `onDurable` runs (in append order) once they are fsynced. */
  append(text: string, onDurable?: () => void): void {
    if (this.failed) return;
    if (text.length > 0) {
      this.items.push({ session: null, data: text });
      this.backlog += text.length;
    }
    if (onDurable) this.callbacks.push(onDurable);
    this.kick();
  }

  /** Appends raw, validated client frame lines (runs of whole lines, newlines included) of one session. */
  appendFrames(session: string, lines: readonly Buffer[], onDurable?: () => void): void {
    if (this.failed) return;
    for (const data of lines) {
      this.items.push({ session, data });
      this.backlog += data.length;
    }
    if (onDurable) this.callbacks.push(onDurable);
    this.kick();
  }

  appendEvent(event: JournalEvent, onDurable?: () => void): void {
    this.append(frameText(JSON.stringify(event)), onDurable);
  }

  /** Resolves when everything appended so far is durable (or a close gave up on a full disk). */
  sync(): Promise<void> {
    if (this.failed) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        this.syncCallbacks.delete(done);
        resolve();
      };
      this.syncCallbacks.add(done);
      this.append('', done);
    });
  }

  /** True while writes fail for lack of space (appends wait, unacknowledged, and are retried). */
  get diskFull(): boolean {
    return this.disk.active;
  }

  /** Writes a snapshot of the state and starts an empty journal generation. */
  compact(): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    return new Promise((resolve, reject) => {
      this.compactWaiters.push({ resolve, reject });
      this.kick();
    });
  }

  /**
   * Writes what is pending and releases the files. On a full disk it gives up at once:
   * what was not written was not acknowledged either (the clients still hold it).
   */
  async close(): Promise<void> {
    this.closing = true;
    this.disk.wake();
    await this.sync();
    await this.running;
    await this.snapshotting;
    await this.handle.close().catch(() => undefined);
    await this.lock.release();
  }

  /** The write or fsync failure that stopped the journal, or null while it works. */
  get failure(): Error | null {
    return this.failed;
  }

  /** Appends all of `buffer` and fsyncs it; false when the disk is full (nothing of it kept). */
  private async write(buffer: Buffer): Promise<boolean> {
    try {
      // write() may write less than asked (a nearly full disk): go on until all is written.
      for (let offset = 0; offset < buffer.length;) {
        const { bytesWritten } = await this.handle.write(buffer, offset, buffer.length - offset);
        if (bytesWritten <= 0) throw Object.assign(new Error('write() wrote nothing'), { code: 'ENOSPC' });
        offset += bytesWritten;
      }
      await this.handle.datasync();
      this.size += buffer.length;
      return true;
    } catch (error) {
      if (!isNoSpace(error)) throw error;
      // Cut what part of the batch did get written, so the journal never ends torn.
      await this.handle.truncate(this.size);
      this.disk.begin(error as NodeJS.ErrnoException, buffer);
      return false;
    }
  }

  /** Closing on a full disk: what waits is dropped unacknowledged; only sync() waiters are told. */
  private abandon(): void {
    const callbacks = this.callbacks;
    this.items = [];
    this.callbacks = [];
    this.backlog = 0;
    for (const callback of callbacks) if (this.syncCallbacks.has(callback)) callback();
    const waiters = this.compactWaiters;
    this.compactWaiters = [];
    for (const waiter of waiters) waiter.resolve();
  }

  private notifyDrain(): void {
    if (this.drainListeners.length === 0) return;
    const listeners = this.drainListeners;
    this.drainListeners = [];
    for (const listener of listeners) listener();
  }

  /** Stops for good: nothing more is written, waiting compactions fail, the owner is told once. */
  private fail(error: Error): void {
    if (this.failed) return;
    this.failed = error;
    const waiters = this.compactWaiters;
    this.compactWaiters = [];
    for (const waiter of waiters) waiter.reject(error);
    this.options.onFatal(error);
  }

  private kick(): void {
    if (this.active) return;
    this.active = true;
    this.running = this.run();
  }

  private async run(): Promise<void> {
    try {
      while (this.items.length > 0 || this.callbacks.length > 0 || this.compactWaiters.length > 0) {
        if (this.items.length > 0 || this.callbacks.length > 0) {
          // Client frames go in zero copy, behind their headers and session markers.
          let buffer: Buffer;
          ({ buffer, fileSession: this.fileSession } = frameBatch(this.items, this.fileSession));
          const callbacks = this.callbacks;
          this.items = [];
          this.callbacks = [];
          // The backlog counts what waits behind the batch in flight: it is empty now, so
          // paused clients resume and the next batch fills while this one is written (not
          // while the disk is full: they resume once a write got through).
          this.backlog = 0;
          if (!this.disk.active) this.notifyDrain();
          if (buffer.length > 0 && !(await this.write(buffer))) {
            // Not on disk, so not acknowledged: held, in order, ahead of what came since.
            this.items.unshift({ session: null, data: buffer });
            this.callbacks.unshift(...callbacks);
            this.backlog += buffer.length;
            if (await this.disk.wait(() => this.closing)) continue;
            this.abandon();
            break;
          }
          if (this.disk.active) {
            this.disk.end(buffer);
            this.notifyDrain();
          }
          for (const callback of callbacks) callback();
          // Compact when the journal outgrows both the threshold and a few snapshots: records
          // waiting for a digest are in every snapshot, so compacting more often would cost
          // time quadratic in their number.
          if (
            !this.snapshotInFlight &&
            this.size > Math.max(this.options.compactBytes, 4 * this.snapshotBytes)
          ) {
            await this.snapshot();
          }
          continue;
        }
        const waiters = this.compactWaiters;
        this.compactWaiters = [];
        let written: Promise<void>;
        try {
          ({ written } = await this.snapshot());
        } catch (error) {
          this.compactWaiters.unshift(...waiters); // rejected below, with the failure
          throw error;
        }
        written.then(
          () => waiters.forEach((w) => w.resolve()),
          (error: Error) => waiters.forEach((w) => w.reject(error)),
        );
      }
    } catch (error) {
      this.fail(error as Error);
    } finally {
      // Cleared in the same turn the loop saw nothing left, so an append made after that
      // always starts a new run (a .finally() on the promise would leave a gap).
      this.active = false;
    }
  }

  /**
   * Starts a new journal generation at once and writes the snapshot of the state as of the
   * switch in the background, so appends (and acks) do not wait for a large snapshot's
   * fsync. Until the snapshot is renamed into place, loading replays both generations.
   */
  // Returns the pending write in a wrapper: an async function would flatten a bare promise.
  private async snapshot(): Promise<{ written: Promise<void> }> {
    await this.snapshotting;
    const next = this.gen + 1;
    const text = this.state.toSnapshot(next, this.options.isLive);
    this.snapshotBytes = text.length;
    let nextHandle: FileHandle;
    try {
      nextHandle = await fs.open(path.join(this.dir, journalName(next)), 'a+', 0o600);
    } catch (error) {
      if (!isNoSpace(error)) throw error;
      return { written: Promise.resolve() }; // compacting is only an economy: later
    }
    const old = this.handle;
    this.handle = nextHandle;
    this.fileSession = null;
    this.gen = next;
    this.size = 0;
    this.snapshotInFlight = true;
    const written = this.writeSnapshot(text, old, next)
      .catch(async (error: unknown) => {
        if (!isNoSpace(error)) throw error;
        // Both generations stay and are replayed on load; a later snapshot removes them.
        await fs.rm(path.join(this.dir, `${SNAPSHOT}.tmp`), { force: true });
        this.options.log(`disk full: snapshot deferred (the journal keeps everything meanwhile)`);
      })
      .finally(() => (this.snapshotInFlight = false));
    this.snapshotting = written.catch((error: Error) => this.fail(error));
    return { written };
  }

  /**
   * Writes the snapshot as of generation `gen`. The one it replaces is kept as the previous
   * generation (with the journals since it), so a damaged snapshot can be rebuilt from it;
   * older generations are removed.
   */
  private async writeSnapshot(text: string, oldHandle: FileHandle, gen: number): Promise<void> {
    await oldHandle.close();
    await writeSnapshotFile(this.dir, text);
    const keepFrom = this.snapshotGen;
    this.snapshotGen = gen;
    await removeJournalsBefore(this.dir, keepFrom);
  }
}
