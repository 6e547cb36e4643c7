// Issue 17 HIGH 5: a reading `ts` in milliseconds, or more than maxFutureSkewSeconds ahead of
// the clock, is refused with a per-device error (counted, reported once per spell), never
// stored, and opens no rollup hour. The database is the real FerretDB; the clock a ManualClock.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Monitor } from '../../../src/monitor/index.js';
import { ManualClock, Scheduler } from '../../../src/scheduler/index.js';
import { mongodbUri } from '../../helpers/mongo.js';
import { waitFor } from '../../helpers/wait.js';
import { recordFigure } from '../../helpers/figures.js';
import { monitorHarness, type MonitorOptions, type RecordingLogger } from '../fixtures/monitor-harness.js';

const start = new Date('2026-03-01T00:00:00Z');
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function started(extra: Omit<Partial<MonitorOptions>, 'logger'> = {}): Promise<{
  monitor: Monitor;
  logger: RecordingLogger;
  clock: ManualClock;
  emit: (readings: Array<{ keyId: number; value: number; ts?: Date | number }>) => void;
  stored: () => Promise<number>;
  stateDir: string;
}> {
  const h = await monitorHarness({
    prefix: 'ts_',
    clockAt: start,
    keys: [{ keyId: 1, unit: 'mC' }],
    devices: [{ id: 7, name: 'logger', driver: 'push' }],
  });
  cleanups.push(() => h.dispose());
  const { monitor, logger } = h.monitor({
    batchSize: 10,
    flushSeconds: 1,
    pollSeconds: 3600,
    drivers: { push: h.push.definition },
    ...extra,
  });
  await monitor.start();
  const context = await h.push.started(7);
  return {
    monitor,
    logger,
    clock: h.clock,
    emit: (readings) => context.emit(readings),
    stored: () => h.db.collection('readings').countDocuments(),
    stateDir: h.stateDir,
  };
}

/** Hour starts (epoch ms) of the open rollup hours the monitor saved. */
function savedHours(stateDir: string): number[] {
  const state = JSON.parse(readFileSync(path.join(stateDir, 'rollups.json'), 'utf8')) as {
    hours: Array<[number, number, number, unknown]>;
  };
  return state.hours.map(([, , hour]) => hour);
}

describe('reading timestamps', () => {
  it('ts in milliseconds (Date.now()): 500 readings refused, one error, none stored, no rollup hour opened; a good ts afterwards ends the spell with its count', async () => {
    const { monitor, logger, clock, emit, stored, stateDir } = await started();
    for (let i = 0; i < 5; i++)
      emit(Array.from({ length: 100 }, (_, j) => ({ keyId: 1, value: j, ts: clock.now() + j })));
    expect(monitor.stats().rejectedTimestamp).toBe(500);
    expect(monitor.stats().accepted).toBe(0);
    const errors = logger.records.filter((r) => r.context?.code === 'ERR_READING_TS');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.level).toBe('error');
    expect(errors[0]!.message).toMatch(
      /^device 7 "logger": ts \d+ for keyId 1 looks like epoch milliseconds/,
    );
    expect(monitor.deviceStates()[0]!.rejected.timestamp).toBe(500);

    emit([{ keyId: 1, value: 42, ts: clock.now() / 1000 }]);
    expect(logger.text('warning')).toContain(
      'device 7 "logger": readings with a good ts again; 500 reading(s) were refused for their ts',
    );
    await clock.advance(2);
    await waitFor(async () => (await monitor.flush()) && (await stored()) === 1, 10_000, 'the good reading');
    await monitor.stop();
    const hours = savedHours(stateDir);
    recordFigure({
      id: 'monitor.ts-ms.rollup-hours',
      label: '500 readings with ts in milliseconds: open rollup hours saved (only the current one)',
      value: hours.length,
      unit: 'hours',
      bound: '= 1',
    });
    expect(hours).toEqual([start.getTime()]);
    expect(await stored()).toBe(1);
  });

  it('ts 2 days ahead is refused by default (1 day of skew allowed), 23 h ahead is taken; maxFutureSkewSeconds: 60 refuses 5 min ahead', async () => {
    const first = await started();
    const day = 86_400_000;
    first.emit([
      { keyId: 1, value: 1, ts: new Date(first.clock.now() + 2 * day) },
      { keyId: 1, value: 2, ts: new Date(first.clock.now() + 23 * 3_600_000) },
    ]);
    expect(first.monitor.stats()).toMatchObject({ rejectedTimestamp: 1, accepted: 1 });
    expect(first.logger.text('error')).toMatch(
      /ts 2026-03-03T00:00:00.000Z for keyId 1 is 172800 s ahead of the clock \(more than maxFutureSkewSeconds, 86400\)/,
    );

    const strict = await started({ maxFutureSkewSeconds: 60 });
    strict.emit([
      { keyId: 1, value: 1, ts: (strict.clock.now() + 300_000) / 1000 },
      { keyId: 1, value: 2, ts: (strict.clock.now() + 30_000) / 1000 },
      { keyId: 1, value: 3 },
    ]);
    expect(strict.monitor.stats()).toMatchObject({ rejectedTimestamp: 1, accepted: 2 });
  });

  it('maxFutureSkewSeconds must be a number ≥ 0', () => {
    const scheduler = new Scheduler({ clock: new ManualClock(start) });
    expect(
      () => new Monitor({ uri: mongodbUri(), namespace: 'x', scheduler, maxFutureSkewSeconds: -1 }),
    ).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
  });
});
