// docs/monitor.md opens with this file (below this line); test/examples/docs.test.ts runs it.
import { getDeviceNamespace } from 'raspimon/identity';
import { MailLoggerClient } from 'raspimon/mail-logger';
import { Monitor } from 'raspimon/monitor';
import { Scheduler } from 'raspimon/scheduler';

const scheduler = new Scheduler().start();
const logger = MailLoggerClient.open(); // device problems go to the mail-logger daemon
const monitor = new Monitor({
  uri: process.env.MONGODB_URI ?? 'mongodb://localhost:27017/',
  namespace: process.env.RASPIMON_NAMESPACE || getDeviceNamespace(), // raspimon_<wired MAC>
  scheduler,
  logger,
});
// First thing: SIGHUP's default action would kill the process.
monitor.handleSignals({ onStop: () => void scheduler.stop() }); // SIGHUP → reload, SIGTERM → stop + flush
await monitor.start(); // never fails because the database is down: readings wait in the spool
console.log(`monitoring ${monitor.devices().length} device(s)`);
await scheduler.loopForever(); // returns after SIGTERM/SIGINT
await logger.close();
