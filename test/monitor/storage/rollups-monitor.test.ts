// The rollups inside a running Monitor on FerretDB: buckets() answers from memory for what
// it holds and from raw for the rest, with the same figures as the raw aggregation; the
// digest section; retention options.
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Monitor, type DriverReading } from '../../../src/monitor/index.js';
import { bucketStats } from '../../../src/monitor/storage/readings-queries.js';
import { Scheduler } from '../../../src/scheduler/index.js';
import { mongodbUri, uniqueDbName } from '../../helpers/mongo.js';
import { waitFor } from '../../helpers/wait.js';
import { monitorIn } from '../fixtures/monitor-harness.js';
import { tempDir } from '../support.js';

const namespace = uniqueDbName('rollm_');
const client = new MongoClient(mongodbUri());
const state = tempDir('raspimon-rollm-');
const scheduler = new Scheduler();
let monitor: Monitor;
let startMs = 0;
const emitted: DriverReading[] = [];

beforeAll(async () => {
  await client.connect();
  const db = client.db(namespace);
  await db.collection('keys').insertOne({ keyId: 1, unit: 'mC', description: 'temperature' });
  await db
    .collection('devices')
    .insertOne({ id: 4, name: 'tank', driver: 'tank', config: {}, interval: 0.05 });
  scheduler.start();
  startMs = scheduler.now();
  // Readings from before the start (raw only) and after it (memory too).
  for (let i = 0; i < 40; i++)
    emitted.push({ keyId: 1, value: (i * 53) % 97, ts: new Date(startMs - (i + 1) * 150_000) });
  let n = 0;
  let historySent = false;
  ({ monitor } = monitorIn(
    { uri: mongodbUri(), namespace, scheduler, stateDir: state.dir },
    {
      flushSeconds: 0.05,
      retention: { hourlyDays: 400 },
      drivers: {
        tank: {
          validateConfig: (config) => ({ ok: true, config, keyIds: [1] }),
          create: (_config, context) => ({
            read: () => {
              // 60 live readings, then quiet: the tests compare against a fixed raw collection.
              if (n >= 60) return [];
              const batch: DriverReading[] = historySent ? [] : [...emitted];
              historySent = true;
              // Timed from the first whole minute after the start (the minutes memory answers
              // for), each sent once it is less than a minute ahead (memory keeps no later ones).
              const ts = Math.ceil(startMs / 60_000) * 60_000 + n * 100;
              if (ts > context.now() + 55_000) return batch;
              const live = { keyId: 1, value: 1000 + (n++ % 11), ts: new Date(ts) };
              emitted.push(live);
              return [...batch, live];
            },
          }),
        },
      },
    },
  ));
  await monitor.start();
  // 40 from before the start and 60 live: all of them (waiting for 60 let a loaded run go on
  // with only 20 live readings in memory).
  await waitFor(
    async () => (await db.collection('readings').countDocuments({})) === 100,
    30_000,
    'the 100 readings',
  );
  await monitor.flush();
}, 60_000);
afterAll(async () => {
  await monitor.stop();
  await scheduler.stop();
  await client.db(namespace).dropDatabase();
  await client.close();
  state.remove();
});

describe('rollups in the monitor', () => {
  it('buckets() over memory and raw equals the raw aggregation, per minute and per hour', async () => {
    const now = scheduler.now();
    const to = new Date(Math.floor(now / 60_000) * 60_000 + 60_000);
    const from = new Date(Math.floor((startMs - 3 * 3_600_000) / 3_600_000) * 3_600_000);
    for (const bucketSeconds of [60, 600, 3600]) {
      const raw = await bucketStats(client.db(namespace).collection('readings'), {
        id: 4,
        keyId: 1,
        from,
        to,
        bucketSeconds,
      });
      const got = await monitor.buckets({ id: 4, keyId: 1, from, to, bucketSeconds });
      expect(got.length).toBeGreaterThan(0);
      expect(got).toEqual(raw);
    }
  });

  it('from the first minute memory holds, and with an unaligned `to`, buckets() matches raw', async () => {
    const to = new Date(Math.ceil(startMs / 60_000) * 60_000 + 60_000);
    const from = new Date(Math.ceil(startMs / 60_000) * 60_000);
    const memory = await monitor.buckets({ id: 4, keyId: 1, from, to, bucketSeconds: 60 });
    expect(memory.reduce((n, b) => n + b.count, 0)).toBe(60);
    const odd = new Date(to.getTime() - 1234);
    const raw = await bucketStats(client.db(namespace).collection('readings'), {
      id: 4,
      keyId: 1,
      from,
      to: odd,
      bucketSeconds: 60,
    });
    expect(await monitor.buckets({ id: 4, keyId: 1, from, to: odd, bucketSeconds: 60 })).toEqual(raw);
  });

  it('readingsDigest() lists min/max/avg/last of the stored readings of the last 24 h per key', async () => {
    await monitor.flush();
    const stored = await client.db(namespace).collection('readings').find({}).toArray();
    const values = stored.map((d) => d.value as number);
    const text = monitor.readingsDigest();
    expect(text).toContain('tank (#4):');
    expect(text).toContain(`key 1 temperature: min ${Math.min(...values)}, max ${Math.max(...values)}`);
    expect(text).toMatch(/last 10\d\d mC at /);
    expect(text).toContain('(100 readings)');
  });

  it('retention options: retentionDays is an alias of retention.rawDays; rawDays below 1 and a disagreement are refused', () => {
    const base = { namespace, scheduler };
    expect(() => new Monitor({ ...base, retention: { rawDays: 0.5 } })).toThrow(/at least 1 day/);
    expect(() => new Monitor({ ...base, retentionDays: 30, retention: { rawDays: 10 } })).toThrow(/disagree/);
    expect(() => new Monitor({ ...base, retention: { hourlyDays: -1 } })).toThrow(
      /options.retention.hourlyDays must be a positive/,
    );
    expect(
      () => new Monitor({ ...base, retentionDays: 30, retention: { rawDays: 30, dailyDays: 3650 } }),
    ).not.toThrow();
  });
});
