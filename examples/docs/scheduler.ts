// docs/scheduler.md opens with this file (below this line); test/examples/docs.test.ts runs it.
import { Scheduler } from 'raspimon/scheduler';

const scheduler = new Scheduler({ timeZone: 'Europe/Madrid' }).start(); // start() comes first
const read = (where: string): void => console.log(`read ${where} at ${new Date().toISOString()}`);
scheduler.repeatOClock(60, read, 'sensors'); // at :00 of every minute
scheduler.repeatEvery(0.5, read, 'kitchen'); // read('kitchen') every 0.5 s, drift-free
scheduler.repeatCron('0 8 * * *', () => console.log('digest')); // 08:00 Madrid time, DST-aware
const id = scheduler.onceAfter(2.5, () => console.log('never')); // once, in 2.5 s …
scheduler.remove(id); // … or not: -> true, it never runs
scheduler.onceAfter(2, () => void scheduler.stop()); // here the demo ends after 2 s
process.once('SIGTERM', () => void scheduler.stop());
await scheduler.loopForever(); // resolves after stop()
console.log(scheduler.jobs().length, 'jobs left');
