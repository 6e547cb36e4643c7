// 24-h statistics per minute, memory vs raw, memory of the windows, and a /metrics scrape.
//
// 1. 24-h stats per minute (1,440 buckets) for 100 keys from the in-memory minute windows,
//    beside the raw aggregation on FerretDB over the same 24 h at 1 Hz. Seeding 100 keys ×
//    86,400 readings (8.6 M) is too much for FerretDB here, so the raw side is measured on
//    RAW_KEYS keys (default 1: 86,400 readings) and scaled linearly to 100 keys (each key is
//    its own range query, a full scan on FerretDB v1). The raw side is the cheapest exact
//    raw path on FerretDB v1 (it has no $min/$max in $group): one find over the 24 h,
//    aggregated per minute on the client.
// 2. Bytes of the windows for 100 keys × 24 h (typed arrays), and the heap they add.
// 3. /metrics with 100 devices × 5 keys through prom-client.
import { MongoClient } from 'mongodb';
import { monitorMetrics } from '../src/http/metrics.js';
import { MinuteWindow } from '../src/monitor/storage/rollups/minute-window.js';
import { bucketsFromWindow } from '../src/monitor/storage/rollups/tiered.js';
import { buildSummary } from '../src/monitor/status/summary.js';
import type { KeySpec } from '../src/monitor/index.js';
import { startFerretDB } from '../test/helpers/ferretdb.js';
import { heapUsedAfterGc, percentile, report, type Figure } from './lib/report.js';
import { statusFleet } from './lib/status-fleet.js';

const KEYS = 100;
const RAW_KEYS = Number(process.env.RASPIMON_BENCH_RAW_KEYS ?? 1);
const DAY_S = 86_400;
const figures: Figure[] = [];
const end = Math.floor(Date.now() / 60_000) * 60_000;
const start = end - DAY_S * 1000;

// --- 2. memory: 100 windows fed a day at 1 Hz
const heapBefore = heapUsedAfterGc();
const buffersBefore = process.memoryUsage().arrayBuffers;
const windows: MinuteWindow[] = [];
for (let k = 0; k < KEYS; k++) {
  const w = new MinuteWindow();
  for (let s = 0; s < DAY_S; s++) w.add(20_000 + ((s * 7 + k) % 500), start + s * 1000);
  windows.push(w);
}
const heapAfter = heapUsedAfterGc();
const buffersAfter = process.memoryUsage().arrayBuffers;
figures.push({
  who: 'raspimon',
  metric: 'windows of 100 keys × 24 h (typed arrays)',
  value: windows.reduce((n, w) => n + w.bytes, 0) / 1e6,
  unit: 'MB',
  lowerIsBetter: true,
});
figures.push({
  who: 'raspimon',
  metric: 'memory added by the windows of 100 keys × 24 h (heap + array buffers)',
  value: (heapAfter - heapBefore + buffersAfter - buffersBefore) / 1e6,
  unit: 'MB',
  lowerIsBetter: true,
});

// --- 1a. memory: 1,440 minute buckets for each of 100 keys
const runs: number[] = [];
let buckets = 0;
for (let r = 0; r < 30; r++) {
  const t = performance.now();
  buckets = 0;
  for (const w of windows) buckets += bucketsFromWindow(w, start, end, 60).length;
  runs.push(performance.now() - t);
}
if (buckets !== KEYS * 1440) throw new Error(`memory gave ${buckets} buckets`);
const memoryMs = percentile(runs, 50);
figures.push({
  who: 'raspimon',
  metric: '24-h stats per minute, 100 keys',
  value: memoryMs,
  unit: 'ms',
  lowerIsBetter: true,
});

