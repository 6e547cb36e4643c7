// Write throughput with rollups on (the default: every stored batch feeds the minute
// windows and the open hours) beside the same monitor with the rollups' listener detached,
// in the same run, alternating to share the machine's noise. Goal: on ≥ 0.9 × off.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { startFerretDB } from '../test/helpers/ferretdb.js';
import { addStreamingDevice, emitInBursts, startStreamingMonitor } from './lib/monitor.js';
import { report, type Figure } from './lib/report.js';

const N = Number(process.env.RASPIMON_BENCH_READINGS ?? 20_000);
const ROUNDS = 4;
const server = await startFerretDB();
const client = new MongoClient(server.uri);
const totals = { on: 0, off: 0 };
try {
  await client.connect();
  for (let round = 0; round < ROUNDS; round++)
    for (const mode of round % 2 === 0 ? (['on', 'off'] as const) : (['off', 'on'] as const)) {
      const namespace = `bench_see_${mode}_${round}`;
      const db = client.db(namespace);
      await addStreamingDevice(db, 'firehose', 'firehose');
      const dir = mkdtempSync(path.join(os.tmpdir(), 'raspimon-bench-see-'));
      const { monitor, scheduler, context } = await startStreamingMonitor('firehose', {
        uri: server.uri,
        namespace,
        stateDir: dir,
        pollSeconds: 3600,
        memoryLimit: N * 2,
      });
      // Off: detach the rollups' stored-readings listener (a bench-only reach into the monitor).
      if (mode === 'off') (monitor as unknown as { storedListeners: Set<unknown> }).storedListeners.clear();
      const readings = Array.from({ length: 1000 }, (_, i) => ({ keyId: 1, value: i }));
      const t = performance.now();
      await emitInBursts(context, readings, N);
      await monitor.flush();
      totals[mode] += (performance.now() - t) / 1000;
      if (monitor.stats().written !== N) throw new Error(`wrote ${monitor.stats().written} of ${N}`);
      const windowBytes = monitor.rollupStats().windowBytes;
      if ((mode === 'on') !== windowBytes > 0)
        throw new Error(`rollups ${mode} but windowBytes ${windowBytes}`);
      await monitor.stop();
      await scheduler.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  const figures: Figure[] = [
    {
      who: 'raspimon',
      metric: 'readings/s into FerretDB',
      value: Math.round((N * ROUNDS) / totals.on),
      unit: 'readings/s',
      lowerIsBetter: false,
    },
    {
      who: 'rollups off (listener detached)',
      metric: 'readings/s into FerretDB',
      value: Math.round((N * ROUNDS) / totals.off),
      unit: 'readings/s',
      lowerIsBetter: false,
    },
  ];
  report('see-writer', figures);
} finally {
  await client.close();
  await server.dispose();
}
