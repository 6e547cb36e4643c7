import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { beforeEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { DriverDefinition, Monitor } from '../../src/monitor/index.js';
import { validateConfig } from '../../src/tools/index.js';
import { buildRegistry } from '../../src/monitor/intake/drivers/registry.js';
import { mongodbUri } from '../helpers/mongo.js';
import { seedConfig } from './support.js';
import { useMonitorHarness, type MonitorOptions, type RecordingLogger } from './fixtures/monitor-harness.js';
import { waitFor } from '../helpers/wait.js';

const h = useMonitorHarness(() => ({ prefix: 'mon_' }));
beforeEach(() => starts.clear());

/** A polled test driver: reads base, base+1, ... for config.keyId; counts its starts per device id. */
const starts = new Map<number, number>();
const counter: DriverDefinition = {
  validateConfig: (config) =>
    typeof config.keyId === 'number'
      ? { ok: true, config, keyIds: [config.keyId] }
      : { ok: false, problems: [{ field: 'config.keyId', message: 'must be a number' }] },
  create(config, context) {
    starts.set(context.device.id, (starts.get(context.device.id) ?? 0) + 1);
    let n = 0;
    return {
      read: () => [
        { keyId: config.keyId as number, value: ((config.base as number | undefined) ?? 0) + n++ },
      ],
    };
  },
};

const keyDocs = [
  { keyId: 1, unit: 'mC', description: 'temperature' },
  { keyId: 2, unit: '%', description: 'humidity' },
];

function counterDevice(id: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    name: `dev${id}`,
    description: '',
    driver: 'counter',
    config: { keyId: 1 },
    interval: 0.05,
    ...extra,
  };
}

/** Waits until the monitor has accepted `n` more readings: time enough for a wrong one to show. */
async function moreReadings(monitor: { stats(): { accepted: number } }, n: number): Promise<void> {
  const start = monitor.stats().accepted;
  await waitFor(() => monitor.stats().accepted >= start + n, 10_000, `${n} more readings`);
}

/** Waits for `n` more configuration polls (each bumps the monitor's heartbeat in `monitors`). */
async function morePolls(n: number): Promise<void> {
  const beat = async (): Promise<number> =>
    ((await h.db.collection('monitors').findOne({}))?.beat as number | undefined) ?? 0;
  const start = await beat();
  await waitFor(async () => (await beat()) >= start + n, 10_000, `${n} more polls`);
}

async function count(filter: Record<string, unknown>): Promise<number> {
  return h.db.collection('readings').countDocuments(filter);
}

const makeMonitor = (
  extra: Omit<Partial<MonitorOptions>, 'logger'> = {},
): { monitor: Monitor; logger: RecordingLogger } =>
  h.monitor({ pollSeconds: 0.2, flushSeconds: 0.05, drivers: { counter }, ...extra });

