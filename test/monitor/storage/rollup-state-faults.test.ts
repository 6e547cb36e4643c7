// Issue 17 LOW: rollups.json of valid JSON but the wrong shape must not stop the monitor, and
// readings stored after their hour was written (a clock stepped back) are added to that hour by
// the monitor itself. Real FerretDB; the clock is a ManualClock stepped with setWallTime.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Monitor } from '../../../src/monitor/index.js';
import { bucketStats } from '../../../src/monitor/storage/readings-queries.js';
import type { ManualClock } from '../../../src/scheduler/index.js';
import { recordFigure } from '../../helpers/figures.js';
import { waitFor } from '../../helpers/wait.js';
import { monitorHarness, type MonitorHarness, type RecordingLogger } from '../fixtures/monitor-harness.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(
  start: Date,
  stateFile?: string,
): Promise<{
  monitor: Monitor;
  logger: RecordingLogger;
  clock: ManualClock;
  emit: (value: number) => void;
  db: MonitorHarness['db'];
}> {
  const h = await monitorHarness({
    prefix: 'rst_',
    clockAt: start,
    keys: [{ keyId: 1, unit: 'n' }],
    devices: [{ id: 1, name: 'meter', driver: 'push' }],
  });
  cleanups.push(() => h.dispose());
  if (stateFile !== undefined) writeFileSync(path.join(h.stateDir, 'rollups.json'), stateFile);
  const { monitor, logger } = h.monitor({
    batchSize: 1000,
    flushSeconds: 1,
    pollSeconds: 3600,
    rollupGraceSeconds: 60,
    drivers: { push: h.push.definition },
  });
  await monitor.start();
  const context = await h.push.started(1);
  return { monitor, logger, clock: h.clock, emit: (value) => context.emit([{ keyId: 1, value }]), db: h.db };
}

describe('rollup state faults', () => {
  for (const [name, content] of [
    ['{"version":1,"clean":true}', '{"version":1,"clean":true}'],
    [
      'writtenThroughMs 1e20',
      JSON.stringify({
        version: 1,
        clean: true,
        savedAtMs: 0,
        writtenThroughMs: 1e20,
        coveredFromMs: null,
        pendingDays: [],
        recovery: null,
        hours: [],
      }),
    ],
    [
      'an hours row with count "x"',
      JSON.stringify({
        version: 1,
        clean: true,
        savedAtMs: 0,
        writtenThroughMs: 0,
        coveredFromMs: 0,
        pendingDays: [],
        recovery: null,
        hours: [[1, 1, 0, { count: 'x' }]],
      }),
    ],
  ] as const) {
    it(`rollups.json of the wrong shape (${name}): the monitor starts, warns once, readings are stored`, async () => {
      const { monitor, logger, emit, db } = await setup(new Date('2026-03-01T02:00:00Z'), content);
      expect(logger.text('warning')).toMatch(/rollups: .*rollups\.json is valid JSON of the wrong shape/);
      emit(5);
      await waitFor(
        async () => (await monitor.flush()) && (await db.collection('readings').countDocuments()) === 1,
      );
    });
  }

  it('clock stepped back 1 h after hour 02 was written: the 49 late readings are added to hour 02 (109, as raw says) without a rebuild', async () => {
    const { monitor, clock, emit, db, logger } = await setup(new Date('2026-03-01T02:00:00Z'));
    for (let i = 0; i < 60; i++) {
      emit(i);
      await clock.advance(60);
    }
    await waitFor(
      async () => (await monitor.flush()) && (await db.collection('readings').countDocuments()) === 60,
    );
    // Past 03:00 and the grace: a rollup tick writes hour 02 (one per minute of the clock).
    await waitFor(
      async () => {
        await clock.advance(60);
        return monitor.rollupStats().hourlyWritten >= 1;
      },
      20_000,
      'hour 02 written',
    );
    clock.setWallTime(new Date('2026-03-01T02:10:00Z'));
    for (let i = 0; i < 49; i++) {
      emit(100 + i);
      await clock.advance(1);
    }
    await waitFor(
      async () => (await monitor.flush()) && monitor.rollupStats().late === 49,
      10_000,
      'late readings',
    );
    const hour = {
      id: 1,
      keyId: 1,
      from: new Date('2026-03-01T02:00:00Z'),
      to: new Date('2026-03-01T03:00:00Z'),
      bucketSeconds: 3600,
    };
    const raw = await bucketStats(db.collection('readings'), hour);
    let got = await monitor.buckets(hour);
    await waitFor(
      async () => {
        await clock.advance(60);
        got = await monitor.buckets(hour);
        return got[0]?.count === 109;
      },
      20_000,
      'the correction',
    );
    recordFigure({
      id: 'rollups.clock-back.hour-count',
      label:
        'hour 02 written with 60 readings, clock stepped back 1 h, 49 more: readings the hour reads (no rebuild)',
      value: got[0]!.count,
      unit: 'readings',
      bound: '= 109',
    });
    expect(raw[0]!.count).toBe(109);
    expect(got).toEqual(raw);
    expect(logger.text('warning')).toMatch(/added to their hour and day by correction documents/);
    expect(await db.collection('readings_hourly').countDocuments({ start: hour.from })).toBe(2);
  });
});
