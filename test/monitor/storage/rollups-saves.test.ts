// Issue 21 (CPU on a Pi): the rollups' state file is not rewritten while no hour closes (the
// open hours saved mid-run would be ignored after a crash anyway), it is when an hour is
// written, and a crash mid-hour still loses no reading from the hour's bucket. The database is
// the real FerretDB; the clock a ManualClock.
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { MongoClient, type Db } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rollups, type StoredReading } from '../../../src/monitor/storage/rollups/rollups.js';
import { ManualClock, Scheduler } from '../../../src/scheduler/index.js';
import { mongodbUri, uniqueDbName } from '../../helpers/mongo.js';
import { recordingLogger, tempDir } from '../support.js';

let client: MongoClient;
let db: Db;
beforeAll(async () => {
  client = new MongoClient(mongodbUri());
  await client.connect();
  db = client.db(uniqueDbName('rsave_'));
});
afterAll(async () => {
  await db.dropDatabase();
  await client.close();
});

// 10:02 UTC: the hour closes at 11:00, written after the 300-s grace.
const start = new Date(Date.UTC(2026, 11, 7, 10, 2, 0));

function engine(scheduler: Scheduler, stateFile: string): Rollups {
  return new Rollups({
    scheduler,
    logger: recordingLogger(),
    collection: (name) => Promise.resolve(db.collection(name)),
    stateFile,
    graceSeconds: 300,
    backlogOldestMs: () => undefined,
  });
}

/** One reading every 5 s for `minutes`, stored in raw and handed to the engine, with a tick each minute. */
async function feed(clock: ManualClock, rollups: Rollups, minutes: number, from: number): Promise<number> {
  let n = from;
  for (let m = 0; m < minutes; m++) {
    const batch: StoredReading[] = [];
    for (let i = 0; i < 12; i++) {
      await clock.advance(5);
      batch.push({ id: 1, keyId: 1, value: 20_000 + (n++ % 9), tsMs: clock.now() });
    }
    await db
      .collection('readings')
      .insertMany(batch.map((r) => ({ id: r.id, keyId: r.keyId, value: r.value, ts: new Date(r.tsMs) })));
    rollups.stored(batch);
    await rollups.tick();
  }
  return n;
}

describe('rollups.json while running', () => {
  it('is not rewritten while no hour closes; is when the hour is written; a crash mid-hour loses no reading', async () => {
    const clock = new ManualClock(start);
    let scheduler = new Scheduler({ clock });
    scheduler.start();
    const state = tempDir('raspimon-rsave-');
    const file = path.join(state.dir, 'rollups.json');
    try {
      let rollups = engine(scheduler, file);
      await rollups.open();
      const opened = readFileSync(file, 'utf8');
      const openedInode = statSync(file).ino;
      const n = await feed(clock, rollups, 20, 0);
      // Twenty minutes of readings and ticks: the file is the one open() wrote (same inode:
      // a rewrite replaces it by rename).
      expect(readFileSync(file, 'utf8')).toBe(opened);
      expect(statSync(file).ino).toBe(openedInode);

      // kill -9 mid-hour: no close(), a new engine on the same file, readings go on.
      await scheduler.stop();
      scheduler = new Scheduler({ clock });
      scheduler.start();
      rollups = engine(scheduler, file);
      await rollups.open();
      await feed(clock, rollups, 40, n);
      const beforeClose = readFileSync(file, 'utf8');
      // 11:02 now; past 11:05 the 10:00 hour is written, and so is the file, once.
      await clock.advance(240);
      await rollups.tick();
      const saved = JSON.parse(readFileSync(file, 'utf8')) as { writtenThroughMs: number; clean: boolean };
      expect(readFileSync(file, 'utf8')).not.toBe(beforeClose);
      expect(saved.writtenThroughMs).toBe(Date.UTC(2026, 11, 7, 11, 0, 0));
      expect(saved.clean).toBe(false);
      const hour = await db
        .collection('readings_hourly')
        .findOne({ start: new Date(Date.UTC(2026, 11, 7, 10)) });
      const rawInHour = await db.collection('readings').countDocuments({
        ts: { $gte: new Date(Date.UTC(2026, 11, 7, 10)), $lt: new Date(Date.UTC(2026, 11, 7, 11)) },
      });
      // One every 5 s from 10:02:05 to 10:59:55, all of them in the bucket although the crash
      // left no open hours to trust.
      expect(rawInHour).toBe((58 * 60) / 5 - 1);
      expect(hour?.count).toBe(rawInHour);
      const afterWrite = readFileSync(file, 'utf8');
      await clock.advance(60);
      await rollups.tick();
      expect(readFileSync(file, 'utf8')).toBe(afterWrite);
      await rollups.close();
      expect((JSON.parse(readFileSync(file, 'utf8')) as { clean: boolean }).clean).toBe(true);
    } finally {
      await scheduler.stop();
      state.remove();
    }
  });
});