describe('Monitor end to end (FerretDB)', () => {
  it('stores readings of a seed-shaped configuration (pyClass/pyConf strings) as integers', async () => {
    const sensor = path.join(h.stateDir, 'temperature');
    writeFileSync(sensor, '21562\n');
    const config = seedConfig(sensor);
    await h.db.collection('keys').insertMany(config.keys);
    await h.db.collection('devices').insertMany(config.devices);
    const { monitor, logger } = makeMonitor();
    await monitor.start();
    const readings = h.db.collection('readings');
    await waitFor(
      async () =>
        (await readings.countDocuments({ id: 1, keyId: 1 })) >= 3 &&
        (await readings.countDocuments({ id: 2, keyId: 2 })) >= 3,
      10_000,
      'readings of both devices',
    );
    const doc = await readings.findOne({ id: 1, keyId: 1 });
    expect(doc).toMatchObject({ id: 1, keyId: 1, value: 21562 });
    expect(doc?.ts).toBeInstanceOf(Date);
    const types = await readings.aggregate([{ $project: { t: { $type: '$value' } } }]).toArray();
    expect(new Set(types.map((t) => t.t as string))).toEqual(new Set(['int']));
    expect(logger.text('error')).toBe('');
    const indexes = await h.db.collection('devices').indexes();
    expect(indexes.some((i) => i.unique && i.key.id === 1)).toBe(true);
  });

  it('a device added in the database starts on SIGHUP; the running one is not restarted', async () => {
    await h.db.collection('keys').insertMany(keyDocs);
    await h.db.collection('devices').insertOne(counterDevice(1));
    const { monitor } = makeMonitor({ pollSeconds: 3600 });
    const uninstall = monitor.handleSignals();
    await monitor.start();
    await h.db.collection('devices').insertOne(counterDevice(2, { config: { keyId: 2 } }));
    await moreReadings(monitor, 3);
    expect(monitor.devices().map((d) => d.id)).toEqual([1]);
    expect(await count({ id: 2 })).toBe(0);
    process.kill(process.pid, 'SIGHUP');
    await waitFor(async () => (await count({ id: 2, keyId: 2 })) > 0, 5000, 'readings of the added device');
    expect(starts.get(1)).toBe(1);
    expect(monitor.devices().map((d) => d.id)).toEqual([1, 2]);
    uninstall();
  });

  it('reload(): changed devices restart with the new config, removed ones stop, unchanged ones keep running', async () => {
    await h.db.collection('keys').insertMany(keyDocs);
    await h.db.collection('devices').insertMany([counterDevice(1), counterDevice(2), counterDevice(3)]);
    const { monitor } = makeMonitor({ pollSeconds: 3600 });
    await monitor.start();
    await h.db.collection('devices').updateOne({ id: 2 }, { $set: { config: { keyId: 2, base: 1000 } } });
    await h.db.collection('devices').deleteOne({ id: 3 });
    const summary = await monitor.reload();
    expect(summary).toMatchObject({ loaded: true, changed: [2], removed: [3], unchanged: [1], added: [] });
    expect(Object.fromEntries(starts)).toEqual({ 1: 1, 2: 2, 3: 1 });
    await waitFor(
      async () => (await count({ id: 2, keyId: 2, value: { $gte: 1000 } })) > 0,
      5000,
      'readings with the new config',
    );
    await monitor.flush();
    const removedBefore = await count({ id: 3 });
    await moreReadings(monitor, 6); // the others go on; a removed device that did would show
    await monitor.flush();
    expect(await count({ id: 3 })).toBe(removedBefore);
  });

  it('the poll reloads only when devices or keys changed', async () => {
    await h.db.collection('keys').insertMany(keyDocs);
    await h.db.collection('devices').insertOne(counterDevice(1));
    const { monitor, logger } = makeMonitor({ pollSeconds: 0.05 });
    await monitor.start();
    const polls = (): number =>
      logger.records.filter((r) => r.message.startsWith('configuration poll: devices or keys changed'))
        .length;
    await morePolls(3);
    expect(polls()).toBe(0);
    expect(starts.get(1)).toBe(1);
    await h.db.collection('devices').updateOne({ id: 1 }, { $set: { interval: 0.06 } });
    await waitFor(() => starts.get(1) === 2, 5000, 'the poll to restart the changed device');
    expect(polls()).toBe(1);
    expect(monitor.devices()[0]?.intervalSeconds).toBe(0.06);
    await h.db.collection('keys').insertOne({ keyId: 3, unit: 'Pa' });
    await waitFor(() => polls() === 2, 5000, 'a key change to be seen');
    await morePolls(3);
    expect(polls()).toBe(2);
    expect(starts.get(1)).toBe(2); // a new key does not restart the device
  });

  it('reload() calls during a reload are coalesced into one more reload', async () => {
    await h.db.collection('keys').insertMany(keyDocs);
    await h.db.collection('devices').insertOne(counterDevice(1));
    const { monitor } = makeMonitor({ pollSeconds: 3600 });
    await monitor.start();
    const calls = [monitor.reload(), monitor.reload(), monitor.reload(), monitor.reload()];
    expect(calls[1]).toBe(calls[2]);
    expect(calls[2]).toBe(calls[3]);
    expect(calls[0]).not.toBe(calls[1]);
    const results = await Promise.all(calls);
    expect(results.every((r) => r.loaded && r.unchanged.length === 1)).toBe(true);
    expect(starts.get(1)).toBe(1);
  });

  it('reports every invalid document (one message naming device and field), skips those, runs the good one', async () => {
    await h.db.collection('keys').insertMany([...keyDocs, { keyId: 'x', unit: 'bad' }]);
    await h.db.collection('devices').insertMany([
      counterDevice(1),
      { id: 2, name: 'no-driver', config: {} },
      { id: 3, name: 'bad-interval', driver: 'counter', config: { keyId: 1 }, interval: -1 },
      {
        id: 4,
        name: 'code',
        pyClass: 'file',
        pyConf: "__import__('os').system('touch /tmp/raspimon-pwned')",
      },
      { id: 5, name: 'dangling-key', driver: 'file', config: { path: '/tmp/x', keyId: 42 } },
      { id: 6, name: 'dup', driver: 'counter', config: { keyId: 1 } },
      { id: 7, name: 'dup', driver: 'counter', config: { keyId: 1 } },
      { id: 8, name: 'unknown', driver: 'teleport', config: {} },
    ]);
    const { monitor, logger } = makeMonitor({ pollSeconds: 3600 });
    await monitor.start();
    expect(monitor.devices().map((d) => d.id)).toEqual([1]);
    const errors = logger.records.filter((r) => r.level === 'error').map((r) => r.message);
    for (const expected of [
      /device 2 "no-driver": driver must name a driver/,
      /device 3 "bad-interval": interval must be a number of seconds/,
      /device 4 "code": pyConf is not a JSON or Python-literal dict/,
      /device 5 "dangling-key": config refers to keyId 42/,
      /device 6 "dup": name "dup" is shared by 2 devices/,
      /device 7 "dup": name "dup" is shared by 2 devices/,
      /device 8 "unknown": driver unknown driver "teleport"/,
      /key document #2: keyId must be a non-negative integer/,
      /cannot create the unique index devices.name/,
    ]) {
      expect(
        errors.filter((m) => expected.test(m)),
        `${String(expected)} in\n${errors.join('\n')}`,
      ).toHaveLength(1);
    }
    await waitFor(async () => (await count({ id: 1 })) > 0, 5000, 'the good device');
    const report = await monitor.check();
    expect(report.problems.length).toBe(8);
  });

  it('a running device whose new document is invalid keeps running with its previous config', async () => {
    await h.db.collection('keys').insertMany(keyDocs);
    await h.db.collection('devices').insertMany([counterDevice(1), counterDevice(2)]);
    const { monitor, logger } = makeMonitor({ pollSeconds: 3600 });
    await monitor.start();
    await h.db.collection('devices').updateOne({ id: 1 }, { $set: { interval: 'often' } });
    const summary = await monitor.reload();
    expect(summary.kept).toEqual([1]);
    expect(monitor.devices().map((d) => d.id)).toEqual([1, 2]);
    expect(starts.get(1)).toBe(1);
    expect(logger.text('warning')).toMatch(/device 1 "dev1" has an invalid new document; it keeps running/);
  });

  it('rounds fractions of a 0-decimal key, rejects and counts values that are not finite or not safe once scaled; stores large integers as Int64', async () => {
    await h.db.collection('keys').insertMany(keyDocs);
    await h.db.collection('devices').insertOne({ id: 1, name: 'odd', driver: 'odd', interval: 3600 });
    const odd: DriverDefinition = {
      create: () => ({
        read: () => [
          { keyId: 1, value: 2 ** 40 },
          { keyId: 1, value: 1.5 },
          { keyId: 1, value: Number.NaN },
          { keyId: 1, value: 2 ** 60 },
          { keyId: 99, value: 1 },
          { keyId: 2, value: -7, ts: 1_700_000_000 },
        ],
      }),
    };
    const { monitor, logger } = makeMonitor({ pollSeconds: 3600, drivers: { odd } });
    await monitor.start();
    await monitor.flush();
    expect(monitor.stats()).toMatchObject({
      accepted: 3,
      rejectedNotInteger: 2,
      rejectedUnknownKey: 1,
      written: 3,
    });
    const docs = await h.db
      .collection('readings')
      .aggregate([{ $sort: { keyId: 1 } }, { $project: { _id: 0, value: 1, t: { $type: '$value' }, ts: 1 } }])
      .toArray();
    expect(docs).toEqual([
      { value: 2 ** 40, t: 'long', ts: expect.any(Date) },
      { value: 2, t: 'int', ts: expect.any(Date) },
      { value: -7, t: 'int', ts: new Date(1_700_000_000_000) },
    ]);
    const warnings = logger.text('warning');
    expect(warnings).toMatch(/value NaN for key 1 .* is not a finite number; fix the driver/);
    // One spell: NaN is reported, 2^60 after it in the same poll is only counted.
    expect(warnings).not.toMatch(/value 1152921504606846976/);
  });

  it('query helpers: range, latest per key, hourly buckets; check() finds orphan readings', async () => {
    await h.db.collection('keys').insertMany(keyDocs);
    await h.db.collection('devices').insertOne({ id: 1, name: 'past', driver: 'past', interval: 3600 });
    const t0 = Date.UTC(2026, 0, 1) / 1000;
    const past: DriverDefinition = {
      validateConfig: (config) => ({ ok: true, config, keyIds: [1] }),
      create: () => ({
        read: () => [
          { keyId: 1, value: 10, ts: t0 + 60 },
          { keyId: 1, value: 30, ts: t0 + 120 },
          { keyId: 1, value: 5, ts: t0 + 3600 + 1 },
          { keyId: 1, value: 7, ts: t0 + 7200 + 1 },
          { keyId: 2, value: 99, ts: t0 + 10 },
        ],
      }),
    };
    const { monitor } = makeMonitor({ pollSeconds: 3600, drivers: { past } });
    await monitor.start();
    await monitor.flush();
    await h.db.collection('readings').insertMany([
      { id: 77, keyId: 1, value: 1, ts: new Date() },
      { id: 77, keyId: 1, value: 2, ts: new Date() },
    ]);
    const range = await monitor.readings({ id: 1, keyId: 1, from: t0, to: new Date((t0 + 7200) * 1000) });
    expect(range.map((r) => r.value)).toEqual([10, 30, 5]);
    const latest = await monitor.latest({ id: 1 });
    expect(latest.map((r) => [r.keyId, r.value])).toEqual([
      [1, 7],
      [2, 99],
    ]);
    const buckets = await monitor.buckets({
      id: 1,
      keyId: 1,
      from: t0,
      to: t0 + 3 * 3600,
      bucketSeconds: 3600,
    });
    expect(buckets).toEqual([
      { start: new Date(t0 * 1000), count: 2, min: 10, max: 30, avg: 20 },
      { start: new Date((t0 + 3600) * 1000), count: 1, min: 5, max: 5, avg: 5 },
      { start: new Date((t0 + 7200) * 1000), count: 1, min: 7, max: 7, avg: 7 },
    ]);
    const report = await monitor.check();
    expect(report.orphanReadings).toEqual([
      { id: 1, keyId: 2, count: 1, reason: 'key not produced by this device' },
      { id: 77, keyId: 1, count: 2, reason: 'unknown device' },
    ]);
    expect(report.readings).toBe(7);
  });

  it('SIGTERM (handleSignals) stops the devices and flushes every accepted reading before onStop runs', async () => {
    await h.db.collection('keys').insertMany(keyDocs);
    await h.db.collection('devices').insertOne(counterDevice(1, { interval: 0.02 }));
    const { monitor } = makeMonitor({ pollSeconds: 3600, flushSeconds: 30, batchSize: 100_000 });
    let stoppedWith: string | undefined;
    monitor.handleSignals({ onStop: (signal) => (stoppedWith = signal) });
    await monitor.start();
    await moreReadings(monitor, 5);
    expect(monitor.stats().writing).toBe(0);
    expect(await count({})).toBe(0); // still batched: flushSeconds is 30
    process.kill(process.pid, 'SIGTERM');
    await waitFor(() => stoppedWith === 'SIGTERM', 5000, 'onStop');
    expect(await count({ id: 1 })).toBe(monitor.stats().accepted);
    expect(monitor.stats().accepted).toBeGreaterThan(3);
    expect(process.listenerCount('SIGHUP')).toBe(0);
  });

  it('retentionDays deletes readings older than the limit with its own deleteMany', async () => {
    await h.db.collection('keys').insertMany(keyDocs);
    await h.db.collection('readings').insertMany([
      { id: 1, keyId: 1, value: 1, ts: new Date(Date.now() - 3 * 86_400_000) },
      { id: 1, keyId: 1, value: 2, ts: new Date(Date.now() - 3600_000) },
    ]);
    const repeats: Array<() => unknown> = [];
    // A scheduler wrapper that exposes the hourly retention job so the test can run it now.
    const spy = {
      now: () => h.scheduler.now(),
      onceAfter: (s: number, fn: () => unknown) => h.scheduler.onceAfter(s, fn),
      repeatEvery: (s: number, fn: () => unknown) => {
        if (s === 3600) repeats.push(fn);
        return h.scheduler.repeatEvery(s, fn);
      },
      remove: (id: string) => h.scheduler.remove(id),
    };
    const { monitor, logger } = makeMonitor({ scheduler: spy, retentionDays: 2 });
    await monitor.start();
    expect(repeats).toHaveLength(1);
    await repeats[0]!();
    expect((await h.db.collection('readings').find().toArray()).map((d) => d.value as number)).toEqual([2]);
    expect(logger.text('info')).toMatch(/retention: deleted 1 reading\(s\) older than 2 day\(s\)/);
  });

  it('uses a MongoClient given as options.db and leaves it open after stop()', async () => {
    await h.db.collection('keys').insertMany(keyDocs);
    await h.db.collection('devices').insertOne(counterDevice(1));
    const client = new MongoClient(mongodbUri());
    try {
      const { monitor } = makeMonitor({ uri: undefined, db: client, pollSeconds: 3600 });
      await monitor.start();
      await waitFor(async () => (await count({ id: 1 })) > 0, 5000, 'readings through the given client');
      await monitor.stop();
      expect(await client.db(h.namespace).collection('keys').countDocuments()).toBe(2);
    } finally {
      await client.close();
    }
  });

  it('an unusable state dir is a ConfigError naming it', async () => {
    const file = path.join(h.stateDir, 'not-a-dir');
    writeFileSync(file, '');
    const { monitor } = makeMonitor({ stateDir: file });
    await expect(monitor.start()).rejects.toMatchObject({
      name: 'ConfigError',
      code: 'ERR_CONFIG',
      message: expect.stringMatching(/cannot use the state dir .*not-a-dir/),
    });
  });

  it('random device documents stored in FerretDB: reload never throws, runs exactly the valid ones, one logged problem each (property)', async () => {
    await h.db.collection('keys').insertMany(keyDocs);
    const { monitor, logger } = makeMonitor({ pollSeconds: 3600 });
    await monitor.start();
    const registry = buildRegistry({ counter });
    let runsWithDevices = 0;
    let runsWithProblems = 0;
    // A valid device with 0-2 fields replaced by anything (or by a pyConf string, code included).
    const mutation = fc.tuple(
      fc.constantFrom(
        'id',
        'name',
        'driver',
        'config',
        'pyConf',
        'pyClass',
        'interval',
        'enabled',
        'vendorId',
      ),
      fc.oneof(
        fc.jsonValue({ maxDepth: 2 }),
        fc.constantFrom("__import__('os').system('id')", "{'keyId': 2}", 'counter', 'nope', 0, -1),
      ),
    );
    const deviceDoc = fc
      .tuple(
        fc.integer({ min: 0, max: 6 }),
        fc.constantFrom('a', 'b', 'c', 'd', 'e'),
        fc.array(mutation, { maxLength: 2 }),
      )
      .map(([id, name, mutations]) => {
        const doc: Record<string, unknown> = {
          id,
          name,
          driver: 'counter',
          config: { keyId: 1 },
          interval: 0.05,
        };
        for (const [key, value] of mutations) doc[key] = value;
        return doc;
      });
    await fc.assert(
      fc.asyncProperty(fc.array(deviceDoc, { maxLength: 6 }), async (docs) => {
        await h.db.collection('devices').deleteMany({});
        await h.db
          .collection('devices')
          .insertMany(docs.length > 0 ? docs : [{}], { ordered: false })
          .catch(() => undefined);
        const stored = await h.db.collection('devices').find().toArray();
        const before = logger.records.length;
        const summary = await monitor.reload();
        const expected = validateConfig(stored, keyDocs, registry);
        const running = monitor.devices().map((d) => d.id);
        expect(running).toEqual(
          [...new Set([...expected.devices.map((d) => d.id), ...summary.kept])].sort((a, b) => a - b),
        );
        const logged = logger.records
          .slice(before)
          .filter((r) => r.level === 'error' && r.message.startsWith('configuration:'));
        expect(logged).toHaveLength(expected.problems.length);
        if (running.length > 0) runsWithDevices++;
        if (expected.problems.length > 0) runsWithProblems++;
      }),
      { numRuns: 25 },
    );
    // The generator exercises both sides.
    expect(runsWithDevices).toBeGreaterThan(0);
    expect(runsWithProblems).toBeGreaterThan(0);
  }, 60_000);
});
