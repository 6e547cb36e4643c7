// What start() does around the running pieces: the state dir's single-instance lock, the
// pid file for `raspimon … --reload`, and the hourly retention job. Kept apart from the
// Monitor's wiring; each reports through the logger or throws a named error.
import { mkdir } from 'node:fs/promises';
import { describeError, tryInstanceLock, type InstanceLock } from '../internal/index.js';
import { ConfigError, MonitorLockedError } from './errors.js';
import { removePidFile, writePidFile } from './pid-file.js';
import type { MonitorLogger } from './types.js';

/** The ConfigError for a state dir that cannot be created, locked or written. */
export function unusableStateDir(stateDir: string, error: unknown): ConfigError {
  return new ConfigError(
    `cannot use the state dir ${stateDir} for the readings spool (${describeError(error)}); pass a writable options.stateDir`,
    { cause: error },
  );
}

/** Creates `stateDir` and takes its lock, or throws MonitorLockedError naming the holder. */
export async function lockStateDir(stateDir: string, namespace: string, now: number): Promise<InstanceLock> {
  const attempt = await mkdir(stateDir, { recursive: true })
    .then(() => tryInstanceLock({ dir: stateDir, name: 'monitor', about: `namespace "${namespace}"`, now }))
    .catch((error: unknown) => {
      throw unusableStateDir(stateDir, error);
    });
  if (attempt.acquired) return attempt.lock;
  const holder = attempt.holder;
  const who = holder
    ? `process ${holder.pid} (${holder.about ?? 'a monitor'}, since ${new Date(holder.since).toISOString()})`
    : 'another process';
  throw new MonitorLockedError(
    `another monitor already runs on the state dir ${stateDir}: ${who} holds the lock ${attempt.where}; stop it first, or give this monitor its own namespace and stateDir (two monitors would store every reading twice)`,
  );
}

/** Writes the pid file, if any, warning when nothing handles SIGHUP; returns it once written. */
export async function advertisePid(
  file: string | undefined,
  logger: MonitorLogger,
): Promise<string | undefined> {
  if (file === undefined) return undefined;
  await writePidFile(file);
  if (process.listenerCount('SIGHUP') === 0)
    logger.warning(
      `pid file ${file} written, but nothing handles SIGHUP: \`raspimon … --reload ${file}\` would end this process; call monitor.handleSignals() before start()`,
    );
  return file;
}

/** Removes our pid file; a failure is a warning (the file names a pid that is about to be gone). */
export async function withdrawPid(file: string, logger: MonitorLogger): Promise<void> {
  await removePidFile(file).catch((error: unknown) => {
    logger.warning(`cannot remove the pid file ${file} (${describeError(error)}); remove it by hand`);
  });
}
