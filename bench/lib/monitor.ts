// The monitor as the benches run it: on a started Scheduler of its own, with a logger that
// drops every record; for the write benches, with one streaming device whose driver only
// hands its context to the bench, which emits the readings itself.
import type { Db } from 'mongodb';
import {
  Monitor,
  type DriverContext,
  type DriverReading,
  type MonitorOptions,
} from '../../src/monitor/index.js';
import { Scheduler } from '../../src/scheduler/index.js';

/** A logger that drops every record: a bench measures the work, not the printing. */
export const silentLogger = { debug() {}, info() {}, warning() {}, error() {}, alert() {} };

/** A Monitor (not started yet) on a started Scheduler of its own, logging nowhere. */
export function benchMonitor(options: Omit<MonitorOptions, 'scheduler' | 'logger'>): {
  monitor: Monitor;
  scheduler: Scheduler;
} {
  const scheduler = new Scheduler();
  scheduler.start();
  const monitor = new Monitor({ ...options, scheduler, logger: silentLogger });
  return { monitor, scheduler };
}

/** Adds key 1 (unit `n`) and device 1, named `name`, read by `driver`, to the namespace of `db`. */
export async function addStreamingDevice(db: Db, name: string, driver: string): Promise<void> {
  await db.collection('keys').insertOne({ keyId: 1, unit: 'n' });
  await db.collection('devices').insertOne({ id: 1, name, driver });
}

/**
 * A started monitor (see {@link benchMonitor}) whose `driver` only hands its context over: the
 * bench emits through it as a streaming device would (add the device first:
 * {@link addStreamingDevice}). Resolves once the device runs.
 */
export async function startStreamingMonitor(
  driver: string,
  options: Omit<MonitorOptions, 'scheduler' | 'logger' | 'drivers'>,
): Promise<{ monitor: Monitor; scheduler: Scheduler; context: DriverContext }> {
  let context: DriverContext | undefined;
  const started = benchMonitor({
    ...options,
    drivers: { [driver]: (_config, ctx) => ((context = ctx), {}) },
  });
  await started.monitor.start();
  while (context === undefined) await new Promise((r) => setTimeout(r, 10));
  return { ...started, context };
}

/**
 * Emits `total` readings as bursts of `burst` (whole bursts), letting the writer run after
 * every 10,000 readings as a real device's pauses would.
 */
export async function emitInBursts(
  context: DriverContext,
  burst: readonly DriverReading[],
  total: number,
): Promise<void> {
  for (let sent = 0; sent < total; sent += burst.length) {
    context.emit(burst);
    if (sent % 10_000 === 0) await new Promise((r) => setImmediate(r));
  }
}
