// The daemon's command line: `raspimon-mail-logger /etc/mail_credentials` (also installed
// as `MailLoggerServer`, the seed's name).
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { RaspimonError } from '../../errors.js';
import { packageVersion } from '../../internal/index.js';
import { describeSmtp, loadCredentialsFile } from '../delivery/credentials.js';
import { createPooledTransport } from '../delivery/smtp-transport.js';
import { classifySmtpFailure } from '../delivery/smtp-reply.js';
import { resolveServerOptions, type MailLoggerServerOptions } from './options.js';
import { DEFAULT_TRANSPORT } from '../protocol.js';
import { MailLoggerServer } from './server.js';

const USAGE = `Usage: raspimon-mail-logger [options] <credentials-file>

Runs the raspimon mail-logger daemon: programs log through MailLoggerClient, the daemon
mails instant records at once (grouped) and the rest in daily/weekly digests.

The credentials file is JSON, readable only by its owner (chmod 600):
  {"smtp": "smtps://user:password@smtp.example.org:465", "from": "robot@example.org", "to": ["team@example.org"]}

Options:
  --listen <url>            unix:///path.sock or tcp://host:port (tcp://:port = loopback)
                            default: $RASPIMON_MAIL_LOGGER or ${DEFAULT_TRANSPORT}
  --state-dir <dir>         journal directory (default /var/lib/raspimon/mail-logger)
  --daily <cron>            daily digest time (default "0 8 * * *")
  --weekly <cron>           weekly digest time (default "0 8 * * 1", Monday)
  --time-zone <zone>        IANA time zone of the digests (default: local)
  --group-wait <seconds>    least time between instant mails; records arriving
                            meanwhile share the next one (default 1)
  --group-interval <sec>    rate-limit window of instant mails (default 600)
  --max-instant-mails <n>   instant mails per window before grouping (default 6)
  --retry-max <seconds>     longest wait between SMTP attempts (default 300)
  --max-mail-bytes <n>      largest mail; longer digests are cut (default 1048576)
  --max-mails-per-day <n>   mails per rolling 24 h, e.g. a free account's quota
                            (default: no limit)
  --send-timeout <seconds>  give up on an SMTP attempt after this long (default 60)
  --max-connections <n>     client connections open at once; more are refused
                            (default 256, or ulimit -n less 64)
  --hello-timeout <sec>     close a connection that says no hello in time (default 10)
  --check                   validate the credentials, send a test mail and exit
  -h, --help                show this help
  -V, --version             print the version of raspimon

SIGTERM/SIGINT: mail what is pending (up to 3 s), write the journal, exit 0.
Exit status 1: a runtime failure, e.g. the journal cannot be written (the daemon stops
rather than accept what it cannot keep); 2: bad usage, credentials or start-up error.`;

/** The flag that sets each MailLoggerServer option, so option errors name what the user typed. */
const FLAGS: Record<string, string> = {
  listen: '--listen',
  stateDir: '--state-dir',
  daily: '--daily',
  weekly: '--weekly',
  timeZone: '--time-zone',
  groupWait: '--group-wait',
  groupInterval: '--group-interval',
  maxInstantMails: '--max-instant-mails',
  'retry.minSeconds': '--retry-max',
  'retry.maxSeconds': '--retry-max',
  maxMailBytes: '--max-mail-bytes',
  maxMailsPerDay: '--max-mails-per-day',
  sendTimeoutSeconds: '--send-timeout',
  maxConnections: '--max-connections',
  helloTimeoutSeconds: '--hello-timeout',
};

function flagLabel(option: string): string {
  return FLAGS[option] ?? `option ${option}`;
}

function fail(message: string, code = 2): never {
  process.stderr.write(`raspimon-mail-logger: ${message}\n`);
  process.exit(code);
}

function seconds(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0)
    fail(`--${name} must be a positive number, got ${JSON.stringify(value)}\n\n${USAGE}`);
  return n;
}

