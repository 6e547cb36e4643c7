// Question: after many periods, how far has a repeating job drifted from its grid?
// Every contender runs a job every 10 ms that itself takes ~1 ms of CPU, 1,000 times;
// drift = when the 1,000th run started − (start + 1,000 × 10 ms).
import { SimpleIntervalJob, Task, ToadScheduler } from 'toad-scheduler';
import { Scheduler } from '../src/scheduler/index.js';
import { report, type Figure } from './lib/report.js';

const RUNS = 1000;
const PERIOD_MS = 10;
const figures: Figure[] = [];

function busy(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

/** Starts a contender, returns the drift of its RUNS-th run in ms. */
function drift(start: (job: () => void) => () => void): Promise<number> {
  return new Promise((resolve) => {
    let runs = 0;
    const startMs = performance.now();
    const stop = start(() => {
      if (++runs === RUNS) {
        const driftMs = performance.now() - (startMs + RUNS * PERIOD_MS);
        stop();
        resolve(driftMs);
      }
      busy(1);
    });
  });
}

function add(who: string, ms: number): void {
  figures.push({ who, metric: `drift after ${RUNS} periods of ${PERIOD_MS} ms (job takes 1 ms)`, value: ms, unit: 'ms', lowerIsBetter: true });
}

add(
  'raspimon',
  await drift((job) => {
    const s = new Scheduler().start();
    s.repeatEvery(PERIOD_MS / 1000, job);
    return () => void s.stop();
  }),
);
add(
  'setInterval',
  await drift((job) => {
    const t = setInterval(job, PERIOD_MS);
    return () => clearInterval(t);
  }),
);
add(
  'toad-scheduler',
  await drift((job) => {
    const toad = new ToadScheduler();
    toad.addSimpleIntervalJob(new SimpleIntervalJob({ milliseconds: PERIOD_MS }, new Task('drift', job)));
    return () => toad.stop();
  }),
);
report('scheduler-drift', figures);
process.exit(0);
