// Question: when 100,000 jobs fall due at the same instant, how long until all have run?
// Each contender schedules its jobs for one instant ~1 s ahead; the figure is the time
// from that instant to the end of the last job. Peers that take long to schedule that
// many jobs run a smaller burst (shown in their name); the per-job figure compares them.
import { Cron } from 'croner';
import nodeSchedule from 'node-schedule';
import { Scheduler } from '../src/scheduler/index.js';
import { report, type Figure } from './lib/report.js';

const figures: Figure[] = [];
const preciseNow = (): number => performance.timeOrigin + performance.now();

async function burst(who: string, count: number, schedule: (atMs: number, job: () => void) => void): Promise<void> {
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
  // A whole second ahead, so scheduling is over before the instant comes.
  const atMs = Math.ceil(Date.now() / 1000) * 1000 + 1000;
  for (let i = 0; i < count; i++) schedule(atMs, job);
  await done;
  const totalMs = lastMs - atMs;
  const name = who === 'raspimon' ? who : `${who} (${count.toLocaleString('en-US')} jobs)`;
  figures.push({ who: name, metric: 'time from the instant until all have run', value: totalMs, unit: 'ms', lowerIsBetter: true });
  figures.push({ who: name, metric: 'per job', value: (totalMs * 1000) / count, unit: 'µs/job', lowerIsBetter: true });
}

const N = 100_000;
{
  const s = new Scheduler().start();
  await burst('raspimon', 10_000, (at, job) => s.onceWhen(new Date(at), job)); // warm-up
  figures.length = 0;
  await burst('raspimon', N, (at, job) => s.onceWhen(new Date(at), job));
  await s.stop();
}
await burst('setTimeout', N, (at, job) => setTimeout(job, at - Date.now()));
await burst('node-schedule', 10_000, (at, job) => nodeSchedule.scheduleJob(new Date(at), job));
await burst('croner', 10_000, (at, job) => new Cron(new Date(at), job));
await nodeSchedule.gracefulShutdown();
report('scheduler-burst', figures);
process.exit(0);
