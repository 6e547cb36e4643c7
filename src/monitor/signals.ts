// Monitor.handleSignals(): SIGHUP → reload(), SIGTERM/SIGINT → stop() then onStop or the
// signal again. Kept apart from the Monitor so the error path can be tested on its own.
import { describeError } from '../internal/index.js';
import type { MonitorLogger } from './types.js';

/** What the signal handlers drive: a Monitor. */
export interface SignalTarget {
  reload(): Promise<unknown>;
  stop(): Promise<void>;
}

/** Options of handleSignals(). */
export interface SignalOptions {
  /** Runs once stop() has settled, instead of raising the signal again. */
  onStop?: (signal: NodeJS.Signals) => void;
}

/** The process-wide part handleSignals() needs; `process` by default, a stand-in in tests. */
export interface SignalProcess {
  on(event: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
  off(event: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
  kill(pid: number, signal: NodeJS.Signals): unknown;
  readonly pid: number;
}

/**
 * Installs the handlers and returns their uninstaller. A stop() that rejects is reported
 * through the logger and onStop (or the re-raised signal) still follows, so the process
 * ends as asked. A second SIGTERM/SIGINT while stopping is reported and otherwise ignored:
 * the first one's stop() is still writing pending readings.
 */
export function installSignalHandlers(
  target: SignalTarget,
  logger: MonitorLogger,
  options: SignalOptions = {},
  proc: SignalProcess = process,
): () => void {
  let stopping: NodeJS.Signals | undefined;
  const onHup = (): void => void target.reload();
  const onStop = (signal: NodeJS.Signals): void => {
    if (stopping !== undefined) {
      logger.info(`${signal} while stopping after ${stopping}: still writing pending readings; wait for it`);
      return;
    }
    stopping = signal;
    void target
      .stop()
      .catch((error: unknown) => {
        logger.error(`stop() after ${signal} failed (${describeError(error)}); ending the process anyway`);
      })
      .then(() => {
        cleanup();
        if (options.onStop) options.onStop(signal);
        else proc.kill(proc.pid, signal);
      });
  };
  proc.on('SIGHUP', onHup);
  proc.on('SIGTERM', onStop);
  proc.on('SIGINT', onStop);
  let installed = true;
  const cleanup = (): void => {
    if (!installed) return;
    installed = false;
    proc.off('SIGHUP', onHup);
    proc.off('SIGTERM', onStop);
    proc.off('SIGINT', onStop);
  };
  return cleanup;
}
