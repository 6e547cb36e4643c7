// The whole main script of a monitored Raspberry Pi (`raspimon init` writes it as main.ts).
import { getDeviceNamespace } from 'raspimon/identity';
import { MailLoggerClient } from 'raspimon/mail-logger';
import { Monitor } from 'raspimon/monitor';
import { Scheduler } from 'raspimon/scheduler';

async function fail(logger: MailLoggerClient, problem: string, error: unknown): Promise<never> {
  console.error(`${problem}: ${String(error)}`); // the seed: show the error and send an e-mail
  logger.alert(problem, { error: String(error) });
  await logger.close();
  process.exit(1);
}
let namespace = '';
try {
  // $RASPIMON_NAMESPACE, else 'raspimon_' + the wired MAC, e.g. raspimon_dca632112233
  namespace = process.env.RASPIMON_NAMESPACE || getDeviceNamespace();
} catch (error) {
  await fail(MailLoggerClient.open(), 'cannot identify this device; readings are not being stored', error);
}
// $RASPIMON_MAIL_LOGGER, else the daemon's socket; mails name this device; what cannot be
// mailed yet (daemon down) is also written to stderr, so journalctl shows it.
const logger = MailLoggerClient.open(undefined, { source: namespace, tee: 'stderr' });
const scheduler = new Scheduler().start();
const uri = process.env.MONGODB_URI ?? 'mongodb://localhost:27017/';
const pidFile = process.env.RASPIMON_PIDFILE; // for `raspimon … --reload <pidfile>`
const mqttUrl = process.env.RASPIMON_MQTT_URL; // readings + Home Assistant discovery over MQTT
const mqtt = mqttUrl ? { url: mqttUrl, credentialsFile: process.env.RASPIMON_MQTT_CREDENTIALS } : undefined;
const monitor = new Monitor({ uri, namespace, scheduler, logger, pidFile, mqtt });
monitor.handleSignals({ onStop: () => void scheduler.stop() }); // SIGHUP reloads; SIGTERM flushes, stops
await monitor.start().catch((e: unknown) => fail(logger, `the monitor cannot start on ${namespace}`, e));
const started = `monitoring ${namespace}: ${monitor.devices().length} device(s), pid ${process.pid}`;
console.log(started); // the one start line, for journalctl
logger.info(started);
scheduler.repeatCron('55 7 * * *', () => logger.info(monitor.readingsDigest())); // into the 08:00 digest
await scheduler.loopForever();
await logger.close();
