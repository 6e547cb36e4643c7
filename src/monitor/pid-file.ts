// The pid file `raspimon devices add --reload <pidfile>` reads to send the monitor SIGHUP.
// Written atomically (temp file + rename) so a reader never sees it half-written.
import { readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { describeError } from '../internal/index.js';
import { ConfigError } from './errors.js';

/**
 * Writes `pid` and a newline to `file` through a temp file in the same directory and a
 * rename. Creates no directory. Failure is a ConfigError naming the file and the fix.
 */
export async function writePidFile(file: string, pid: number = process.pid): Promise<void> {
  const temp = `${file}.${pid}.tmp`;
  try {
    await writeFile(temp, `${pid}\n`, { mode: 0o644 });
    await rename(temp, file);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw new ConfigError(
      `cannot write the pid file ${file} (${describeError(error)}); pass an options.pidFile in an existing directory this user may write, e.g. /run/raspimon-monitor/monitor.pid with RuntimeDirectory=raspimon-monitor in the systemd unit`,
      { cause: error },
    );
  }
}

/**
 * Removes `file` if it still holds `pid` (another process may have taken it over since).
 * Returns true when it was removed; a file that is already gone is not an error.
 */
export async function removePidFile(file: string, pid: number = process.pid): Promise<boolean> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  if (text.trim() !== String(pid)) return false;
  try {
    await unlink(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  return true;
}
