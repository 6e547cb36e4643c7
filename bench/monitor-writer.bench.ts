// Readings/s into FerretDB through the monitor's writer (driver emit → validation → batched
// unordered insertMany with client-side _ids), beside a naive one-insertOne-per-reading
// loop and one raw insertMany of every document (the floor). Targets (issue 6): ≥ 20× naive,
// ≥ 80 % of raw.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { startFerretDB } from '../test/helpers/ferretdb.js';
import { addStreamingDevice, emitInBursts, startStreamingMonitor } from './lib/monitor.js';
import { report, type Figure } from './lib/report.js';

const N = Number(process.env.RASPIMON_BENCH_READINGS ?? 50_000);
const NAIVE = Math.min(N, 3000);
const server = await startFerretDB();
const dir = mkdtempSync(path.join(os.tmpdir(), 'raspimon-bench-writer-'));
const client = new MongoClient(server.uri);
const figures: Figure[] = [];
try {
  await client.connect();

  // 1. Naive: one insertOne per reading, awaited (what a first attempt does).
  const naive = client.db('bench_naive').collection('readings');
  await naive.createIndex({ id: 1, keyId: 1, ts: 1 });
  let t = performance.now();
  for (let i = 0; i < NAIVE; i++) await naive.insertOne({ id: 1, keyId: 1, value: i, ts: new Date() });
  figures.push({
    who: 'naive insertOne per reading',
    metric: 'readings/s into FerretDB',
    value: Math.round(NAIVE / ((performance.now() - t) / 1000)),
    unit: 'readings/s',
    lowerIsBetter: false,
  });

  // 2. Raw: every document in one unordered insertMany (driver splits it in 100k-document batches).
  const raw = client.db('bench_raw').collection('readings');
  await raw.createIndex({ id: 1, keyId: 1, ts: 1 });
  const docs = Array.from({ length: N }, (_, i) => ({ id: 1, keyId: 1, value: i, ts: new Date() }));
  t = performance.now();
  await raw.insertMany(docs, { ordered: false });
  figures.push({
    who: 'raw insertMany (all at once)',
    metric: 'readings/s into FerretDB',
    value: Math.round(N / ((performance.now() - t) / 1000)),
    unit: 'readings/s',
    lowerIsBetter: false,
  });

  // 3. raspimon: a streaming driver emits N readings in 1,000-reading bursts.
  const db = client.db('bench_monitor');
  await addStreamingDevice(db, 'firehose', 'firehose');
  const { monitor, scheduler, context } = await startStreamingMonitor('firehose', {
    uri: server.uri,
    namespace: 'bench_monitor',
    stateDir: dir,
    pollSeconds: 3600,
    // Default batchSize (1,000) and flushSeconds: what a user gets. memoryLimit is raised so
    // the whole burst fits in memory (with the default 10,000 the burst overflows it and the
    // overflow is spooled or dropped: not a write speed); the row says so.
    memoryLimit: N * 2,
  });
  const readings = Array.from({ length: 1000 }, (_, i) => ({ keyId: 1, value: i }));
  t = performance.now();
  await emitInBursts(context, readings, N);
  await monitor.flush();
  const elapsed = (performance.now() - t) / 1000;
  const written = monitor.stats().written;
  if (written !== N) throw new Error(`wrote ${written} of ${N}`);
  figures.push({
    who: 'raspimon',
    metric: 'readings/s into FerretDB',
    value: Math.round(N / elapsed),
    unit: 'readings/s',
    lowerIsBetter: false,
    settings: `memoryLimit: ${(N * 2).toLocaleString('en-US')} (default 10,000), so the ${N.toLocaleString('en-US')}-reading burst fits in memory`,
  });

  // Integrity check over the N stored readings: one $group on (id, keyId) on the server,
  // beside fetching every (id, keyId) and grouping on the client.
  t = performance.now();
  const integrity = await monitor.check();
  figures.push({
    who: 'raspimon',
    metric: `check() over ${N.toLocaleString('en-US')} readings`,
    value: performance.now() - t,
    unit: 'ms',
    lowerIsBetter: true,
  });
  if (integrity.readings !== N) throw new Error(`check() counted ${integrity.readings}`);
  t = performance.now();
  const pairs = new Set<string>();
  for await (const doc of db.collection('readings').find({}, { projection: { _id: 0, id: 1, keyId: 1 } }))
    pairs.add(`${doc.id}:${doc.keyId}`);
  figures.push({
    who: 'client-side grouping',
    metric: `check() over ${N.toLocaleString('en-US')} readings`,
    value: performance.now() - t,
    unit: 'ms',
    lowerIsBetter: true,
  });
  await monitor.stop();
  await scheduler.stop();
} finally {
  await client.close();
  await server.dispose();
  rmSync(dir, { recursive: true, force: true });
}
report('monitor-writer', figures);
