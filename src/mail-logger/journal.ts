// The daemon's write-ahead journal: newline-delimited events appended with group commit
// (one write + fdatasync per batch, callbacks after), plus snapshots written tmp + fsync +
// rename. Files: snapshot.json (state as of generation G) and journal-G.ndjson (events since).
import { constants as fsConstants, promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { MailLoggerError } from './errors.js';
import { DaemonState, type JournalEvent } from './state.js';

export interface JournalOptions {
  /** Compact by itself once the journal file grows past this. @default 16 MiB */
  compactBytes?: number;
  /** Called when a write or fsync fails: the daemon can no longer promise durability. */
  onFatal: (error: Error) => void;
  /** Epoch ms, for session expiry in snapshots. */
  now: () => number;
}

const SNAPSHOT = 'snapshot.json';
// Paused clients resume once the backlog is this small again (4 MiB of text).
const LOW_WATER_CHARS = 4 * 1024 * 1024;

function journalName(gen: number): string {
  return `journal-${gen}.ndjson`;
}

async function fsyncDir(dir: string): Promise<void> {
  const handle = await fs.open(dir, fsConstants.O_RDONLY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export class Journal {
  private texts: string[] = [];
  private callbacks: Array<() => void> = [];
  private compactWaiters: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
  private running: Promise<void> | null = null;
  private backlog = 0;
  private failed: Error | null = null;
  private drainListeners: Array<() => void> = [];
  private snapshotBytes = 0;

  private constructor(
    private readonly dir: string,
    private handle: FileHandle,
    private gen: number,
    private size: number,
    private readonly state: DaemonState,
    private readonly options: Required<JournalOptions>,
  ) {}

  /** Loads snapshot + journal from `dir` (created if missing) and opens it for appending. */
  static async open(dir: string, options: JournalOptions): Promise<{ journal: Journal; state: DaemonState }> {
    try {
      await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    } catch (error) {
      throw new MailLoggerError(
        'ERR_STATE_DIR',
        `cannot create the state directory ${dir} (${(error as NodeJS.ErrnoException).code ?? 'error'}): create it writable by the daemon's user, or pass --state-dir`,
        { cause: error },
      );
    }
    let state = new DaemonState();
    let gen = 0;
    try {
      ({ state, gen } = DaemonState.fromSnapshot(await fs.readFile(path.join(dir, SNAPSHOT), 'utf8')));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new MailLoggerError(
          'ERR_STATE_CORRUPT',
          `the snapshot ${path.join(dir, SNAPSHOT)} cannot be read (${(error as Error).message}); move it away to start afresh (its records would be lost)`,
          { cause: error },
        );
      }
    }
    const file = path.join(dir, journalName(gen));
    let size = 0;
    let bytes: Buffer | null = null;
    try {
      bytes = await fs.readFile(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    if (bytes !== null) size = replay(bytes, state);
    const handle = await fs.open(file, 'a+');
    // A torn last line (killed mid-write) is cut off so the next append starts a new line.
    if (bytes !== null && size < bytes.length) await handle.truncate(size);
    for (const name of await fs.readdir(dir)) {
      if ((name.startsWith('journal-') && name !== journalName(gen)) || name === `${SNAPSHOT}.tmp`) {
        await fs.rm(path.join(dir, name), { force: true });
      }
    }
    const journal = new Journal(dir, handle, gen, size, state, {
      compactBytes: options.compactBytes ?? 16 * 1024 * 1024,
      onFatal: options.onFatal,
      now: options.now,
    });
    return { journal, state };
  }

  /** Characters appended and waiting behind the batch being written. */
  get backlogChars(): number {
    return this.backlog;
  }

  /** Calls `listener` once the backlog has shrunk below the low-water mark. */
  onDrain(listener: () => void): void {
    this.drainListeners.push(listener);
  }

  /** Appends events; `onDurable` runs (in append order) once they are fsynced. */
  append(text: string, onDurable?: () => void): void {
    if (this.failed) return;
    if (text.length > 0) {
      this.texts.push(text);
      this.backlog += text.length;
    }
    if (onDurable) this.callbacks.push(onDurable);
    this.kick();
  }

  appendEvent(event: JournalEvent, onDurable?: () => void): void {
    this.append(JSON.stringify(event) + '\n', onDurable);
  }

  /** Resolves when everything appended so far is durable. */
  sync(): Promise<void> {
    if (this.failed) return Promise.resolve();
    return new Promise((resolve) => this.append('', resolve));
  }

  /** Writes a snapshot of the state and starts an empty journal generation. */
  compact(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.compactWaiters.push({ resolve, reject });
      this.kick();
    });
  }

  async close(): Promise<void> {
    await this.sync();
    await this.running;
    await this.handle.close().catch(() => undefined);
  }

  private kick(): void {
    if (this.running === null) this.running = this.run().finally(() => (this.running = null));
  }

  private async run(): Promise<void> {
    try {
      while (this.texts.length > 0 || this.callbacks.length > 0 || this.compactWaiters.length > 0) {
        if (this.texts.length > 0 || this.callbacks.length > 0) {
          const text = this.texts.length === 1 ? this.texts[0]! : this.texts.join('');
          const callbacks = this.callbacks;
          this.texts = [];
          this.callbacks = [];
          // The backlog counts what waits behind the batch in flight: paused clients resume
          // now, so the next batch fills while this one is written (pipelined).
          this.backlog -= text.length;
          if (this.backlog <= LOW_WATER_CHARS && this.drainListeners.length > 0) {
            const listeners = this.drainListeners;
            this.drainListeners = [];
            for (const listener of listeners) listener();
          }
          if (text.length > 0) {
            const buffer = Buffer.from(text, 'utf8');
            await this.handle.write(buffer);
            await this.handle.datasync();
            this.size += buffer.length;
          }
          for (const callback of callbacks) callback();
          // Compact when the journal outgrows both the threshold and a few snapshots: records
          // waiting for a digest are in every snapshot, so compacting more often would cost
          // time quadratic in their number.
          if (this.size > Math.max(this.options.compactBytes, 4 * this.snapshotBytes) && this.compactWaiters.length === 0) {
            await this.snapshot();
          }
          continue;
        }
        const waiters = this.compactWaiters;
        this.compactWaiters = [];
        try {
          await this.snapshot();
          for (const w of waiters) w.resolve();
        } catch (error) {
          for (const w of waiters) w.reject(error as Error);
          throw error;
        }
      }
    } catch (error) {
      this.failed = error as Error;
      this.options.onFatal(error as Error);
    }
  }

  private async snapshot(): Promise<void> {
    const next = this.gen + 1;
    const tmp = path.join(this.dir, `${SNAPSHOT}.tmp`);
    const handle = await fs.open(tmp, 'w', 0o600);
    try {
      const text = this.state.toSnapshot(next, this.options.now());
      this.snapshotBytes = text.length;
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    const nextHandle = await fs.open(path.join(this.dir, journalName(next)), 'a+');
    await fs.rename(tmp, path.join(this.dir, SNAPSHOT));
    await fsyncDir(this.dir);
    const old = this.handle;
    const oldName = journalName(this.gen);
    this.handle = nextHandle;
    this.gen = next;
    this.size = 0;
    await old.close();
    await fs.rm(path.join(this.dir, oldName), { force: true });
  }
}

/** Applies every complete line of `bytes`; returns the byte length of the valid prefix. */
function replay(bytes: Buffer, state: DaemonState): number {
  let start = 0;
  let valid = 0;
  while (start < bytes.length) {
    const nl = bytes.indexOf(0x0a, start);
    if (nl === -1) break;
    const line = bytes.toString('utf8', start, nl);
    start = nl + 1;
    try {
      if (line.length > 0) state.apply(JSON.parse(line) as JournalEvent);
      valid = start;
    } catch {
      // Only a torn tail can be unparsable (each batch is fsynced before the next starts);
      // everything from here on is cut.
      break;
    }
  }
  return valid;
}
