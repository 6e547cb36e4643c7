// stop()'s work: takes the run down in the reverse order of start(). A step that fails does
// not skip the others; the failures come back, first one first.
import type { ReadingListener } from '../intake/reading-intake.js';
import { withdrawPid } from '../start-guards.js';
import type { StoredListener } from '../storage/readings-writer.js';
import type { MonitorLogger } from '../types.js';
import type { Running } from './running.js';
import { writeStatus } from './status.js';

/** What stopping needs besides the run. */
export interface StopContext {
  namespace: string;
  logger: MonitorLogger;
  stopTimeoutMs: number;
  readingListeners: Set<ReadingListener>;
  storedListeners: Set<StoredListener>;
}

/** Stops the run; returns the failures of the steps that failed (empty when none did). */
export async function stopRunning(run: Running, ctx: StopContext): Promise<unknown[]> {
  const failures: unknown[] = [];
  const step = async (work: () => unknown): Promise<void> => {
    try {
      await work();
    } catch (error) {
      failures.push(error);
    }
  };
  // A stopping monitor no longer reloads: stop advertising the pid for SIGHUP first.
  if (run.pidFile !== undefined) await withdrawPid(run.pidFile, ctx.logger);
  run.pidFile = undefined;
  for (const job of run.jobs.splice(0)) await step(() => run.scheduler.remove(job));
  await run.reloader.settled();
  await step(() => run.fleet.stopAll());
  // What drivers handed over before they stopped goes to the writer (and so to the spool).
  await step(() => run.intake.drain());
  ctx.readingListeners.delete(run.rules.listener);
  await step(() => run.rules.stop());
  if (run.mqtt) {
    const mqtt = run.mqtt;
    ctx.readingListeners.delete(mqtt.listener);
    // `offline` on the status topic, then disconnect (the last will covers crashes).
    await step(() => mqtt.stop());
  }
  await step(() => run.writer.close(ctx.stopTimeoutMs));
  // After the writer: what it stored while closing is in the saved open hours.
  await step(() => run.rollups.close());
  run.unhookRollups();
  ctx.storedListeners.delete(run.heartbeat.listener);
  run.heartbeat.stop();
  await run.presence.leave();
  await writeStatus(run, ctx.namespace, 'stopped');
  await step(() => run.connection.close());
  await step(() => run.lock.release());
  await step(() => run.ownScheduler?.stop());
  return failures;
}
