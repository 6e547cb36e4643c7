// Taking the state directory for one daemon: created if missing (reporting the errno the
// filesystem really gave), locked against a second daemon, the pre-0.2 pid file removed, the
// state recovered from its snapshot and journals (recovery.ts), and the current journal file
// opened for appending after its last whole line. Writing to it is journal.ts.
import { promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { tryInstanceLock, type InstanceLock } from '../../internal/index.js';
import { MailLoggerError } from '../errors.js';
import { describeFsError, journalName, LEGACY_PID_FILE, makeDir } from './journal-files.js';
import { recoverState, type Recovery } from './recovery.js';

/** A state directory taken by this daemon: release `lock` when done with it. */
export interface TakenStateDir {
  lock: InstanceLock;
  recovery: Recovery;
  /** The current journal file, open for appending, a torn last line cut off. */
  handle: FileHandle;
}

/**
 * Takes `dir` for this daemon. Throws {@link MailLoggerError} `ERR_STATE_DIR` when it cannot
 * be created, `ERR_STATE_LOCKED` when another daemon holds it, and the filesystem's error
 * when it cannot be read (the lock is then released).
 */
export async function takeStateDir(
  dir: string,
  now: () => number,
  log: ((line: string) => void) | undefined,
): Promise<TakenStateDir> {
  try {
    await makeDir(dir, 0o700);
  } catch (error) {
    throw new MailLoggerError(
      'ERR_STATE_DIR',
      `cannot create the state directory ${dir} (${describeFsError(error)}): create it writable by the daemon's user, or pass --state-dir`,
      { cause: error },
    );
  }
  const attempt = await tryInstanceLock({ dir, name: 'mail-logger', now: now() });
  if (!attempt.acquired) {
    const pid = attempt.holder?.pid;
    throw new MailLoggerError(
      'ERR_STATE_LOCKED',
      `the state directory ${dir} is in use by another mail-logger daemon${pid === undefined ? '' : ` (pid ${pid})`}: stop it, or pass another --state-dir`,
    );
  }
  const lock = attempt.lock;
  try {
    await fs.rm(path.join(dir, LEGACY_PID_FILE), { force: true });
    const recovery = await recoverState(dir, now());
    for (const line of recovery.log) log?.(line);
    const handle = await fs.open(path.join(dir, journalName(recovery.gen)), 'a+', 0o600);
    // A torn last line (killed mid-write) is cut off so the next append starts a new line.
    if (recovery.size !== null && recovery.keep < recovery.size) await handle.truncate(recovery.keep);
    return { lock, recovery, handle };
  } catch (error) {
    await lock.release();
    throw error;
  }
}
