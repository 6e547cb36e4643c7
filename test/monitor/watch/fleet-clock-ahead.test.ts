// Issue 17 HIGH 5, the watchdog half: FleetWatch judges silence by arrival (when it last saw
// the monitor's heartbeat move), not by the newest `ts` ever written. A real Monitor whose
// ManualClock runs a day ahead writes to FerretDB; the watch runs on its own ManualClock.
import { MongoClient } from 'mongodb';
import { afterEach, describe, expect, it } from 'vitest';
import { FleetWatch, Monitor, type DriverContext } from '../../../src/monitor/index.js';
import { ManualClock, Scheduler } from '../../../src/scheduler/index.js';
import { recordFigure } from '../../helpers/figures.js';
import { mongodbUri } from '../../helpers/mongo.js';
import { waitFor } from '../../helpers/wait.js';
import { recordingLogger, tempDir } from '../support.js';

const today = new Date('2026-03-01T00:00:00Z');
const day = 86_400_000;
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(): Promise<{
  piClock: ManualClock;
  monitor: Monitor;
  emit: (value: number) => void;
  watchClock: ManualClock;
  watch: FleetWatch;
  watchLog: ReturnType<typeof recordingLogger>;
  heartbeats: () => Promise<number>;
}> {
  const prefix = `raspimon_ahead${Math.random().toString(16).slice(2, 8)}_`;
  const namespace = `${prefix}pi`;
  const client = new MongoClient(mongodbUri(), { serverSelectionTimeoutMS: 5000 });
  await client.connect();
  const db = client.db(namespace);
  await db.collection('keys').insertOne({ keyId: 1, unit: 'mC' });
  await db.collection('devices').insertOne({ id: 1, name: 'freezer', driver: 'push' });
  cleanups.push(async () => {
    await db.dropDatabase();
    await client.close();
  });
  // The Pi's clock runs a day ahead of the watch's.
  const piClock = new ManualClock(new Date(today.getTime() + day));
  const piScheduler = new Scheduler({ clock: piClock });
  piScheduler.start();
  const state = tempDir();
  let context: DriverContext | undefined;
  const monitor = new Monitor({
    uri: mongodbUri(),
    namespace,
    scheduler: piScheduler,
    logger: recordingLogger(),
    stateDir: state.dir,
    batchSize: 1,
    pollSeconds: 3600,
    drivers: { push: (_config, ctx) => ((context = ctx), {}) },
  });
  cleanups.push(async () => {
    await monitor.stop();
    await piScheduler.stop();
    state.remove();
  });
  await monitor.start();
  await waitFor(() => context !== undefined, 10_000, 'the push driver');
  const watchClock = new ManualClock(today);
  const watchScheduler = new Scheduler({ clock: watchClock });
  watchScheduler.start();
  const watchLog = recordingLogger();
  const watch = new FleetWatch({
    client,
    scheduler: watchScheduler,
    logger: watchLog,
    silentMinutes: 60,
    checkSeconds: 86_400,
    prefix,
  });
  cleanups.push(async () => {
    await watch.stop();
    await watchScheduler.stop();
  });
  const heartbeats = async (): Promise<number> =>
    Number(
      (await db.collection<{ _id: string; writes?: number }>('status').findOne({ _id: 'readings' }))
        ?.writes ?? 0,
    );
  return {
    piClock,
    monitor,
    emit: (value) => context!.emit([{ keyId: 1, value }]),
    watchClock,
    watch,
    watchLog,
    heartbeats,
  };
}

describe('FleetWatch and a Pi clock a day ahead', () => {
  it('the Pi writes readings stamped a day ahead, then dies: the silence ALERT comes after silentMinutes of the watch clock', async () => {
    const { monitor, emit, watchClock, watch, watchLog, heartbeats } = await setup();
    emit(1);
    await waitFor(async () => (await heartbeats()) >= 1, 10_000, 'the heartbeat');
    await watch.start();
    await watchClock.advance(10 * 60);
    emit(2);
    await waitFor(() => monitor.stats().written === 2, 10_000, 'reading 2');
    await watch.check();
    // The Pi dies.
    await monitor.stop();
    let minutes = 10;
    while (watchLog.records.length === 0 && minutes < 180) {
      await watchClock.advance(5 * 60);
      minutes += 5;
      await watch.check();
    }
    recordFigure({
      id: 'fleet.clock-ahead.alert-after',
      label: 'a Pi whose clock ran a day ahead dies: minutes (watch clock) until the silence ALERT',
      value: minutes,
      unit: 'min',
      bound: '≤ 75 (silentMinutes 60 + check step)',
    });
    expect(watchLog.records).toHaveLength(1);
    expect(watchLog.records[0]!.level).toBe('alert');
    expect(watchLog.records[0]!.message).toMatch(/has sent no reading for 1 h/);
    expect(minutes).toBeLessThanOrEqual(75);
  });

  it('the Pi clock set right (a day back) while it keeps storing: the heartbeat still moves, no false ALERT; silent only once it stops', async () => {
    const { piClock, emit, watchClock, watch, watchLog, heartbeats } = await setup();
    emit(1);
    await waitFor(async () => (await heartbeats()) >= 1, 10_000, 'the heartbeat');
    await watch.start();
    piClock.setWallTime(new Date(watchClock.now()));
    for (let i = 0; i < 4; i++) {
      // Readings now stamped a day earlier than the first one; one heartbeat per minute at most.
      await piClock.advance(30 * 60);
      await watchClock.advance(30 * 60);
      emit(10 + i);
      await waitFor(async () => (await heartbeats()) === i + 2, 10_000, 'the heartbeat to move');
      await watch.check();
    }
    expect(watchLog.records).toEqual([]);
    await watchClock.advance(61 * 60);
    await watch.check();
    expect(watchLog.records.map((r) => r.level)).toEqual(['alert']);
  });
});
