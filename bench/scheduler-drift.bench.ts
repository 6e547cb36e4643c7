// Question: after many periods, how far has a repeating job drifted from its grid?
// Every contender runs a job every 10 ms that itself takes ~1 ms of CPU; drift = when the
// run for period 1,000 started − (start + 1,000 × 10 ms). setInterval and toad-scheduler
// re-arm from each run, so their slip adds up; the scheduler's grid is start + k·period,
// and a run that comes too late for its period is coalesced (counted) rather than queued.
import { SimpleIntervalJob, Task, ToadScheduler } from 'toad-scheduler';
import { Scheduler, systemClock, type Clock } from '../src/scheduler/index.js';
import { report, type Figure } from './lib/report.js';

const PERIODS = 1000;
const PERIOD_MS = 10;
const figures: Figure[] = [];
const metric = `drift after ${PERIODS} periods of ${PERIOD_MS} ms (job takes 1 ms)`;

function busy(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

/** A peer that runs once per period and never coalesces: its PERIODS-th run is period PERIODS. */
function peerDrift(start: (job: () => void) => () => void): Promise<number> {
  return new Promise((resolve) => {
    let runs = 0;
    const startMs = performance.now();
    const stop = start(() => {
      if (++runs === PERIODS) {
        stop();
        resolve(performance.now() - (startMs + PERIODS * PERIOD_MS));
      }
      busy(1);
    });
  });
}

async function oursDrift(): Promise<{ driftMs: number; coalesced: number }> {
  let lastRead = 0;
  const clock: Clock = { ...systemClock, monotonic: () => (lastRead = systemClock.monotonic()) };
  const scheduler = new Scheduler({ clock }).start();
  let runs = 0;
  const result = await new Promise<{ driftMs: number; coalesced: number }>((resolve) => {
    scheduler.repeatEvery(PERIOD_MS / 1000, () => {
      const nowMs = performance.now();
      runs++;
      // The period this run belongs to: the one before the next planned run.
      const nextMs = scheduler.jobs()[0]!.nextRun!.getTime() - (Date.now() - performance.now());
      const period = Math.round((nextMs - originMs) / PERIOD_MS) - 1;
      if (period >= PERIODS) {
        resolve({ driftMs: nowMs - (originMs + period * PERIOD_MS), coalesced: period - runs });
        return;
      }
      busy(1);
    });
    const originMs = lastRead;
  });
  await scheduler.stop();
  return result;
}

const ours = await oursDrift();
figures.push({ who: 'raspimon', metric, value: ours.driftMs, unit: 'ms', lowerIsBetter: true });
figures.push({
  who: 'setInterval',
  metric,
  value: await peerDrift((job) => {
    const t = setInterval(job, PERIOD_MS);
    return () => clearInterval(t);
  }),
  unit: 'ms',
  lowerIsBetter: true,
});
figures.push({
  who: 'toad-scheduler',
  metric,
  value: await peerDrift((job) => {
    const toad = new ToadScheduler();
    toad.addSimpleIntervalJob(new SimpleIntervalJob({ milliseconds: PERIOD_MS }, new Task('drift', job)));
    return () => toad.stop();
  }),
  unit: 'ms',
  lowerIsBetter: true,
});
report('scheduler-drift', figures);
console.log(
  `\nraspimon: ${ours.coalesced} of ${PERIODS} periods were coalesced (run came after the next period was due)`,
);
process.exit(0);
