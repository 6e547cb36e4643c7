// Question: what does it cost to schedule one job, and to remove it again?
// Each contender schedules `count` jobs far in the future (so none runs), then removes
// them all; the figure is the mean per job. Peers that are slow to schedule are measured
// at a smaller count (shown in their name) so the run stays under a minute.
import { Cron } from 'croner';
import nodeCron from 'node-cron';
import nodeSchedule from 'node-schedule';
import { ToadScheduler } from 'toad-scheduler';
import { Scheduler } from '../src/scheduler/index.js';
import { microsPerCall, report, type Figure } from './lib/report.js';
import { toadHourlyJobs } from './lib/toad.js';

const noop = (): void => undefined;
const figures: Figure[] = [];

interface Contender<H> {
  who: string;
  count: number;
  schedule: (i: number) => H;
  remove: (handle: H) => void;
  done?: () => void | Promise<void>;
}

async function measure<H>(metric: string, c: Contender<H>): Promise<void> {
  let round = 0;
  // A full warm-up round (JIT, and a heap grown to size, so the contender measured first
  // does not pay for growing the heap for everyone), then the measured one.
  for (const count of [c.count, c.count]) {
    const handles = new Array<H>(count);
    const scheduleUs = microsPerCall(count, (i) => {
      handles[i] = c.schedule(i);
    });
    const removeUs = microsPerCall(count, (i) => c.remove(handles[i]!));
    if (round++ === 1) {
      const who = `${c.who} (${count.toLocaleString('en-US')} jobs)`;
      figures.push({
        who,
        metric: `${metric}: schedule`,
        value: scheduleUs,
        unit: 'µs/job',
        lowerIsBetter: true,
      });
      figures.push({
        who,
        metric: `${metric}: remove`,
        value: removeUs,
        unit: 'µs/job',
        lowerIsBetter: true,
      });
    }
  }
  await c.done?.();
}

// report() matches our rows by name; the job count goes into the peers' names only.
function ours(): Scheduler {
  return new Scheduler().start();
}

const hour = 3600;
const far = new Date(Date.now() + 86_400_000);

const oneShot = 'one-shot job (1 h ahead)';
{
  const s = ours();
  await measure(oneShot, {
    who: 'raspimon',
    count: 200_000,
    schedule: () => s.onceAfter(hour, noop),
    remove: (id) => s.remove(id),
    done: () => s.stop(),
  });
}
await measure(oneShot, {
  who: 'setTimeout',
  count: 200_000,
  schedule: () => setTimeout(noop, hour * 1000),
  remove: (t) => clearTimeout(t),
});
await measure(oneShot, {
  who: 'node-schedule (Date)',
  count: 20_000,
  schedule: () => nodeSchedule.scheduleJob(far, noop),
  remove: (j) => j.cancel(),
});
await measure(oneShot, {
  who: 'croner (Date)',
  count: 20_000,
  schedule: () => new Cron(far, noop),
  remove: (j) => j.stop(),
});

const interval = 'interval job (every hour)';
{
  const s = ours();
  await measure(interval, {
    who: 'raspimon',
    count: 200_000,
    schedule: () => s.repeatEvery(hour, noop),
    remove: (id) => s.remove(id),
    done: () => s.stop(),
  });
}
await measure(interval, {
  who: 'setInterval',
  count: 200_000,
  schedule: () => setInterval(noop, hour * 1000),
  remove: (t) => clearInterval(t),
});
{
  const toad = new ToadScheduler();
  await measure(interval, { ...toadHourlyJobs(toad, noop), done: () => toad.stop() });
}

const cron = 'cron job ("0 8 * * *")';
{
  const s = ours();
  await measure(cron, {
    who: 'raspimon',
    count: 100_000,
    schedule: () => s.repeatCron('0 8 * * *', noop),
    remove: (id) => s.remove(id),
    done: () => s.stop(),
  });
}
await measure(cron, {
  who: 'node-cron',
  count: 5_000,
  schedule: () => nodeCron.schedule('0 8 * * *', noop),
  remove: (t) => void t.destroy(),
});
await measure(cron, {
  who: 'croner',
  count: 20_000,
  schedule: () => new Cron('0 8 * * *', noop),
  remove: (j) => j.stop(),
});
await measure(cron, {
  who: 'node-schedule',
  count: 10_000,
  schedule: () => nodeSchedule.scheduleJob('0 8 * * *', noop),
  remove: (j) => j.cancel(),
});
await nodeSchedule.gracefulShutdown();

// report() compares rows whose `who` is exactly 'raspimon'; rename ours accordingly.
for (const f of figures) if (f.who.startsWith('raspimon (')) f.who = 'raspimon';
report('scheduler-schedule', figures);
process.exit(0);
