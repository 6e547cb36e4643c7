// `--reload <pidfile>`: tells a running monitor to reload its configuration now by
// sending it SIGHUP (Monitor.handleSignals()), as `systemctl reload` does.
import { readFile } from 'node:fs/promises';
import { ReloadError } from './errors.js';

/** A process that can be signalled; `process` by default, replaceable in tests. */
export interface Signaller {
  kill(pid: number, signal: NodeJS.Signals | 0): unknown;
}

/**
 * Reads the pid in `pidfile` and checks that the process exists and may be signalled
 * (signal 0), without signalling it. Returns the pid.
 */
export async function monitorPid(pidfile: string, signaller: Signaller = process): Promise<number> {
  let text: string;
  try {
    text = await readFile(pidfile, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? String(error)})`;
    throw new ReloadError(
      `pidfile ${pidfile} ${why}; is the monitor running, and is this the file its main script writes?`,
      { cause: error },
    );
  }
  const pid = Number(text.trim());
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(pid) || pid <= 1) {
    throw new ReloadError(
      `pidfile ${pidfile} does not hold a process id (it holds ${JSON.stringify(text.trim().slice(0, 40))}); it should contain the monitor's pid, e.g. written with writeFileSync(pidfile, String(process.pid))`,
    );
  }
  try {
    signaller.kill(pid, 0);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ESRCH') {
      throw new ReloadError(
        `pidfile ${pidfile} is stale: no process ${pid} is running; start the monitor (or remove the stale file)`,
        { cause: error },
      );
    }
    if (code === 'EPERM') {
      throw new ReloadError(
        `process ${pid} from ${pidfile} belongs to another user; run this command as that user (or with sudo)`,
        { cause: error },
      );
    }
    throw new ReloadError(`cannot signal process ${pid} from ${pidfile} (${code ?? String(error)})`, {
      cause: error,
    });
  }
  return pid;
}

/** Sends SIGHUP to the monitor whose pid is in `pidfile`; returns the pid. */
export async function signalReload(pidfile: string, signaller: Signaller = process): Promise<number> {
  const pid = await monitorPid(pidfile, signaller);
  try {
    signaller.kill(pid, 'SIGHUP');
  } catch (error) {
    throw new ReloadError(
      `cannot send SIGHUP to process ${pid} from ${pidfile} (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
      { cause: error },
    );
  }
  return pid;
}
