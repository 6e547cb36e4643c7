// Exactness of the rollups against the real database: random readings (some with a
// driver's own, slightly late ts), random outages (readings held back, then stored late),
// clean restarts and kill -9 (the engine is dropped, possibly after raw got a batch the
// engine never saw). Every written hourly and daily bucket must equal a recomputation
// from the raw readings, and every hour and day with readings must be written.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { MongoClient, type Db } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accumulate, bucketStartMs, rollupId } from '../../../src/monitor/storage/rollups/bucket-math.js';
import { Rollups, type StoredReading } from '../../../src/monitor/storage/rollups/rollups.js';
import { ManualClock, Scheduler } from '../../../src/scheduler/index.js';
import { mongodbUri, uniqueDbName } from '../../helpers/mongo.js';
import { recordingLogger } from '../support.js';

let client: MongoClient;
beforeAll(async () => {
  client = new MongoClient(mongodbUri());
  await client.connect();
});
afterAll(async () => {
  await client.close();
});

type Step = {
  readings: Array<{ pair: number; value: number; lateMs: number }>;
  outage: 'keep' | 'toggle';
  restart: 'none' | 'clean' | 'crash' | 'crash-after-insert';
};

const step: fc.Arbitrary<Step> = fc.record({
  readings: fc.array(
    fc.record({
      pair: fc.integer({ min: 0, max: 2 }),
      value: fc.integer({ min: -50_000, max: 50_000 }),
      lateMs: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 120_000 })),
    }),
    { maxLength: 4 },
  ),
  outage: fc.constantFrom('keep', 'keep', 'keep', 'keep', 'keep', 'keep', 'toggle'),
  restart: fc.constantFrom(
    'none',
    'none',
    'none',
    'none',
    'none',
    'none',
    'none',
    'none',
    'clean',
    'crash',
    'crash-after-insert',
  ),
});

const pairs = [
  { id: 1, keyId: 1 },
  { id: 1, keyId: 2 },
  { id: 7, keyId: 1 },
];

async function runScenario(db: Db, steps: Step[]): Promise<{ late: number }> {
  // 22:40 UTC: the run crosses midnight, so a daily bucket closes.
  const clock = new ManualClock(new Date(Date.UTC(2026, 10, 25, 22, 40, 0)));
  // One scheduler per engine on the shared clock: a kill -9 stops its timers with it.
  let scheduler = new Scheduler({ clock });
  scheduler.start();
  const dir = mkdtempSync(path.join(tmpdir(), 'raspimon-rollups-'));
  const raw = db.collection('readings');
  let backlog: StoredReading[] = [];
  let down = false;
  let late = 0;
  const make = (): Rollups =>
    new Rollups({
      scheduler,
      logger: process.env.ROLLX_DEBUG
        ? {
            debug: console.log,
            info: console.log,
            warning: console.log,
            error: console.log,
            alert: console.log,
          }
        : recordingLogger(),
      collection: (name) => Promise.resolve(db.collection(name)),
      stateFile: path.join(dir, 'rollups.json'),
      graceSeconds: 300,
      backlogOldestMs: () => (backlog.length > 0 ? -Infinity : undefined),
    });
  let engine = make();
  await engine.open();
  const store = async (batch: StoredReading[], hook = true): Promise<void> => {
    if (batch.length === 0) return;
    await raw.insertMany(
      batch.map((r) => ({ id: r.id, keyId: r.keyId, value: r.value, ts: new Date(r.tsMs) })),
    );
    if (hook) engine.stored(batch);
  };
  try {
    for (const s of steps) {
      const now = clock.now();
      const batch = s.readings.map((r) => ({ ...pairs[r.pair]!, value: r.value, tsMs: now - r.lateMs }));
      if (s.outage === 'toggle') down = !down;
      if (down) backlog.push(...batch);
      else {
        await store([...backlog, ...batch]);
        backlog = [];
      }
      if (s.restart === 'clean') {
        await engine.close();
        late += engine.stats().late;
        engine = make();
        await engine.open();
      } else if (s.restart !== 'none') {
        // kill -9: no close(); raw may hold a batch the engine never saw.
        if (s.restart === 'crash-after-insert' && !down)
          await store([{ ...pairs[0]!, value: 1, tsMs: now }], false);
        late += engine.stats().late;
        await scheduler.stop();
        scheduler = new Scheduler({ clock });
        scheduler.start();
        engine = make();
        await engine.open();
      }
      await clock.advance(60);
      await engine.tick();
    }
    await store(backlog);
    backlog = [];
    for (let i = 0; i < 30; i++) {
      await clock.advance(3600);
      await engine.tick();
    }
    await engine.close();
    late += engine.stats().late;
    return { late };
  } finally {
    await scheduler.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function recompute(docs: Array<{ id: number; keyId: number; value: number; ts: Date }>, seconds: number) {
  const groups = new Map<
    string,
    { id: number; keyId: number; start: number; list: Array<{ value: number; tsMs: number }> }
  >();
  for (const d of docs) {
    const start = bucketStartMs(d.ts.getTime(), seconds);
    const key = rollupId(d.id, d.keyId, start);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { id: d.id, keyId: d.keyId, start, list: [] }));
    g.list.push({ value: d.value, tsMs: d.ts.getTime() });
  }
  return [...groups.entries()]
    .map(([key, g]) => {
      const acc = accumulate(g.list)!;
      return {
        _id: key,
        id: g.id,
        keyId: g.keyId,
        start: new Date(g.start),
        count: acc.count,
        sum: acc.sum,
        min: acc.min,
        max: acc.max,
      };
    })
    .sort((a, b) => a._id.localeCompare(b._id));
}

describe('rollups exactness', () => {
  it('every written hourly and daily bucket equals a recomputation from raw, after random outages, clean restarts and kill -9', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 100, maxLength: 200 }), async (steps) => {
        const db = client.db(uniqueDbName('rollx_'));
        try {
          const { late } = await runScenario(db, steps);
          const raw = await db
            .collection<{ id: number; keyId: number; value: number; ts: Date }>('readings')
            .find({}, { projection: { _id: 0 } })
            .toArray();
          const sorted = <T extends { _id: unknown }>(list: T[]): T[] =>
            list.sort((a, b) => String(a._id).localeCompare(String(b._id)));
          const hourly = sorted(await db.collection('readings_hourly').find({}).toArray());
          const daily = sorted(await db.collection('readings_daily').find({}).toArray());
          expect(late).toBe(0);
          expect(hourly).toEqual(recompute(raw, 3600));
          expect(daily).toEqual(recompute(raw, 86_400));
        } finally {
          await db.dropDatabase();
        }
      }),
      process.env.ROLLX_SEED
        ? { seed: Number(process.env.ROLLX_SEED), path: process.env.ROLLX_PATH, endOnFailure: true }
        : { numRuns: Number(process.env.ROLLX_RUNS ?? 8), endOnFailure: true },
    );
  }, 240_000);
});
