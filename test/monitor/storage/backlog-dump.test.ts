// Issue 17 HIGH 3: a driver hands over a whole backlog in one call (a data logger dumping
// its memory). What does not fit in memory goes to the spool, readings are dropped only
// when the spool is at its limit (counted, reported once), arrival order is kept, and the
// event loop stays free: the intake takes a backlog in slices of a bounded size.
import { describe, expect, it } from 'vitest';
import type { Monitor } from '../../../src/monitor/index.js';
import { intakeSliceReadings } from '../../../src/monitor/intake/reading-intake.js';
import { longestBlock } from '../../helpers/event-loop-block.js';
import { recordFigure } from '../../helpers/figures.js';
import { waitFor } from '../../helpers/wait.js';
import { pushDriver, type MonitorOptions, type RecordingLogger } from '../fixtures/monitor-harness.js';
import { useOutageWorld } from './fixtures/outage-world.js';

const world = useOutageWorld('dump_');

async function started(extra: Omit<Partial<MonitorOptions>, 'logger'> = {}): Promise<{
  monitor: Monitor;
  logger: RecordingLogger;
  emit: (n: number) => void;
  emitList: (readings: { keyId: number; value: number }[]) => void;
}> {
  await world.seed([{ id: 1, name: 'logger', driver: 'push' }]);
  const push = pushDriver();
  const { monitor, logger } = world.monitor({
    pollSeconds: 0.5,
    drivers: { push: push.definition },
    ...extra,
  });
  await monitor.start();
  const context = await push.started(1);
  const emit = (n: number): void =>
    context.emit(Array.from({ length: n }, (_, i) => ({ keyId: 1, value: i })));
  return { monitor, logger, emit, emitList: (readings) => context.emit(readings) };
}

async function drained(monitor: Monitor, timeoutMs = 120_000): Promise<void> {
  await waitFor(
    async () => monitor.stats().backlog === 0 && (await monitor.flush()) && monitor.stats().queued === 0,
    timeoutMs,
    'the backlog to be stored',
  );
}

/** The figure of a 100,000-reading dump: how many were stored. */
function recordStored100k(id: string, database: string, stored: number): void {
  recordFigure({
    id: `monitor.dump-100k-${id}.stored`,
    label: `100,000 readings emitted in one call, ${database}: readings stored`,
    value: stored,
    unit: 'readings',
    bound: '= 100000',
  });
}

const sorted = (values: number[]): number[] => [...values].sort((a, b) => a - b);
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

describe('a backlog handed over in one call', () => {
  it('100,000 readings in one call with the database up: all stored, once each, in arrival order', async () => {
    const { monitor, emit } = await started();
    emit(100_000);
    await drained(monitor);
    const values = await world.storedValues('arrival');
    recordStored100k('up', 'database up', values.length);
    expect(values.length).toBe(100_000);
    expect(values).toEqual(range(100_000));
    expect(monitor.stats()).toMatchObject({ memoryDropped: 0, spoolDropped: 0 });
  }, 180_000);

  it('100,000 readings in one call with the database down: spooled, all stored once it is up', async () => {
    const { monitor, emit, logger } = await started();
    await world.kill();
    emit(100_000);
    await waitFor(
      () => monitor.stats().backlog === 0 && monitor.stats().spooled + monitor.stats().queued === 100_000,
      60_000,
      'spooling',
    );
    expect(monitor.stats().spooled).toBeGreaterThanOrEqual(80_000);
    await world.restart();
    await drained(monitor);
    const values = await world.storedValues('arrival');
    recordStored100k('down', 'database down then up', values.length);
    expect(sorted(values)).toEqual(range(100_000));
    expect(values).toEqual(range(100_000));
    expect(monitor.stats()).toMatchObject({ memoryDropped: 0, spoolDropped: 0 });
    expect(logger.records.filter((r) => r.level === 'alert')).toEqual([]);
  }, 180_000);

  it('a 50,000-reading burst with default options and a healthy database: all stored', async () => {
    const { monitor, emit } = await started();
    for (let i = 0; i < 50; i++) emit(1000);
    await drained(monitor);
    const values = await world.storedValues('arrival');
    expect(values.length).toBe(50_000);
    expect(monitor.stats()).toMatchObject({ memoryDropped: 0, spoolDropped: 0 });
  }, 180_000);

  it(`1,000,000 readings in one call, database down, spool limit 4 MiB: no synchronous step takes more than ${intakeSliceReadings} readings, every reading stored or counted as spool loss, reported once`, async () => {
    const { monitor, emitList, logger } = await started({ spoolLimitBytes: 4 * 1024 * 1024 });
    await world.kill();
    // Readings per synchronous step: a listener counts them, an immediate-chain probe (one
    // turn of the event loop per probe) takes the count and resets it.
    let sinceProbe = 0;
    let largestStep = 0;
    let probing = true;
    const probe = (): void => {
      largestStep = Math.max(largestStep, sinceProbe);
      sinceProbe = 0;
      if (probing) setImmediate(probe);
    };
    monitor.onReading(() => void sinceProbe++);
    const readings = Array.from({ length: 1_000_000 }, (_, i) => ({ keyId: 1, value: i }));
    setImmediate(probe);
    const block = await longestBlock(async () => {
      emitList(readings);
      await waitFor(() => monitor.stats().backlog === 0, 120_000, 'the intake to take the dump');
    });
    probing = false;
    recordFigure({
      id: 'monitor.dump-1m.longest-block',
      label:
        'longest event-loop block (wall clock, includes preemption on a loaded machine) while 1,000,000 readings handed over in one call are taken in, database down',
      value: Math.round(Math.max(block.histogramMs, block.lagMs) * 10) / 10,
      unit: 'ms',
    });
    recordFigure({
      id: 'monitor.dump-1m.longest-block-cpu',
      label: 'most CPU time the event loop thread used between two 1 ms probe ticks during the same dump',
      value: Math.round(block.cpuMs * 10) / 10,
      unit: 'ms',
    });
    recordFigure({
      id: 'monitor.dump-1m.largest-step',
      label: 'most readings taken in one synchronous step during the same dump',
      value: largestStep,
      unit: 'readings',
      bound: `≤ ${intakeSliceReadings}`,
    });
    expect(largestStep).toBeGreaterThan(0);
    expect(largestStep).toBeLessThanOrEqual(intakeSliceReadings);
    await world.restart();
    await drained(monitor);
    const values = await world.storedValues('arrival');
    const { spoolDropped, memoryDropped } = monitor.stats();
    recordFigure({
      id: 'monitor.dump-1m.accounted',
      label: '1,000,000 readings in one call, 4 MiB spool: stored + counted spool loss',
      value: values.length + spoolDropped,
      unit: 'readings',
      bound: '= 1000000',
    });
    expect(memoryDropped).toBe(0);
    expect(new Set(values).size).toBe(values.length);
    expect(values.length + spoolDropped).toBe(1_000_000);
    // The newest are kept whole (at least the last spill's or what memory held at the end).
    expect(values.slice(-1000)).toEqual(range(1000).map((i) => 999_000 + i));
    expect(logger.records.filter((r) => /^readings spool: full/.test(r.message))).toHaveLength(1);
    expect(logger.records.filter((r) => r.level === 'alert')).toEqual([]);
  }, 300_000);
});
