// Steady-state cost of a monitor with 20 devices × 5 keys sampled at 1 Hz (100 readings/s
// written to FerretDB): CPU % of one core and peak RSS of the monitor's process over the
// window (FerretDB's process is not counted). The monitor runs in a child process from a
// plain-JS bundle (esbuild, mongodb external), because the TypeScript loader itself adds
// ~34 MB of RSS. Targets (issue 6): ≤ 1 % of a core, ≤ 75 MB RSS.
// The window is 60 s; RASPIMON_BENCH_IDLE_SECONDS changes it.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { MongoClient } from 'mongodb';
import { startFerretDB } from '../test/helpers/ferretdb.js';
import { report, type Figure } from './lib/report.js';

const seconds = Number(process.env.RASPIMON_BENCH_IDLE_SECONDS ?? 60);
const DEVICES = 20;
const KEYS = 5;
const root = path.resolve(import.meta.dirname, '..');
const dir = mkdtempSync(path.join(os.tmpdir(), 'raspimon-bench-idle-'));
const server = await startFerretDB();
const figures: Figure[] = [];
try {
  const client = new MongoClient(server.uri);
  await client.connect();
  const db = client.db('bench_idle');
  await db
    .collection('keys')
    .insertMany(Array.from({ length: KEYS }, (_, k) => ({ keyId: k + 1, unit: 'n' })));
  await db.collection('devices').insertMany(
    Array.from({ length: DEVICES }, (_, d) => ({
      id: d + 1,
      name: `sensor-${d + 1}`,
      driver: 'five',
      interval: 1,
    })),
  );
  await client.close();

  // Bundled next to node_modules so the external mongodb resolves.
  const bundle = path.join(root, 'node_modules', '.cache', 'raspimon-bench', 'monitor-idle-child.mjs');
  await build({
    entryPoints: [path.join(import.meta.dirname, 'monitor-idle-child.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: bundle,
    external: ['mongodb', 'serialport'],
    logLevel: 'error',
  });
  const out = execFileSync(
    process.execPath,
    [bundle, server.uri, 'bench_idle', path.join(dir, 'state'), String(seconds)],
    { encoding: 'utf8' },
  );
  const result = JSON.parse(out.trim().split('\n').at(-1)!) as {
    cpuPercent: number;
    peakRssMB: number;
    written: number;
    devices: number;
  };
  console.log(
    `window ${seconds} s, ${result.devices} devices, ${result.written} readings written (${(result.written / seconds).toFixed(0)}/s; ${DEVICES * KEYS}/s expected)`,
  );

  // The floor: a bare node process with the mongodb driver, idle, for comparison of RSS.
  const floor = JSON.parse(
    execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { MongoClient } from 'mongodb'; const c = new MongoClient(${JSON.stringify(server.uri)}); await c.connect(); await c.db('x').command({ ping: 1 }); await new Promise((r) => setTimeout(r, 2000)); console.log(JSON.stringify({ rss: process.memoryUsage().rss / 2 ** 20 })); await c.close();`,
      ],
      { cwd: root, encoding: 'utf8' },
    ),
  ) as { rss: number };

  const cpuMetric = `CPU, 20 devices × 5 keys at 1 Hz (${seconds} s)`;
  figures.push({
    who: 'raspimon',
    metric: cpuMetric,
    value: result.cpuPercent,
    unit: '% of a core',
    lowerIsBetter: true,
  });
  figures.push({
    who: 'target (issue 6)',
    metric: cpuMetric,
    value: 1,
    unit: '% of a core',
    lowerIsBetter: true,
  });
  figures.push({
    who: 'raspimon',
    metric: `peak RSS (${seconds} s)`,
    value: result.peakRssMB,
    unit: 'MB',
    lowerIsBetter: true,
  });
  figures.push({
    who: 'target (issue 6)',
    metric: `peak RSS (${seconds} s)`,
    value: 75,
    unit: 'MB',
    lowerIsBetter: true,
  });
  figures.push({
    who: 'bare node + mongodb, idle',
    metric: `peak RSS (${seconds} s)`,
    value: floor.rss,
    unit: 'MB',
    lowerIsBetter: true,
  });
} finally {
  await server.dispose();
  rmSync(dir, { recursive: true, force: true });
}
report('monitor-idle', figures);
