// Question: how late does a job run after its due time, and does it ever run early?
// 2,000 real firings of a chain "run, then schedule the next one 5 ms later", for the
// scheduler (onceAfter) and for setTimeout, in alternating blocks of 250 so that load
// from other processes hits both alike. Lateness = performance.now() in the job − its due
// time on the same clock. (Node's setTimeout counts from the event loop's cached time,
// which can be a little behind performance.now(): hence its "early" firings.)
import { Scheduler, systemClock, type Clock } from '../src/scheduler/index.js';
import { percentile, report, type Figure } from './lib/report.js';

const FIRINGS = 2000;
const BLOCK = 250;
const DELAY_MS = 5;
const figures: Figure[] = [];

// The real clock, passed through, to learn the exact time each due is computed from.
let lastRead = 0;
const clock: Clock = { ...systemClock, monotonic: () => (lastRead = systemClock.monotonic()) };
const scheduler = new Scheduler({ clock }).start();

function oursBlock(lateness: number[]): Promise<void> {
  return new Promise((resolve) => {
    let left = BLOCK;
    let dueMs = 0;
    const run = (): void => {
      lateness.push(performance.now() - dueMs);
      if (--left === 0) resolve();
      else arm();
    };
    const arm = (): void => {
      scheduler.onceAfter(DELAY_MS / 1000, run);
      dueMs = lastRead + DELAY_MS;
    };
    arm();
  });
}

function setTimeoutBlock(lateness: number[]): Promise<void> {
  return new Promise((resolve) => {
    let left = BLOCK;
    const arm = (): void => {
      const dueMs = performance.now() + DELAY_MS;
      setTimeout(() => {
        lateness.push(performance.now() - dueMs);
        if (--left === 0) resolve();
        else arm();
      }, DELAY_MS);
    };
    arm();
  });
}

const ours: number[] = [];
const theirs: number[] = [];
while (ours.length < FIRINGS) {
  await oursBlock(ours);
  await setTimeoutBlock(theirs);
}
await scheduler.stop();

for (const [who, lateness] of [
  ['raspimon', ours],
  ['setTimeout', theirs],
] as const) {
  figures.push({
    who,
    metric: 'lateness p50',
    value: percentile(lateness, 50),
    unit: 'ms',
    lowerIsBetter: true,
  });
  figures.push({
    who,
    metric: 'lateness p99',
    value: percentile(lateness, 99),
    unit: 'ms',
    lowerIsBetter: true,
  });
  figures.push({
    who,
    metric: `early firings (of ${FIRINGS})`,
    value: lateness.filter((ms) => ms < 0).length,
    unit: 'firings',
    lowerIsBetter: true,
  });
  figures.push({
    who,
    metric: 'earliest firing (negative: early)',
    value: Math.min(...lateness),
    unit: 'ms',
    lowerIsBetter: false,
  });
}
report('scheduler-lateness', figures);
console.log(
  `\np99 difference (raspimon − setTimeout): ${(percentile(ours, 99) - percentile(theirs, 99)).toFixed(3)} ms`,
);
process.exit(0);
