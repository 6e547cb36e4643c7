// A running Monitor on FerretDB with three devices for the status tests: "history" emits,
// once, readings with its own ts spread over the last 24 h (so each chart has a known
// number of minute points), "live" a reading per key on every poll, "broken" fails.
import { MongoClient, type Db } from 'mongodb';
import type { DriverDefinition, DriverReading, Monitor } from '../../src/monitor/index.js';
import { Scheduler } from '../../src/scheduler/index.js';
import { mongodbUri, uniqueDbName } from '../helpers/mongo.js';
import { waitFor } from '../helpers/wait.js';
import { monitorIn } from '../monitor/fixtures/monitor-harness.js';
import { tempDir } from '../monitor/support.js';

/** Minutes (ago) at which the history device has readings of key 1 and of key 2. */
export const historyMinutesAgo = {
  1: [5, 6, 7, 30, 60, 61, 300, 1000, 1400],
  2: [2, 3, 120, 121, 122, 700],
};

export interface StatusWorld {
  monitor: Monitor;
  db: Db;
  namespace: string;
  /** Readings of the history device, as emitted. */
  history: DriverReading[];
  close(): Promise<void>;
}

export async function startStatusWorld(): Promise<StatusWorld> {
  const namespace = uniqueDbName('http_');
  const client = new MongoClient(mongodbUri());
  await client.connect();
  const db = client.db(namespace);
  await db.collection('keys').insertMany([
    { keyId: 1, unit: 'mC', description: 'temperature' },
    { keyId: 2, unit: '%', description: 'humidity <&>' },
  ]);
  await db.collection('devices').insertMany([
    { id: 1, name: 'history', driver: 'history', config: {}, interval: 3600 },
    { id: 2, name: 'live "pump"', driver: 'live', config: {}, interval: 0.05 },
    { id: 3, name: 'broken', driver: 'broken', config: {}, interval: 0.05 },
  ]);
  const scheduler = new Scheduler();
  scheduler.start();
  const now = scheduler.now();
  const history: DriverReading[] = [];
  for (const [keyId, minutes] of Object.entries(historyMinutesAgo))
    for (const [i, ago] of minutes.entries()) {
      // Two readings in some minutes: a chart point is a minute, not a reading.
      const ts = new Date(Math.floor(now / 60_000 - ago) * 60_000 + 1000);
      history.push({ keyId: Number(keyId), value: 1000 * Number(keyId) + i, ts });
      if (i % 2 === 0) history.push({ keyId: Number(keyId), value: -i, ts: new Date(ts.getTime() + 20_000) });
    }
  await db
    .collection('rules')
    .insertOne({ id: 1, name: 'pump hot', keyId: 1, deviceId: 2, above: 10_000, level: 'WARNING' });
  let sent = false;
  let n = 0;
  const drivers: Record<string, DriverDefinition> = {
    history: {
      validateConfig: (config) => ({ ok: true, config, keyIds: [1, 2] }),
      create: () => ({
        read: () => {
          if (sent) return [];
          sent = true;
          return history;
        },
      }),
    },
    live: {
      validateConfig: (config) => ({ ok: true, config, keyIds: [1] }),
      create: () => ({ read: () => [{ keyId: 1, value: 20_000 + (n++ % 7) }] }),
    },
    broken: {
      create: () => ({
        read: () => {
          throw new Error('sensor unplugged');
        },
      }),
    },
  };
  const state = tempDir('raspimon-http-');
  const { monitor } = monitorIn(
    { uri: mongodbUri(), namespace, scheduler, stateDir: state.dir },
    { flushSeconds: 0.05, drivers, retry: { minSeconds: 0.05, maxSeconds: 0.1 } },
  );
  await monitor.start();
  await waitFor(
    async () =>
      (await db.collection('readings').countDocuments({ id: 1 })) === history.length &&
      (await db.collection('readings').countDocuments({ id: 2 })) >= 3 &&
      monitor.deviceStates().some((d) => d.id === 3 && d.errors > 0) &&
      monitor.summary({ charts: false }).rules.length === 1,
    15_000,
    'history stored, live readings, a broken device, a firing rule',
  );
  await monitor.flush();
  return {
    monitor,
    db,
    namespace,
    history,
    async close() {
      await monitor.stop();
      await scheduler.stop();
      await db.dropDatabase().catch(() => undefined);
      await client.close();
      state.remove();
    },
  };
}