async function check(file: string): Promise<void> {
  const credentials = loadCredentialsFile(file);
  const transport = createPooledTransport(credentials, { pool: false });
  try {
    await transport.sendMail({
      from: credentials.from,
      to: credentials.to,
      subject: 'raspimon-mail-logger test mail',
      text: `This test mail was sent by "raspimon-mail-logger --check ${file}". The credentials work.`,
      messageId: `<${randomUUID()}@raspimon.mail-logger>`,
    });
  } catch (error) {
    // The same classification the daemon uses, so a login or TLS problem is named at install time.
    const failure = classifySmtpFailure(error);
    const what = {
      auth: 'refused the login',
      tls: 'could not set up TLS',
      'too-big': 'refused the size',
      permanent: 'refused',
      transient: 'did not take',
    }[failure.kind];
    fail(
      `the SMTP server ${describeSmtp(credentials.smtp)} ${what} for the test mail (${failure.summary})`,
      1,
    );
  } finally {
    transport.close();
  }
  process.stdout.write(
    `test mail accepted by ${describeSmtp(credentials.smtp)} for ${credentials.to.join(', ')}\n`,
  );
}

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        listen: { type: 'string' },
        'state-dir': { type: 'string' },
        daily: { type: 'string' },
        weekly: { type: 'string' },
        'time-zone': { type: 'string' },
        'group-wait': { type: 'string' },
        'group-interval': { type: 'string' },
        'max-instant-mails': { type: 'string' },
        'retry-max': { type: 'string' },
        'max-mail-bytes': { type: 'string' },
        'max-mails-per-day': { type: 'string' },
        'send-timeout': { type: 'string' },
        'max-connections': { type: 'string' },
        'hello-timeout': { type: 'string' },
        check: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'V' },
      },
    });
  } catch (error) {
    fail(`${(error as Error).message}\n\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (values.version) {
    process.stdout.write(`raspimon-mail-logger ${packageVersion(import.meta.url)}\n`);
    return;
  }
  if (positionals.length !== 1) fail(`expected one credentials file, got ${positionals.length}\n\n${USAGE}`);
  const file = positionals[0]!;
  if (values.check) {
    await check(file);
    return;
  }
  const maxInstantMails = seconds('max-instant-mails', values['max-instant-mails']);
  const retryMax = seconds('retry-max', values['retry-max']);
  const options: MailLoggerServerOptions = { credentials: file };
  if (values.listen !== undefined) options.listen = values.listen;
  if (values['state-dir'] !== undefined) options.stateDir = values['state-dir'];
  if (values.daily !== undefined) options.daily = values.daily;
  if (values.weekly !== undefined) options.weekly = values.weekly;
  if (values['time-zone'] !== undefined) options.timeZone = values['time-zone'];
  const groupWait = seconds('group-wait', values['group-wait']);
  const groupInterval = seconds('group-interval', values['group-interval']);
  if (groupWait !== undefined) options.groupWait = groupWait;
  if (groupInterval !== undefined) options.groupInterval = groupInterval;
  if (maxInstantMails !== undefined) options.maxInstantMails = maxInstantMails;
  for (const [flag, option] of [
    ['max-mail-bytes', 'maxMailBytes'],
    ['max-mails-per-day', 'maxMailsPerDay'],
    ['send-timeout', 'sendTimeoutSeconds'],
  ] as const) {
    const value = seconds(flag, values[flag]);
    if (value !== undefined) options[option] = value;
  }
  const maxConnections = seconds('max-connections', values['max-connections']);
  const helloTimeout = seconds('hello-timeout', values['hello-timeout']);
  if (maxConnections !== undefined) options.maxConnections = maxConnections;
  if (helloTimeout !== undefined) options.helloTimeoutSeconds = helloTimeout;
  if (retryMax !== undefined) options.retry = { minSeconds: Math.min(1, retryMax), maxSeconds: retryMax };

  // Checked here too, so a bad value is reported by its flag (and with the usage).
  try {
    resolveServerOptions(options, flagLabel);
  } catch (error) {
    if (error instanceof RaspimonError) fail(`${(error as Error).message}\n\n${USAGE}`);
    throw error;
  }

  const server = await MailLoggerServer.start(options);
  // A stop the server decided itself (the journal cannot be written) is a failure: exit 1,
  // so systemd's Restart=on-failure brings the daemon back.
  void server.closed.then((reason) => {
    if (reason === null) return;
    fail(
      `exiting with status 1: ${reason.code === 'ERR_JOURNAL_WRITE' ? 'the journal cannot be written' : 'the daemon stopped'} (${reason.code})`,
      1,
    );
  });
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    server.log(`${signal}: flushing and exiting`);
    server.close().then(
      () => process.exit(0),
      (error: unknown) => fail(`shutdown failed: ${(error as Error).message}`, 1),
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGHUP', () => undefined); // not a reason to die
}

main().catch((error: unknown) => {
  if (error instanceof RaspimonError) fail(error.message, 2);
  fail(`${(error as Error).stack ?? String(error)}`, 1);
});
