// The whole main script of a monitored Raspberry Pi (see the README and examples/systemd/).
import { getDeviceNamespace } from 'raspimon/identity';
import { MailLoggerClient } from 'raspimon/mail-logger';
import { Monitor } from 'raspimon/monitor';
import { Scheduler } from 'raspimon/scheduler';

const logger = MailLoggerClient.open(); // $RASPIMON_MAIL_LOGGER, else the daemon's unix socket
async function fail(problem: string, error: unknown): Promise<never> {
  console.error(String(error)); // the seed: show the error and send an e-mail
  logger.alert(problem, { error: String(error) });
  await logger.close();
  process.exit(1);
}
let namespace = '';
try {
  namespace = getDeviceNamespace(); // 'raspimon_' + the wired MAC, e.g. raspimon_dca632112233
} catch (error) {
  await fail('cannot identify this device; readings are not being stored', error);
}
const scheduler = new Scheduler().start();
const uri = process.env.MONGODB_URI ?? 'mongodb://localhost:27017/';
const pidFile = process.env.RASPIMON_PIDFILE; // for `raspimon … --reload <pidfile>`
const monitor = new Monitor({ uri, namespace, scheduler, logger, pidFile });
monitor.handleSignals({ onStop: () => void scheduler.stop() }); // SIGHUP reloads; SIGTERM flushes, stops
await monitor.start().catch((error: unknown) => fail(`the monitor cannot start on ${namespace}`, error));
logger.info(`monitoring ${namespace}`);
scheduler.repeatCron('55 7 * * *', () => logger.info(monitor.readingsDigest())); // into the 08:00 digest
await scheduler.loopForever();
await logger.close();
