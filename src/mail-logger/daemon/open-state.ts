// What MailLoggerServer.start opens on disk, in order: the store (journal and state), then
// the daemon's own scheduler is started, then the dead-letter file. When a step fails, what
// was opened before it is closed again, so a failed start leaves no timer or file open.
import type { Scheduler } from '../../scheduler/index.js';
import { DeadLetters } from '../delivery/dead-letters.js';
import { MailLoggerError } from '../errors.js';
import { Store, type StoreOptions } from './store.js';

/** The daemon's files, open. */
export interface OpenedState {
  store: Store;
  deadLetters: DeadLetters;
}

/**
 * Opens the store and the dead letters in `stateDir`, on `scheduler`'s clock and timers;
 * starts the scheduler when the daemon `owns` it (and stops it again on failure).
 */
export async function openDaemonState(
  stateDir: string,
  scheduler: Scheduler,
  owns: boolean,
  hooks: Pick<StoreOptions, 'onFatal' | 'onApplied' | 'log'>,
): Promise<OpenedState> {
  let store: Store;
  try {
    store = await Store.open(stateDir, {
      now: () => scheduler.now(),
      ...hooks,
      after: (seconds, fn) => void scheduler.onceAfter(seconds, fn),
    });
  } catch (error) {
    if (owns) await scheduler.stop();
    throw error;
  }
  if (owns) scheduler.start();
  const deadLetters = await DeadLetters.open(stateDir).catch(async (error: unknown) => {
    await store.close();
    if (owns) await scheduler.stop();
    throw new MailLoggerError(
      'ERR_STATE_DIR',
      `cannot read the dead-letter file in ${stateDir} (${(error as NodeJS.ErrnoException).code ?? String(error)}): make the directory readable by the daemon's user`,
      { cause: error },
    );
  });
  return { store, deadLetters };
}
