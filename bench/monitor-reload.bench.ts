// Time from SIGHUP to the new configuration running (the changed device's driver has
// read once) with 100 devices, beside restarting the whole monitor (stop + new + start),
// which is what an agent that exits on config changes costs. Target (issue 6): ≤ 50 ms.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { Monitor, type DriverFactory } from '../src/monitor/index.js';
import { Scheduler } from '../src/scheduler/index.js';
import { startFerretDB } from '../test/helpers/ferretdb.js';
import { percentile, report, type Figure } from './lib/report.js';

const DEVICES = 100;
const ROUNDS = Number(process.env.RASPIMON_BENCH_ROUNDS ?? 30);
const silent = { debug() {}, info() {}, warning() {}, error() {}, alert() {} };
const server = await startFerretDB();
const dir = mkdtempSync(path.join(os.tmpdir(), 'raspimon-bench-reload-'));
const client = new MongoClient(server.uri);
const figures: Figure[] = [];

// Resolves when the device with this id and config.round has read once.
let waiting: { id: number; round: number; resolve: () => void } | undefined;
const quick: DriverFactory = (config, context) => ({
  read() {
    if (waiting && context.device.id === waiting.id && config.round === waiting.round) waiting.resolve();
    return [{ keyId: 1, value: 1 }];
  },
});
const runningAfter = (id: number, round: number): Promise<void> =>
  new Promise((resolve) => (waiting = { id, round, resolve }));

function makeMonitor(scheduler: Scheduler): Monitor {
  return new Monitor({
    uri: server.uri,
    namespace: 'bench_reload',
    scheduler,
    logger: silent,
    stateDir: dir,
    pollSeconds: 3600,
    drivers: { quick },
  });
}

try {
  await client.connect();
  const db = client.db('bench_reload');
  await db.collection('keys').insertOne({ keyId: 1, unit: 'n' });
  await db.collection('devices').insertMany(
    Array.from({ length: DEVICES }, (_, d) => ({
      id: d + 1,
      name: `sensor-${d + 1}`,
      driver: 'quick',
      config: { round: 0 },
      interval: 5,
    })),
  );
  const devices = db.collection('devices');
  const scheduler = new Scheduler();
  scheduler.start();

  // raspimon: SIGHUP → diff-based reload; 99 devices untouched, one changed.
  const monitor = makeMonitor(scheduler);
  const uninstall = monitor.handleSignals();
  await monitor.start();
  const hup: number[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const id = 1 + (round % DEVICES);
    await devices.updateOne({ id }, { $set: { config: { round } } });
    const running = runningAfter(id, round);
    const t = performance.now();
    process.kill(process.pid, 'SIGHUP');
    await running;
    hup.push(performance.now() - t);
  }
  uninstall();
  await monitor.stop();

  // Peer: restart everything on each change.
  const restart: number[] = [];
  let current = makeMonitor(scheduler);
  await current.start();
  for (let round = ROUNDS + 1; round <= ROUNDS + Math.min(ROUNDS, 10); round++) {
    const id = 1 + (round % DEVICES);
    await devices.updateOne({ id }, { $set: { config: { round } } });
    const running = runningAfter(id, round);
    const t = performance.now();
    await current.stop();
    current = makeMonitor(scheduler);
    await current.start();
    await running;
    restart.push(performance.now() - t);
  }
  await current.stop();
  await scheduler.stop();

  const metric = `SIGHUP → new config running, ${DEVICES} devices (median of ${ROUNDS})`;
  figures.push({ who: 'raspimon', metric, value: percentile(hup, 50), unit: 'ms', lowerIsBetter: true });
  figures.push({
    who: 'full monitor restart',
    metric,
    value: percentile(restart, 50),
    unit: 'ms',
    lowerIsBetter: true,
  });
  figures.push({ who: 'target (issue 6)', metric, value: 50, unit: 'ms', lowerIsBetter: true });
  figures.push({
    who: 'raspimon',
    metric: 'p95 SIGHUP → running',
    value: percentile(hup, 95),
    unit: 'ms',
    lowerIsBetter: true,
  });
  figures.push({
    who: 'full monitor restart',
    metric: 'p95 SIGHUP → running',
    value: percentile(restart, 95),
    unit: 'ms',
    lowerIsBetter: true,
  });
} finally {
  await client.close();
  await server.dispose();
  rmSync(dir, { recursive: true, force: true });
}
report('monitor-reload', figures);
