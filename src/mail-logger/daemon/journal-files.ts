// The journal's files and their pure parts: names, generations, replay of a journal file
// into the state, and the errno a filesystem really gave.
import { constants as fsConstants, promises as fs } from 'node:fs';
import path from 'node:path';
import type { DropFrame, RecordFrame } from '../protocol.js';
import type { DaemonState, JournalEvent } from './state.js';

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

/** Applies every complete line of `bytes`; returns the byte length of the valid prefix. */
export function replay(bytes: Buffer, state: DaemonState): number {
  let start = 0;
  let valid = 0;
  let session: string | null = null;
  while (start < bytes.length) {
    const nl = bytes.indexOf(0x0a, start);
    if (nl === -1) break;
    const line = bytes.toString('utf8', start, nl);
    start = nl + 1;
    try {
      if (line.length > 0) {
        const entry = JSON.parse(line) as Record<string, unknown>;
        if (entry.t === 'rec' && session !== null)
          state.apply({ k: 'r', id: session, f: entry as unknown as RecordFrame });
        else if (entry.t === 'drop' && session !== null)
          state.apply({ k: 'd', id: session, f: entry as unknown as DropFrame });
        else if (entry.k === 'c' && typeof entry.id === 'string') session = entry.id;
        else state.apply(entry as unknown as JournalEvent);
      }
      valid = start;
    } catch {
      // Only a torn tail can be unparsable (each batch is fsynced before the next starts);
      // everything from here on is cut.
      break;
    }
  }
  return valid;
}
