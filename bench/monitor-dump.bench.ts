// The longest event-loop block while a driver hands over 1,000,000 readings in one call (a
// data logger dumping its memory) with the database down, so all of it goes through memory
// to the spool (issue 17 HIGH 3: under 50 ms). Measured with perf_hooks'
// monitorEventLoopDelay and a 1 ms timer-lag probe. Beside it, the floors from the same run:
// the same probes over an idle stretch with the same 1,000,000 readings held in memory (GC
// of that heap alone), and the time one synchronous pass of the intake's checks over the
// dump takes (the block a one-call intake would cause: the issue measured 21.4 s with one
// splice per push). Fails when the longest block is 50 ms or more.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { longestBlock } from '../test/helpers/event-loop-block.js';
import { startFerretDB } from '../test/helpers/ferretdb.js';
import { addStreamingDevice, startStreamingMonitor } from './lib/monitor.js';
import { report, type Figure } from './lib/report.js';

const N = Number(process.env.RASPIMON_BENCH_DUMP ?? 1_000_000);
const boundMs = 50;

const server = await startFerretDB();
const dir = mkdtempSync(path.join(os.tmpdir(), 'raspimon-bench-dump-'));
const figures: Figure[] = [];
let failed: string | undefined;
try {
  const client = new MongoClient(server.uri);
  await client.connect();
  await addStreamingDevice(client.db('bench_dump'), 'logger', 'dump');
  await client.close();
  const { monitor, scheduler, context } = await startStreamingMonitor('dump', {
    uri: server.uri,
    namespace: 'bench_dump',
    stateDir: dir,
    pollSeconds: 3600,
    serverSelectionTimeoutSeconds: 0.5,
    // Default batchSize, memoryLimit and spoolLimitBytes: what a user gets.
  });
  await server.kill();
  const readings = Array.from({ length: N }, (_, i) => ({ keyId: 1, value: i, ts: 1_700_000_000 + i }));

  const idle = await longestBlock(() => new Promise((r) => setTimeout(r, 2000)));
  let t = 0;
  const dump = await longestBlock(async () => {
    t = performance.now();
    context.emit(readings);
    while (monitor.stats().backlog > 0) await new Promise((r) => setTimeout(r, 20));
    t = performance.now() - t;
  });
  const stats = monitor.stats();
  // One synchronous pass of the same checks over the dump: the block a one-call intake causes.
  let sync = performance.now();
  let sum = 0;
  for (const r of readings) if (Number.isSafeInteger(r.value) && r.ts < 1e11) sum += r.value;
  sync = performance.now() - sync;
  if (sum < 0) throw new Error('unreachable');
  await monitor.stop();
  await scheduler.stop();
  const longest = Math.max(dump.histogramMs, dump.lagMs);
  const idleLongest = Math.max(idle.histogramMs, idle.lagMs);
  const wall = `longest event-loop block (wall), ${N.toLocaleString('en-US')} readings in one emit`;
  const cpu = `most CPU time of the event-loop thread between two 1 ms probe ticks, ${N.toLocaleString('en-US')} readings in one emit`;
  const round = (ms: number): number => Math.round(ms * 10) / 10;
  figures.push(
    { who: 'raspimon', metric: wall, value: round(longest), unit: 'ms', lowerIsBetter: true },
    {
      who: 'idle loop, same heap (floor)',
      metric: wall,
      value: round(idleLongest),
      unit: 'ms',
      lowerIsBetter: true,
    },
    {
      who: 'one sync pass (one-call intake)',
      metric: wall,
      value: round(sync),
      unit: 'ms',
      lowerIsBetter: true,
    },
    { who: 'raspimon', metric: cpu, value: round(dump.cpuMs), unit: 'ms', lowerIsBetter: true },
    {
      who: 'idle loop, same heap (floor)',
      metric: cpu,
      value: round(idle.cpuMs),
      unit: 'ms',
      lowerIsBetter: true,
    },
    {
      who: 'raspimon',
      metric: `time to take in ${N.toLocaleString('en-US')} readings (memory → spool, database down)`,
      value: Math.round(t),
      unit: 'ms',
      lowerIsBetter: true,
    },
  );
  console.log(
    `dump of ${N}: spooled ${stats.spooled}, thinned/dropped at the spool limit ${stats.spoolDropped}, dropped from memory ${stats.memoryDropped + stats.backlogDropped}`,
  );
  if (stats.memoryDropped + stats.backlogDropped > 0) failed = 'readings were dropped from memory';
  // On a quiet machine (the idle loop blocks < 10 ms) the wall-clock block is the bound's
  // measure; on a loaded one, where the idle loop alone is preempted for longer, the CPU time
  // this process used in its longest gap is (preemption uses none of it).
  const quiet = idleLongest < 10;
  const measured = quiet ? longest : dump.cpuMs;
  console.log(
    `bound ${boundMs} ms checked on the ${quiet ? 'wall-clock block' : `CPU time of the longest gap (machine loaded: idle loop blocked ${idleLongest.toFixed(1)} ms)`}: ${measured.toFixed(1)} ms`,
  );
  if (measured >= boundMs) failed = `longest block ${measured.toFixed(1)} ms ≥ ${boundMs} ms`;
} finally {
  await server.dispose();
  rmSync(dir, { recursive: true, force: true });
}
report('monitor-dump', figures);
if (failed) {
  console.error(`monitor-dump: ${failed}`);
  process.exitCode = 1;
}
