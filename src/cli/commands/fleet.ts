// `raspimon fleet` lists every device database on a server; `raspimon fleet watch` is the
// watchdog that notices a silent Pi (a dead one sends nothing) and mails one ALERT.
import { MailLoggerClient } from '../../mail-logger/index.js';
import { FleetWatch, listFleet, type FleetEntry } from '../../tools/index.js';
import { type MonitorLogger } from '../../monitor/index.js';
import { Scheduler } from '../../scheduler/index.js';
import { globalFlagsHelp, sharedFlags, type Command, type CommandContext } from '../command.js';
import { Database, databaseOperation, defaultTimeoutSeconds, defaultUri } from '../database.js';
import { CliUsageError } from '../errors.js';
import { formatJson, formatTable, terminalSafe } from '../output.js';

/** Usage of the `fleet` group. */
export const fleetUsage = `Usage: raspimon fleet [watch] [flags]

  fleet                     list every device database on the server (devices, newest reading, age)
  fleet watch               ALERT through the mail logger when a device database goes silent

Run raspimon fleet --help or raspimon fleet watch --help for the flags.

${globalFlagsHelp}`;

const listUsage = `Usage: raspimon fleet [--prefix <prefix>] [--json]

Lists every database whose name starts with the prefix (default raspimon_) on the
server: its devices, its newest reading and how old that is. --namespace is not used.

  --prefix <prefix>         database name prefix (default raspimon_)
  --json                    print the list as JSON

${globalFlagsHelp}`;

const watchUsage = `Usage: raspimon fleet watch --silent-minutes <n> [flags]

Runs until interrupted (Ctrl-C, SIGTERM). Every --check-seconds it lists the device
databases; one whose newest reading is older than --silent-minutes gets one ALERT
through the mail logger, and a resolved ALERT when it speaks again. Each record is
also printed.

  --silent-minutes <n>      silence that raises the ALERT, in minutes
  --check-seconds <n>       seconds between checks (default 60)
  --prefix <prefix>         database name prefix (default raspimon_)
  --mail-logger <transport> the mail-logger daemon (default $RASPIMON_MAIL_LOGGER or
                            unix:///run/raspimon/mail-logger.sock)

${globalFlagsHelp}`;

/** A client for the whole server (no namespace), closed by the caller. */
function serverDatabase(context: CommandContext): Database {
  const seconds = context.values.number('timeout') ?? defaultTimeoutSeconds;
  if (seconds <= 0)
    throw new CliUsageError(`--timeout must be a positive number of seconds, got ${seconds}`, context.usage);
  return new Database(
    context.values.string('uri') ?? context.io.env.MONGODB_URI ?? defaultUri,
    'admin',
    seconds,
    context.usage,
  );
}

/** `45 s`, `12 min`, `3 h 5 min`, `2 d 4 h`. */
function age(entry: FleetEntry): string {
  if (entry.ageSeconds === undefined) return '-';
  const s = Math.round(entry.ageSeconds);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m % 60} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

const list: Command = {
  words: ['fleet'],
  summary: 'list every device database on the server, newest reading and its age',
  usage: listUsage,
  flags: { prefix: { type: 'string' }, ...sharedFlags.json },
  async run(context) {
    const database = serverDatabase(context);
    try {
      const client = (await database.db()).client;
      const now = (context.io.now ?? Date.now)();
      const prefix = context.values.string('prefix') ?? 'raspimon_';
      const entries = await databaseOperation('list the device databases', () =>
        listFleet(client, { now, prefix }),
      );
      if (context.values.flag('json')) {
        context.print(formatJson(entries));
        return;
      }
      context.print(
        formatTable(
          entries,
          [
            { header: 'NAMESPACE', value: (e) => e.namespace },
            {
              header: 'DEVICES',
              value: (e) => e.devices.map((d) => `${d.id} ${d.name}`).join(', ') || '-',
            },
            { header: 'NEWEST READING', value: (e) => e.newestReading?.toISOString() ?? 'none' },
            { header: 'AGE', value: age, right: true },
          ],
          `no databases starting with ${prefix} on the server`,
        ),
      );
    } finally {
      await database.close();
    }
  },
};

/** Prints each record and passes it on. */
function teeLogger(context: CommandContext, to: MonitorLogger): MonitorLogger {
  const level =
    (name: keyof MonitorLogger) =>
    (message: string, extra?: Record<string, unknown>): void => {
      context.print(
        `${new Date((context.io.now ?? Date.now)()).toISOString()} ${name.toUpperCase()} ${terminalSafe(message)}\n`,
      );
      to[name](message, extra);
    };
  return {
    debug: level('debug'),
    info: level('info'),
    warning: level('warning'),
    error: level('error'),
    alert: level('alert'),
  };
}

const watch: Command = {
  words: ['fleet', 'watch'],
  summary: 'ALERT through the mail logger when a device database goes silent',
  usage: watchUsage,
  flags: {
    'silent-minutes': { type: 'string' },
    'check-seconds': { type: 'string' },
    prefix: { type: 'string' },
    'mail-logger': { type: 'string' },
  },
  async run(context) {
    const silentMinutes = context.values.number('silent-minutes');
    if (silentMinutes === undefined) throw new CliUsageError('missing --silent-minutes', context.usage);
    if (silentMinutes <= 0)
      throw new CliUsageError(`--silent-minutes must be positive, got ${silentMinutes}`, context.usage);
    const checkSeconds = context.values.number('check-seconds') ?? 60;
    if (checkSeconds <= 0)
      throw new CliUsageError(`--check-seconds must be positive, got ${checkSeconds}`, context.usage);
    const mail = context.io.logger
      ? undefined
      : MailLoggerClient.open(context.values.string('mail-logger') ?? context.io.env.RASPIMON_MAIL_LOGGER);
    const logger = teeLogger(context, context.io.logger ?? mail!);
    const database = serverDatabase(context);
    const scheduler = new Scheduler();
    scheduler.start();
    let fleetWatch: FleetWatch | undefined;
    try {
      const client = (await database.db()).client;
      fleetWatch = new FleetWatch({
        client,
        scheduler,
        logger,
        silentMinutes,
        checkSeconds,
        prefix: context.values.string('prefix') ?? 'raspimon_',
      });
      const signal = context.io.signal;
      const ended = new Promise<void>((resolve) => {
        if (signal?.aborted) resolve();
        signal?.addEventListener('abort', () => resolve(), { once: true });
      });
      await fleetWatch.start();
      context.print(
        `watching the device databases every ${checkSeconds} s; silence of ${silentMinutes} min raises an ALERT (Ctrl-C ends)\n`,
      );
      await ended;
    } finally {
      await fleetWatch?.stop();
      await scheduler.stop();
      await database.close();
      await mail?.close();
    }
  },
};

/** The `fleet` commands (`fleet watch` before `fleet`, which would take `watch` as a positional). */
export const fleetCommands: readonly Command[] = [watch, list];
