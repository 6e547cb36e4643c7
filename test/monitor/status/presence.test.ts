// "One monitor per namespace" beyond one state dir (two Pis given the same namespace): each
// monitor bumps a counter in its document in `monitors`; a counter that moves is a live
// monitor, reported once, and once when it has gone. A crashed monitor's document, which
// never moves, is never reported.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Monitor } from '../../../src/monitor/index.js';
import type { Scheduler } from '../../../src/scheduler/index.js';
import { mongodbUri, uniqueDbName } from '../../helpers/mongo.js';
import { waitFor } from '../../helpers/wait.js';
import { openDb, realScheduler, recordingLogger, tempDir } from '../support.js';

let scheduler: Scheduler;
let conn: Awaited<ReturnType<typeof openDb>>;
const cleanups: Array<() => Promise<void> | void> = [];

beforeEach(async () => {
  scheduler = realScheduler();
  conn = await openDb(mongodbUri(), uniqueDbName('ns_'));
  await conn.db.collection('keys').insertOne({ keyId: 1, unit: 'n' });
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  await scheduler.stop();
  await conn.db.dropDatabase();
  await conn.close();
});

function makeMonitor(): { monitor: Monitor; logger: ReturnType<typeof recordingLogger> } {
  const state = tempDir();
  const logger = recordingLogger();
  const monitor = new Monitor({
    uri: mongodbUri(),
    namespace: conn.db.databaseName,
    scheduler,
    logger,
    stateDir: state.dir,
    pollSeconds: 0.2,
  });
  cleanups.push(
    () => state.remove(),
    () => monitor.stop(),
  );
  return { monitor, logger };
}

const alerts = (logger: ReturnType<typeof recordingLogger>): string[] =>
  logger.records.filter((r) => r.level === 'alert').map((r) => r.message);

describe('two monitors on one namespace from different state dirs', () => {
  it('each reports the other once (ALERT naming host, pid and state dir), and once when it has gone', async () => {
    const a = makeMonitor();
    const b = makeMonitor();
    await a.monitor.start();
    await b.monitor.start();
    await waitFor(() => alerts(a.logger).length > 0 && alerts(b.logger).length > 0, 10_000, 'both to notice');
    expect(alerts(a.logger)[0]).toMatch(
      new RegExp(
        `^another monitor writes to namespace "${conn.db.databaseName}": host .*, pid ${process.pid}, state dir .*; every reading may be stored twice`,
      ),
    );
    // Several more polls of each (their heartbeats move): still one report each.
    const beats = async (): Promise<number[]> =>
      (await conn.db.collection('monitors').find({}).sort({ _id: 1 }).toArray()).map((d) => d.beat as number);
    const start = await beats();
    await waitFor(
      async () => (await beats()).every((b, i) => b >= start[i]! + 3),
      20_000,
      'three more polls each',
    );
    expect(alerts(a.logger)).toHaveLength(1);
    expect(alerts(b.logger)).toHaveLength(1);
    await b.monitor.stop();
    await waitFor(() => /has gone/.test(a.logger.text('info')), 10_000, 'a to notice that b has gone');
    expect(await conn.db.collection('monitors').countDocuments()).toBe(1);
  });

  it('a document left by a crashed monitor (never moving) is not reported, and is removed after ten of its intervals', async () => {
    await conn.db.collection('monitors').insertOne({
      _id: 'crashed' as never,
      host: 'old-pi',
      pid: 1,
      stateDir: '/x',
      beat: 7,
      intervalSeconds: 0.2,
    });
    const a = makeMonitor();
    await a.monitor.start();
    await waitFor(
      async () => (await conn.db.collection('monitors').countDocuments({ _id: 'crashed' as never })) === 0,
      15_000,
      'the stale document to be removed',
    );
    expect(alerts(a.logger)).toEqual([]);
  });
});
