// The writer's size and time thresholds and the config poll, on a ManualClock: the
// database is the real FerretDB, only the scheduler's time is simulated.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Monitor, type DriverContext } from '../../../src/monitor/index.js';
import { ManualClock, Scheduler } from '../../../src/scheduler/index.js';
import { mongodbUri, uniqueDbName } from '../../helpers/mongo.js';
import { openDb, recordingLogger, tempDir } from '../support.js';
import { waitFor } from '../../helpers/wait.js';

let clock: ManualClock;
let scheduler: Scheduler;
let state: ReturnType<typeof tempDir>;
let conn: Awaited<ReturnType<typeof openDb>>;
let monitor: Monitor | undefined;
let context: DriverContext | undefined;

beforeEach(async () => {
  clock = new ManualClock(new Date('2026-03-01T00:00:00Z'));
  scheduler = new Scheduler({ clock });
  scheduler.start();
  state = tempDir();
  conn = await openDb(mongodbUri(), uniqueDbName('thr_'));
  await conn.db.collection('keys').insertOne({ keyId: 1, unit: 'n' });
  await conn.db.collection('devices').insertOne({ id: 1, name: 'push', driver: 'push' });
  monitor = new Monitor({
    uri: mongodbUri(),
    namespace: conn.db.databaseName,
    scheduler,
    logger: recordingLogger(),
    stateDir: state.dir,
    batchSize: 100,
    flushSeconds: 2,
    pollSeconds: 30,
    drivers: { push: (_config, ctx) => ((context = ctx), {}) },
  });
  await monitor.start();
});

afterEach(async () => {
  await monitor?.stop();
  await scheduler.stop();
  await conn.db.dropDatabase();
  await conn.close();
  state.remove();
});

const stored = (): Promise<number> => conn.db.collection('readings').countDocuments();
const emit = (n: number): void =>
  context!.emit(Array.from({ length: n }, (_, i) => ({ keyId: 1, value: i })));

describe('writer thresholds and polling on a ManualClock', () => {
  it('a partial batch waits flushSeconds; a full batch goes at once; timestamps come from the clock', async () => {
    emit(10);
    await clock.advance(1.9);
    // Nothing on its way: the 10 wait in memory, no batch is being written, no timer is due.
    await waitFor(() => monitor!.stats().writing === 0 && clock.dueTimers() === 0, 5000, 'a quiet writer');
    expect(monitor!.stats().queued).toBe(10);
    expect(await stored()).toBe(0);
    await clock.advance(0.1);
    await waitFor(async () => (await stored()) === 10, 5000, 'the time-triggered flush');
    const doc = await conn.db.collection('readings').findOne();
    expect(doc?.ts).toEqual(new Date('2026-03-01T00:00:00Z'));

    emit(100);
    await waitFor(
      async () => (await stored()) === 110,
      5000,
      'the size-triggered flush without time passing',
    );
  });

  it('the poll notices a changed device only when pollSeconds have passed', async () => {
    await conn.db
      .collection('devices')
      .updateOne({ id: 1 }, { $set: { description: 'now with a description' } });
    await clock.advance(29);
    await new Promise((r) => setTimeout(r, 100));
    expect(monitor!.devices()[0]?.description).toBe('');
    await clock.advance(1);
    await waitFor(
      () => monitor!.devices()[0]?.description === 'now with a description',
      5000,
      'the poll reload',
    );
  });
});
