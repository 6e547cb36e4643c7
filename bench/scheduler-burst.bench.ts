// Question: when 100,000 jobs fall due at the same instant, how long until all have run?
// Each contender schedules its jobs for one instant far enough ahead that scheduling is
// over before it comes (checked); the figure is the time from that instant to the end of
// the last job. Peers that take long to schedule that
// many jobs run a smaller burst (shown in their name); the per-job figure compares them.
import { Cron } from 'croner';
import nodeSchedule from 'node-schedule';
import { Scheduler } from '../src/scheduler/index.js';
import { report, type Figure } from './lib/report.js';

const figures: Figure[] = [];
const preciseNow = (): number => performance.timeOrigin + performance.now();

async function burst(
  who: string,
  count: number,
  leadSeconds: number,
  schedule: (atMs: number, job: () => void) => void,
): Promise<void> {
  let ran = 0;
  let lastMs = 0;
  let finish: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (finish = resolve));
  const job = (): void => {
    if (++ran === count) {
      lastMs = preciseNow();
      finish();
    }
  };
  const atMs = Math.ceil(Date.now() / 1000) * 1000 + leadSeconds * 1000;
  for (let i = 0; i < count; i++) schedule(atMs, job);
  if (Date.now() >= atMs) {
    console.error(`${who}: scheduling ${count} jobs took longer than ${leadSeconds} s; raise its lead time`);
    process.exit(1);
  }
  await done;
  const totalMs = lastMs - atMs;
  const name = who === 'raspimon' ? who : `${who} (${count.toLocaleString('en-US')} jobs)`;
  figures.push({
    who: name,
    metric: 'time from the instant until all have run',
    value: totalMs,
    unit: 'ms',
    lowerIsBetter: true,
  });
  figures.push({
    who: name,
    metric: 'per job',
    value: (totalMs * 1000) / count,
    unit: 'µs/job',
    lowerIsBetter: true,
  });
}

const N = 100_000;
{
  const s = new Scheduler().start();
  await burst('raspimon', 10_000, 1, (at, job) => s.onceWhen(new Date(at), job)); // warm-up
  figures.length = 0;
  await burst('raspimon', N, 1, (at, job) => s.onceWhen(new Date(at), job));
  await s.stop();
}
await burst('setTimeout', N, 1, (at, job) => setTimeout(job, at - Date.now()));
// ~0.2 ms to schedule one job each (scheduler-schedule bench): 10,000 need a few seconds.
await burst('node-schedule', 10_000, 10, (at, job) => nodeSchedule.scheduleJob(new Date(at), job));
await burst('croner', 10_000, 10, (at, job) => new Cron(new Date(at), job));
await nodeSchedule.gracefulShutdown();
report('scheduler-burst', figures);
process.exit(0);
