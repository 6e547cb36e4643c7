// Question: how much memory does one pending job take, and how many timers does the
// scheduler hold for a million of them? Needs `node --expose-gc` (bench/run.ts passes it).
// Peers that are slow or heavy are measured at a smaller count (shown in their name).
// What is counted is what a caller pays: the job, the scheduler's growth for it (each
// measurement uses a fresh Scheduler, so no capacity is left over from an earlier one),
// and the id string it returns, which the caller keeps (the handles array holds it; the
// array itself is allocated before the baseline).
import { Cron } from 'croner';
import nodeCron from 'node-cron';
import nodeSchedule from 'node-schedule';
import { ToadScheduler } from 'toad-scheduler';
import { Scheduler } from '../src/scheduler/index.js';
import { heapUsedAfterGc, report, type Figure } from './lib/report.js';
import { toadHourlyJobs } from './lib/toad.js';

if (typeof (globalThis as { gc?: unknown }).gc !== 'function') {
  console.error('run with node --expose-gc (npm run bench -- scheduler-memory)');
  process.exit(1);
}

const noop = (): void => undefined;
const figures: Figure[] = [];
const timers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

interface Contender<H> {
  who: string;
  count: number;
  schedule: (i: number) => H;
  remove: (handle: H) => void;
}

/** Bytes of heap per pending job, and the timers held while `count` jobs are pending. */
function measure<H>(metric: string, c: Contender<H>): { bytes: number; timers: number } {
  const handles = new Array<H>(c.count); // allocated before the baseline: not counted
  const timersBefore = timers();
  const before = heapUsedAfterGc();
  for (let i = 0; i < c.count; i++) handles[i] = c.schedule(i);
  const after = heapUsedAfterGc();
  const held = timers() - timersBefore;
  for (let i = 0; i < c.count; i++) c.remove(handles[i]!);
  const bytes = (after - before) / c.count;
  const who = c.who === 'raspimon' ? c.who : `${c.who} (${c.count.toLocaleString('en-US')} jobs)`;
  figures.push({ who, metric, value: bytes, unit: 'bytes/job', lowerIsBetter: true });
  return { bytes, timers: held };
}

const hour = 3600;
const far = new Date(Date.now() + 86_400_000);
const notes: string[] = [];
/** A fresh started scheduler per measurement, stopped at the end. */
const fresh: Scheduler[] = [];
function ours(): Scheduler {
  const s = new Scheduler().start();
  fresh.push(s);
  return s;
}

for (const count of [100_000, 1_000_000]) {
  const metric = `memory per pending one-shot job, ${count.toLocaleString('en-US')} pending`;
  const s = ours();
  const mine = measure(metric, {
    who: 'raspimon',
    count,
    schedule: () => s.onceAfter(hour, noop),
    remove: (id) => s.remove(id),
  });
  notes.push(`raspimon: ${count.toLocaleString('en-US')} pending one-shot jobs held ${mine.timers} timer(s)`);
  measure(metric, {
    who: 'setTimeout',
    count,
    schedule: () => setTimeout(noop, hour * 1000),
    remove: (t) => clearTimeout(t),
  });
  if (count === 100_000) {
    measure(metric, {
      who: 'node-schedule (Date)',
      count: 20_000,
      schedule: () => nodeSchedule.scheduleJob(far, noop),
      remove: (j) => j.cancel(),
    });
    measure(metric, {
      who: 'croner (Date)',
      count: 20_000,
      schedule: () => new Cron(far, noop),
      remove: (j) => j.stop(),
    });
  }
}

for (const count of [100_000, 1_000_000]) {
  const metric = `memory per pending interval job, ${count.toLocaleString('en-US')} pending`;
  const s = ours();
  measure(metric, {
    who: 'raspimon',
    count,
    schedule: () => s.repeatEvery(hour, noop),
    remove: (id) => s.remove(id),
  });
  measure(metric, {
    who: 'setInterval',
    count,
    schedule: () => setInterval(noop, hour * 1000),
    remove: (t) => clearInterval(t),
  });
  if (count === 100_000) {
    const toad = new ToadScheduler();
    measure(metric, toadHourlyJobs(toad, noop));
    toad.stop();
  }
}

{
  const metric = 'memory per pending cron job ("0 8 * * *"), 100,000 pending';
  const s = ours();
  const mine = measure(metric, {
    who: 'raspimon',
    count: 100_000,
    schedule: () => s.repeatCron('0 8 * * *', noop),
    remove: (id) => s.remove(id),
  });
  notes.push(`raspimon: 100,000 pending cron jobs held ${mine.timers} timer(s)`);
  const nc = measure(metric, {
    who: 'node-cron',
    count: 10_000,
    schedule: () => nodeCron.schedule('0 8 * * *', noop),
    remove: (t) => void t.destroy(),
  });
  notes.push(`node-cron: 10,000 pending cron jobs held ${nc.timers} timer(s)`);
  measure(metric, {
    who: 'croner',
    count: 20_000,
    schedule: () => new Cron('0 8 * * *', noop),
    remove: (j) => j.stop(),
  });
  measure(metric, {
    who: 'node-schedule',
    count: 10_000,
    schedule: () => nodeSchedule.scheduleJob('0 8 * * *', noop),
    remove: (j) => j.cancel(),
  });
}

await Promise.all(fresh.map((s) => s.stop()));
await nodeSchedule.gracefulShutdown();
report('scheduler-memory', figures);
console.log(`\n${notes.join('\n')}`);
process.exit(0);
