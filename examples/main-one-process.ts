// The main script for the smallest boards (`raspimon init --one-process` writes it as main.ts):
// the monitor and the mail-logger daemon in one process, one systemd unit. The daemon keeps
// its journal, delivery rules and socket, so other programs on this Pi log to it as before.
import { getDeviceNamespace } from 'raspimon/identity';
import { MailLoggerClient, MailLoggerServer, type MailLoggerServerOptions } from 'raspimon/mail-logger';
import { Monitor } from 'raspimon/monitor';
import { Scheduler } from 'raspimon/scheduler';

const env = process.env;
const scheduler = new Scheduler().start();
// The daemon first, so every record below reaches its journal (journal failure: exit 1).
// Under systemd (systemd/raspimon.service): the unit's private copy of the credentials and the
// second of its state directories.
const credentials = env.CREDENTIALS_DIRECTORY ? `${env.CREDENTIALS_DIRECTORY}/mail_credentials` : undefined;
const daemon = await MailLoggerServer.start({
  credentials: env.RASPIMON_MAIL_CREDENTIALS ?? credentials ?? '/etc/raspimon/mail_credentials',
  stateDir:
    env.RASPIMON_MAIL_STATE_DIR ?? env.STATE_DIRECTORY?.split(':')[1] ?? '/var/lib/raspimon/mail-logger',
  scheduler, // $RASPIMON_MAIL_LOGGER, else unix:///run/raspimon/mail-logger.sock
  // What the daemon's flags set, as JSON, e.g. {"daily": "0 7 * * *", "maxMailsPerDay": 90}
  ...(JSON.parse(env.RASPIMON_MAIL_OPTIONS ?? '{}') as Partial<MailLoggerServerOptions>),
}).catch((e: unknown) => (console.error(`the mail logger cannot start: ${String(e)}`), process.exit(2)));
let namespace = '';
let problem: [string, unknown] | undefined;
try {
  namespace = env.RASPIMON_NAMESPACE || getDeviceNamespace(); // e.g. raspimon_dca632112233
} catch (error) {
  problem = ['cannot identify this device; readings are not being stored', error];
}
// The monitor logs through the daemon's socket like any client: same journal, same acks.
const logger = MailLoggerClient.open(daemon.address, { source: namespace || 'raspimon', tee: 'stderr' });
const monitor = new Monitor({
  uri: env.MONGODB_URI ?? 'mongodb://localhost:27017/',
  namespace: namespace || 'x',
  scheduler,
  logger,
  pidFile: env.RASPIMON_PIDFILE,
});
let stopping: Promise<never> | undefined;
function stop(code: number): Promise<never> {
  return (stopping ??= (async () => {
    await monitor.stop().catch((e: unknown) => console.error(String(e)));
    await logger.close(); // every record acknowledged by the daemon's journal
    await daemon.close(); // mails what it can for up to 3 s; the rest waits in the journal
    await scheduler.stop();
    process.exit(code);
  })());
}
void daemon.closed.then((fatal) => fatal && (console.error(fatal.message), stop(1)));
if (problem) {
  console.error(`${problem[0]}: ${String(problem[1])}`); // the seed: show the error and mail it
  logger.alert(problem[0], { error: String(problem[1]) });
  await stop(1);
}
monitor.handleSignals({ onStop: () => void stop(0) }); // SIGHUP reloads; SIGTERM flushes, stops
await monitor.start().catch((e: unknown) => {
  logger.alert(`the monitor cannot start on ${namespace}`, { error: String(e) });
  return stop(1);
});
const started = `monitoring ${namespace} with the mail logger in-process: ${monitor.devices().length} device(s), pid ${process.pid}`;
console.log(started); // the one start line, for journalctl
logger.info(started);
scheduler.repeatCron('55 7 * * *', () => logger.info(monitor.readingsDigest())); // into the 08:00 digest
await scheduler.loopForever();
