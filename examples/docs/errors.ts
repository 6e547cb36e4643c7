// docs/errors.md opens with this file (below this line); test/examples/docs.test.ts runs it.
import { RaspimonError } from 'raspimon';
import { Scheduler } from 'raspimon/scheduler';

const scheduler = new Scheduler(); // not started
try {
  scheduler.onceAfter(1, () => console.log('never'));
} catch (error) {
  if (!(error instanceof RaspimonError)) throw error;
  // Every error raspimon throws has a stable code; look it up in the table below.
  console.log(`${error.name} ${error.code}: ${error.message}`);
}
