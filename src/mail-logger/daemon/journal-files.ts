// The journal's files and their pure parts: names, generations, replay of a journal file
// into the state, writing a snapshot beside the one it replaces, and the errno a filesystem
// really gave.
import { constants as fsConstants, promises as fs } from 'node:fs';
import path from 'node:path';
import type { DropFrame, RecordFrame } from '../protocol.js';
import { scanJournal, type ScanResult } from './journal-frame.js';
import type { DaemonState, JournalEvent } from './state.js';

/** An errno as a user reads it; a read-only filesystem said plainly. */
export function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EROFS') return 'EROFS: the filesystem is mounted read-only; remount it read-write';
  return code ?? (error as Error).message;
}

/** Errors that mean "no space now", which the journal waits out instead of stopping. */
export function isNoSpace(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}

export function countLines(buffer: Buffer): number {
  let n = 0;
  for (let i = buffer.indexOf(10); i !== -1; i = buffer.indexOf(10, i + 1)) n++;
  return n;
}

export const SNAPSHOT = 'snapshot.json';
/** The snapshot before the current one, kept (with the journals since) to rebuild from when the current one is damaged. */
export const PREVIOUS_SNAPSHOT = 'snapshot.prev.json';
/** Damaged journal regions, kept aside one JSON line each (file, offset, bytes). */
export const CORRUPT_FILE = 'journal.corrupt';
// Written by versions before 0.2 (a pid guess); removed, never trusted.
export const LEGACY_PID_FILE = 'daemon.pid';

export function journalName(gen: number): string {
  return `journal-${gen}.ndjson`;
}

/** The journal generations in `dir`, oldest first. */
export async function generations(dir: string): Promise<number[]> {
  return (await fs.readdir(dir))
    .map((name) => /^journal-(\d+)\.ndjson$/.exec(name)?.[1])
    .filter((g): g is string => g !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
}

export async function fsyncDir(dir: string): Promise<void> {
  const handle = await fs.open(dir, fsConstants.O_RDONLY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Writes `text` as the snapshot in `dir` (tmp + fsync + rename). The one it replaces is kept as
 * the previous snapshot, so a damaged snapshot can be rebuilt from it and the journals since.
 */
export async function writeSnapshotFile(dir: string, text: string): Promise<void> {
  const tmp = path.join(dir, `${SNAPSHOT}.tmp`);
  const handle = await fs.open(tmp, 'w', 0o600);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  const current = path.join(dir, SNAPSHOT);
  const previous = path.join(dir, PREVIOUS_SNAPSHOT);
  // A hard link under a temporary name, renamed into place: at every moment both names
  // hold a whole snapshot (a filesystem without links gets a copy, fsynced).
  await fs.rm(`${previous}.tmp`, { force: true });
  const kept = await fs.link(current, `${previous}.tmp`).then(
    () => true,
    async (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return false; // no snapshot yet, or a damaged one moved aside
      if (error.code !== 'EPERM' && error.code !== 'ENOTSUP' && error.code !== 'EXDEV') throw error;
      await fs.copyFile(current, `${previous}.tmp`);
      const copy = await fs.open(`${previous}.tmp`, 'r+');
      await copy.sync().finally(() => copy.close());
      return true;
    },
  );
  if (kept) await fs.rename(`${previous}.tmp`, previous);
  await fs.rename(tmp, current);
  await fsyncDir(dir);
}

/** Removes the journal files of generations before `gen`. */
export async function removeJournalsBefore(dir: string, gen: number): Promise<void> {
  for (const g of await generations(dir))
    if (g < gen) await fs.rm(path.join(dir, journalName(g)), { force: true });
}

/**
 * `mkdir -p` that reports the real cause: Node's recursive mkdir says ENOENT where the
 * filesystem said EROFS or EACCES, so each missing level is created on its own.
 */
export async function makeDir(dir: string, mode: number): Promise<void> {
  try {
    await fs.mkdir(dir, { recursive: true, mode });
    return;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const missing: string[] = [];
  for (let at = path.resolve(dir); ; at = path.dirname(at)) {
    const exists = await fs.stat(at).then(
      () => true,
      () => false,
    );
    if (exists || path.dirname(at) === at) break;
    missing.unshift(at);
  }
  for (const level of missing) {
    await fs.mkdir(level, { mode }).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
  }
}

/**
 * Applies every good line of `bytes` to `state`, skipping damaged regions exactly (see
 * journal-frame.ts); says what to keep of the file and what was skipped.
 */
export function replay(bytes: Buffer, state: DaemonState): ScanResult {
  // The session of bare (pre-0.3) client frames: the last marker line's.
  let session: string | null = null;
  return scanJournal(bytes, state.sessions.keys(), (line) => {
    const entry = JSON.parse(line.payload) as Record<string, unknown>;
    if (line.session !== null) session = line.session;
    if (entry.t === 'rec' || entry.t === 'drop') {
      if (!line.legacy && line.session === null) throw new Error('a client frame without its session');
      if (session === null) return undefined;
      if (entry.t === 'rec') state.apply({ k: 'r', id: session, f: entry as unknown as RecordFrame });
      else state.apply({ k: 'd', id: session, f: entry as unknown as DropFrame });
      return undefined;
    }
    if (entry.k === 'c' && typeof entry.id === 'string') {
      session = entry.id;
      return { marker: entry.id };
    }
    if (typeof entry.k !== 'string') throw new Error('not a journal event');
    state.apply(entry as unknown as JournalEvent);
    // A hello names a session whose frames may follow without a readable marker.
    return entry.k === 's' && typeof entry.id === 'string' ? { hello: entry.id } : undefined;
  });
}
