import type { ChildProcess } from 'node:child_process';

/**
 * Sends `signal` to a peer's process, if it still runs, and resolves once it has exited: the
 * stop of every peer helper (FerretDB, mosquitto, socat), so a restart never races the old one.
 */
export async function stopChild(
  proc: ChildProcess | undefined,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<void> {
  if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
  const done = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  proc.kill(signal);
  await done;
}
