// The fleet watchdog over several device databases in FerretDB, on a ManualClock.
import { randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FleetWatch, listFleet } from '../../../src/tools/index.js';
import { ManualClock, Scheduler } from '../../../src/scheduler/index.js';
import { mongodbUri } from '../../helpers/mongo.js';
import { recordingLogger } from '../support.js';

let client: MongoClient;
const prefix = `raspimon_fw${randomUUID().slice(0, 6)}_`;
const names = { heartbeat: `${prefix}a`, readingsOnly: `${prefix}b`, empty: `${prefix}c` };

beforeAll(async () => {
  client = new MongoClient(mongodbUri(), { serverSelectionTimeoutMS: 5000 });
  await client.connect();
});
afterAll(async () => {
  for (const name of Object.values(names)) await client.db(name).dropDatabase();
  await client.close();
});

describe('FleetWatch', () => {
  it('one ALERT per database silent for silentMinutes, none repeated, a resolved ALERT when it speaks again', async () => {
    const clock = new ManualClock(new Date('2026-01-01T00:00:00Z'));
    const scheduler = new Scheduler({ clock });
    scheduler.start();
    const logger = recordingLogger();
    const at = (): Date => new Date(clock.now());
    // A: a monitor with the status heartbeat; B: readings only (an older monitor); C: nothing yet.
    await client
      .db(names.heartbeat)
      .collection('devices')
      .insertOne({ id: 1, name: 'freezer', driver: 'file' });
    const heartbeat = (): Promise<unknown> =>
      client
        .db(names.heartbeat)
        .collection<{ _id: string }>('status')
        .updateOne({ _id: 'readings' }, { $set: { newestTs: at() } }, { upsert: true });
    await heartbeat();
    const readingB = (): Promise<unknown> =>
      client.db(names.readingsOnly).collection('readings').insertOne({ id: 2, keyId: 1, value: 5, ts: at() });
    await readingB();
    await client.db(names.empty).collection('devices').insertOne({ id: 3, name: 'boiler', driver: 'file' });

    const watch = new FleetWatch({
      client,
      scheduler,
      logger,
      silentMinutes: 60,
      checkSeconds: 86_400,
      prefix,
    });
    try {
      await watch.start();
      expect(logger.records).toEqual([]);

      await clock.advance(30 * 60);
      await heartbeat();
      expect(await watch.check()).toHaveLength(3);
      expect(logger.records).toEqual([]);

      await clock.advance(31 * 60);
      await watch.check();
      const alerts = logger.records.map((r) => `${r.level} ${r.message}`);
      expect(alerts).toHaveLength(2);
      expect(alerts[0]).toMatch(
        new RegExp(
          `^alert fleet: ${names.readingsOnly} has sent no reading for 1 h 1 min \\(newest reading 2026-01-01T00:00:00.000Z\\)`,
        ),
      );
      expect(alerts[1]).toMatch(
        new RegExp(
          `^alert fleet: ${names.empty} \\(devices 3 "boiler"\\) has sent no reading for 1 h 1 min \\(no reading stored\\)`,
        ),
      );

      await clock.advance(10 * 60);
      await watch.check();
      expect(logger.records).toHaveLength(2);

      await readingB();
      await watch.check();
      expect(logger.records).toHaveLength(3);
      expect(logger.records[2]!.level).toBe('alert');
      expect(logger.records[2]!.message).toMatch(
        new RegExp(
          `^fleet: resolved: ${names.readingsOnly} speaks again \\(newest reading 2026-01-01T01:11:00.000Z\\); it was silent for 10 min`,
        ),
      );
      // A kept its heartbeat within the hour until 00:30, so it goes silent at 01:30.
      await clock.advance(20 * 60);
      await watch.check();
      expect(logger.records.slice(3).map((r) => r.message)).toEqual([
        expect.stringMatching(
          new RegExp(
            `^fleet: ${names.heartbeat} \\(devices 1 "freezer"\\) has sent no reading for 1 h 1 min`,
          ),
        ),
      ]);
    } finally {
      await watch.stop();
      await scheduler.stop();
    }
  });

  it('listFleet: devices, newest reading, its age and where it came from', async () => {
    const now = Date.parse('2026-01-01T03:00:00Z');
    const entries = await listFleet(client, { now, prefix });
    expect(entries.map((e) => [e.namespace, e.devices.length, e.source])).toEqual([
      [names.heartbeat, 1, 'status'],
      [names.readingsOnly, 0, 'readings'],
      [names.empty, 1, 'none'],
    ]);
    expect(entries[1]!.newestReading?.toISOString()).toBe('2026-01-01T01:11:00.000Z');
    expect(entries[1]!.ageSeconds).toBe(109 * 60);
    expect(entries[2]!.ageSeconds).toBeUndefined();
  });

  it('an unreachable server is reported once, not at every check', async () => {
    const clock = new ManualClock(new Date('2026-01-01T00:00:00Z'));
    const scheduler = new Scheduler({ clock });
    scheduler.start();
    const logger = recordingLogger();
    const dead = new MongoClient('mongodb://127.0.0.1:1/', { serverSelectionTimeoutMS: 200 });
    const watch = new FleetWatch({ client: dead, scheduler, logger, silentMinutes: 5, checkSeconds: 86_400 });
    try {
      await watch.start();
      expect(await watch.check()).toEqual([]);
      expect(logger.records.map((r) => r.level)).toEqual(['error']);
      expect(logger.records[0]!.message).toContain('cannot list the device databases');
    } finally {
      await watch.stop();
      await scheduler.stop();
      await dead.close();
    }
  });
});