// --- 1b. raw on FerretDB
const server = await startFerretDB();
const client = new MongoClient(server.uri);
try {
  await client.connect();
  const readings = client.db('bench_see').collection('readings');
  await readings.createIndex({ id: 1, keyId: 1, ts: 1 });
  for (let k = 0; k < RAW_KEYS; k++) {
    const docs = Array.from({ length: DAY_S }, (_, s) => ({
      id: 1,
      keyId: k,
      value: 20_000 + ((s * 7 + k) % 500),
      ts: new Date(start + s * 1000),
    }));
    await readings.insertMany(docs, { ordered: false });
  }
  const t = performance.now();
  let rawBuckets = 0;
  for (let k = 0; k < RAW_KEYS; k++) {
    const perMinute = new Map<number, { count: number; sum: number; min: number; max: number }>();
    const cursor = readings
      .find({ id: 1, keyId: k, ts: { $gte: new Date(start), $lt: new Date(end) } })
      .project<{ value: number; ts: Date }>({ _id: 0, value: 1, ts: 1 });
    for await (const d of cursor) {
      const m = Math.floor(d.ts.getTime() / 60_000);
      const b = perMinute.get(m);
      if (!b) perMinute.set(m, { count: 1, sum: d.value, min: d.value, max: d.value });
      else {
        b.count++;
        b.sum += d.value;
        if (d.value < b.min) b.min = d.value;
        if (d.value > b.max) b.max = d.value;
      }
    }
    rawBuckets += perMinute.size;
  }
  const rawMs = ((performance.now() - t) / RAW_KEYS) * KEYS;
  if (rawBuckets !== RAW_KEYS * 1440) throw new Error(`raw gave ${rawBuckets} buckets`);
  figures.push({
    who: `FerretDB raw (${RAW_KEYS} key measured, ×${KEYS / RAW_KEYS})`,
    metric: '24-h stats per minute, 100 keys',
    value: rawMs,
    unit: 'ms',
    lowerIsBetter: true,
  });
} finally {
  await client.close();
  await server.dispose();
}

// --- 3. /metrics: 100 devices × 5 keys, windows with a reading in the current minute
const keys = new Map<number, KeySpec>(
  [1, 2, 3, 4, 5].map((keyId) => [keyId, { keyId, unit: 'mC', description: `key ${keyId}` }]),
);
const { devices, windows: deviceWindows } = statusFleet(100, [...keys.keys()], '', (w, id, keyId) =>
  w.add(id * 10 + keyId, end - 5000),
);
const metrics = monitorMetrics(() =>
  buildSummary({
    nowMs: end,
    namespace: 'bench',
    state: 'running',
    databaseConnected: true,
    stats: {
      accepted: 1,
      written: 1,
      spooled: 0,
      queued: 0,
      spoolBytes: 0,
      droppedTotal: 0,
      rejected: 0,
      reloads: 1,
      lastReloadOk: true,
    },
    devices: devices.map((spec) => ({ spec, errors: 0, failing: false, lastError: undefined })),
    keys,
    windows: (id) => deviceWindows.get(id)!,
    charts: false,
    rules: [],
  }),
);
let t0 = performance.now();
for (let i = 0; i < 50; i++) metrics.registry.resetMetrics();
const summaryRuns: number[] = [];
for (let i = 0; i < 50; i++) {
  t0 = performance.now();
  buildSummary({
    nowMs: end,
    namespace: 'b',
    state: 'running',
    databaseConnected: true,
    stats: {},
    devices: devices.map((spec) => ({ spec, errors: 0, failing: false, lastError: undefined })),
    keys,
    windows: (id) => deviceWindows.get(id)!,
    charts: false,
    rules: [],
  });
  summaryRuns.push(performance.now() - t0);
}
figures.push({
  who: 'raspimon',
  metric: 'summary for /metrics, 100 devices × 5 keys (median)',
  value: percentile(summaryRuns, 50),
  unit: 'ms',
  lowerIsBetter: true,
});
const scrapes: number[] = [];
let text = '';
for (let i = 0; i < 200; i++) {
  const t = performance.now();
  text = await metrics.scrape();
  scrapes.push(performance.now() - t);
}
if ((text.match(/^raspimon_reading\{/gm) ?? []).length !== 500)
  throw new Error('expected 500 reading gauges');
figures.push({
  who: 'raspimon',
  metric: '/metrics scrape, 100 devices × 5 keys (median)',
  value: percentile(scrapes, 50),
  unit: 'ms',
  lowerIsBetter: true,
});
figures.push({
  who: 'raspimon',
  metric: '/metrics scrape, 100 devices × 5 keys (p95)',
  value: percentile(scrapes, 95),
  unit: 'ms',
  lowerIsBetter: true,
});
report('see-stats', figures);
