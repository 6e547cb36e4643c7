import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Monitor } from '../../src/monitor/index.js';
import type { Scheduler } from '../../src/scheduler/index.js';
import { mongodbUri, uniqueDbName } from '../helpers/mongo.js';
import { openDb, realScheduler, recordingLogger, seedConfig, tempDir, waitFor } from './support.js';

let scheduler: Scheduler;
let state: ReturnType<typeof tempDir>;
let conn: Awaited<ReturnType<typeof openDb>>;
let namespace: string;
const monitors: Monitor[] = [];

beforeEach(async () => {
  scheduler = realScheduler();
  state = tempDir();
  namespace = uniqueDbName('mon_');
  conn = await openDb(mongodbUri(), namespace);
});

afterEach(async () => {
  for (const m of monitors.splice(0)) await m.stop();
  await scheduler.stop();
  await conn.db.dropDatabase();
  await conn.close();
  state.remove();
});

function makeMonitor(extra: Partial<ConstructorParameters<typeof Monitor>[0]> = {}): { monitor: Monitor; logger: ReturnType<typeof recordingLogger> } {
  const logger = recordingLogger();
  const monitor = new Monitor({ uri: mongodbUri(), namespace, scheduler, logger, stateDir: state.dir, pollSeconds: 0.2, flushSeconds: 0.05, ...extra });
  monitors.push(monitor);
  return { monitor, logger };
}

describe('Monitor end to end (FerretDB)', () => {
  it('stores readings of a seed-shaped configuration (pyClass/pyConf strings) as integers', async () => {
    const sensor = path.join(state.dir, 'temperature');
    writeFileSync(sensor, '21562\n');
    const config = seedConfig(sensor);
    await conn.db.collection('keys').insertMany(config.keys);
    await conn.db.collection('devices').insertMany(config.devices);
    const { monitor, logger } = makeMonitor();
    await monitor.start();
    const readings = conn.db.collection('readings');
    await waitFor(async () => (await readings.countDocuments({ id: 1, keyId: 1 })) >= 3 && (await readings.countDocuments({ id: 2, keyId: 2 })) >= 3, 10_000, 'readings of both devices');
    const doc = await readings.findOne({ id: 1, keyId: 1 });
    expect(doc).toMatchObject({ id: 1, keyId: 1, value: 21562 });
    expect(doc?.ts).toBeInstanceOf(Date);
    const types = await readings.aggregate([{ $project: { t: { $type: '$value' } } }]).toArray();
    expect(new Set(types.map((t) => t.t as string))).toEqual(new Set(['int']));
    expect(logger.text('error')).toBe('');
    const indexes = await conn.db.collection('devices').indexes();
    expect(indexes.some((i) => i.unique && i.key.id === 1)).toBe(true);
  });
});
