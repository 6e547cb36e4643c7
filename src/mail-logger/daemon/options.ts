import { RaspimonRangeError, RaspimonTypeError } from '../../errors.js';
import { checkPositive, checkText, describeValue, isPlainObject } from '../../internal/index.js';
import { CronPatternError } from '../../errors/index.js';
import { Scheduler } from '../../scheduler/index.js';
import type { Credentials } from '../delivery/credentials.js';
import { defaultMaxConnections } from './listener.js';
import type { MailTransport } from '../delivery/mail-transport.js';
import { isTransport } from '../delivery/smtp-transport.js';

/** Options of {@link MailLoggerServer.start}. Times are in seconds. */
export interface MailLoggerServerOptions {
  /** Path of the credentials file (must be mode 600) or the credentials themselves. */
  credentials: string | Credentials;
  /**
   * Where clients connect: `unix:///path.sock` (mode 0660) or `tcp://host:port`
   * (`tcp://:port` = loopback; port 0 picks a free one, see `server.address`).
   * @default $RASPIMON_MAIL_LOGGER or 'unix:///run/raspimon/mail-logger.sock'
   */
  listen?: string;
  /** Directory of the journal and snapshots. @default '/var/lib/raspimon/mail-logger' */
  stateDir?: string;
  /** Cron pattern of the daily digest. @default '0 8 * * *' */
  daily?: string;
  /** Cron pattern of the weekly digest. @default '0 8 * * 1' (Monday) */
  weekly?: string;
  /**
   * IANA time zone of the digest crons (when the daemon creates its Scheduler) and of the
   * times shown in mails. An unknown zone throws {@link CronPatternError}
   * (`ERR_INVALID_CRON`), as `new Scheduler({ timeZone })` does.
   * @default the process's local zone
   */
  timeZone?: string;
  /** A started Scheduler to use (its own timeZone then rules the crons). @default a new one */
  scheduler?: Scheduler;
  /**
   * Least seconds between two instant mails: records arriving meanwhile share the next
   * mail, so a burst never floods. @default 1
   */
  groupWait?: number;
  /**
   * Seconds the first instant record after a quiet period waits for company (records
   * logged together share its mail) before it is mailed. @default 0.025
   */
  groupSettle?: number;
  /** Seconds of the instant-mail rate-limit window. @default 600 */
  groupInterval?: number;
  /** Instant mails per `groupInterval` before records are held for one grouped mail. @default 6 */
  maxInstantMails?: number;
  /** A nodemailer transport (anything with `sendMail`) or transport options overriding `credentials.smtp`. */
  transport?: MailTransport | Record<string, unknown>;
  /**
   * Largest mail in bytes, as sent. A mail that would be larger is cut: each digest section
   * keeps its first lines and says "N more records, M occurrences". The server's own limit
   * (its EHLO `SIZE`, or a 552 reply) lowers it further. @default 1048576 (1 MiB)
   */
  maxMailBytes?: number;
  /**
   * Mails per rolling 24 hours (free mail accounts lock after ~500). Once reached, mails are
   * held in the outbox until the budget allows them, logged once and mentioned in the next
   * mail. @default no limit
   */
  maxMailsPerDay?: number;
  /**
   * Seconds an SMTP attempt may take (connection, greeting, each reply, the whole send): a
   * server that hangs is given up on, the mail retried later and the mails behind it go on.
   * @default 60
   */
  sendTimeoutSeconds?: number;
  /** First and longest wait between SMTP attempts, seconds. @default { minSeconds: 1, maxSeconds: 300 } */
  retry?: {
    /** Wait before the first retry, in seconds; doubles after each failed attempt. @default 1 */
    minSeconds?: number;
    /**
     * Longest wait between attempts, in seconds; must be ≥ `minSeconds` (else
     * `ERR_OUT_OF_RANGE`, as in the Monitor). @default 300, or `minSeconds` if that is larger
     */
    maxSeconds?: number;
  };
  /** Mode of the unix socket file (an integer 0 to 0o777). @default 0o660 */
  socketMode?: number;
  /**
   * Client connections open at once; one more is refused with a `nack` (and counted, logged
   * once per spell), so a flood of connections cannot use up the daemon's file descriptors.
   * @default 256, or the open-files limit (`ulimit -n`) less 64 if that is smaller
   */
  maxConnections?: number;
  /** Seconds a new connection may take to say hello before it is closed. @default 10 */
  helloTimeoutSeconds?: number;
  /** Where the daemon's own log lines go (never secrets). @default a line on stderr */
  log?: (line: string) => void;
}

export interface ResolvedServerOptions {
  credentials: string | Credentials;
  listen: string | undefined;
  stateDir: string;
  daily: string;
  weekly: string;
  timeZone: string | undefined;
  scheduler: Scheduler | undefined;
  groupWait: number;
  groupSettle: number;
  groupInterval: number;
  maxInstantMails: number;
  transport: MailTransport | Record<string, unknown> | undefined;
  maxMailBytes: number;
  maxMailsPerDay: number;
  sendTimeoutSeconds: number;
  retryMinSeconds: number;
  retryMaxSeconds: number;
  socketMode: number;
  maxConnections: number;
  helloTimeoutSeconds: number;
  log: (line: string) => void;
}

/**
 * How messages name an option: `option timeZone` for the API, the flag (`--time-zone`) for
 * the command line.
 */
export type OptionLabel = (option: string) => string;

const apiLabel: OptionLabel = (option) => `option ${option}`;

/** Anything with `sendMail`, or a plain object of nodemailer transport options. */
function transportOf(label: string, value: unknown): MailTransport | Record<string, unknown> | undefined {
  if (value === undefined) return undefined;
  if (isTransport(value)) return value;
  if (isPlainObject(value)) return value;
  throw new RaspimonTypeError(
    'ERR_INVALID_ARG_TYPE',
    `${label} must be a transport with sendMail() or an object of nodemailer SMTP options, got ${describeValue(value)}`,
  );
}

/** Checks a zone the way the Scheduler does (so the same zones pass, with the same error). */
function timeZoneOf(label: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const zone = checkText(label, value);
  try {
    new Scheduler({ timeZone: zone }); // validates now; holds no timer until start()
  } catch (error) {
    if (!(error instanceof CronPatternError)) throw error;
    throw new CronPatternError(
      `${label} ${JSON.stringify(zone)} is not an IANA time zone: use a name such as 'Europe/Berlin' or 'UTC'`,
      { cause: error },
    );
  }
  return zone;
}

/**
 * Validates options and fills in defaults, without touching the caller's object. Messages
 * name each option through `label` (the CLI passes its flag names).
 */
export function resolveServerOptions(
  options: MailLoggerServerOptions,
  label: OptionLabel = apiLabel,
): ResolvedServerOptions {
  if (typeof options !== 'object' || options === null) {
    throw new RaspimonTypeError(
      'ERR_INVALID_ARG_TYPE',
      `MailLoggerServer.start() needs an options object, got ${typeof options}`,
    );
  }
  const { credentials } = options;
  if (typeof credentials !== 'string' && (typeof credentials !== 'object' || credentials === null)) {
    throw new RaspimonTypeError(
      'ERR_INVALID_ARG_TYPE',
      `${label('credentials')} must be a file path or a credentials object, got ${typeof credentials}`,
    );
  }
  const timeZone = timeZoneOf(label('timeZone'), options.timeZone);
  const retryMinSeconds = checkPositive(label('retry.minSeconds'), options.retry?.minSeconds, {
    fallback: 1,
    unit: 'seconds',
  });
  const retryMaxSeconds = checkPositive(label('retry.maxSeconds'), options.retry?.maxSeconds, {
    fallback: Math.max(300, retryMinSeconds),
    unit: 'seconds',
  });
  if (retryMaxSeconds < retryMinSeconds) {
    throw new RaspimonRangeError(
      'ERR_OUT_OF_RANGE',
      `${label('retry.maxSeconds')} (${retryMaxSeconds}) must be ≥ retry.minSeconds (${retryMinSeconds})`,
    );
  }
  const maxMailBytes = checkPositive(label('maxMailBytes'), options.maxMailBytes, {
    fallback: 1_048_576,
    integer: true,
    unit: 'bytes',
  });
  if (maxMailBytes < 10_000) {
    throw new RaspimonRangeError(
      'ERR_OUT_OF_RANGE',
      `${label('maxMailBytes')} must be at least 10000 bytes (headers take about 4 kB), got ${maxMailBytes}`,
    );
  }
  const log = options.log ?? ((line: string) => void process.stderr.write(`raspimon-mail-logger: ${line}\n`));
  if (typeof log !== 'function')
    throw new RaspimonTypeError(
      'ERR_INVALID_ARG_TYPE',
      `${label('log')} must be a function, got ${typeof log}`,
    );
  return {
    credentials,
    listen: options.listen === undefined ? undefined : checkText(label('listen'), options.listen),
    stateDir: checkText(label('stateDir'), options.stateDir, '/var/lib/raspimon/mail-logger'),
    daily: checkText(label('daily'), options.daily, '0 8 * * *'),
    weekly: checkText(label('weekly'), options.weekly, '0 8 * * 1'),
    timeZone,
    scheduler: options.scheduler,
    groupWait: checkPositive(label('groupWait'), options.groupWait, { fallback: 1, unit: 'seconds' }),
    groupSettle: checkPositive(label('groupSettle'), options.groupSettle, {
      fallback: 0.025,
      unit: 'seconds',
    }),
    groupInterval: checkPositive(label('groupInterval'), options.groupInterval, {
      fallback: 600,
      unit: 'seconds',
    }),
    maxInstantMails: checkPositive(label('maxInstantMails'), options.maxInstantMails, {
      fallback: 6,
      integer: true,
    }),
    transport: transportOf(label('transport'), options.transport),
    maxMailBytes,
    maxMailsPerDay: checkPositive(label('maxMailsPerDay'), options.maxMailsPerDay, {
      fallback: Infinity,
      integer: true,
    }),
    sendTimeoutSeconds: checkPositive(label('sendTimeoutSeconds'), options.sendTimeoutSeconds, {
      fallback: 60,
      unit: 'seconds',
    }),
    retryMinSeconds,
    retryMaxSeconds,
    ...connectionOptions(options, label),
    log,
  };
}

/** The daemon's listening options (socket mode, connection cap, hello timeout), checked. */
function connectionOptions(
  options: MailLoggerServerOptions,
  label: OptionLabel,
): Pick<ResolvedServerOptions, 'socketMode' | 'maxConnections' | 'helloTimeoutSeconds'> {
  const socketMode = checkPositive(label('socketMode'), options.socketMode, {
    fallback: 0o660,
    integer: true,
    allowZero: true,
  });
  if (socketMode > 0o777) {
    throw new RaspimonRangeError(
      'ERR_OUT_OF_RANGE',
      `${label('socketMode')} must be a file mode from 0 to 0o777 (e.g. 0o660), got 0o${socketMode.toString(8)}`,
    );
  }
  return {
    socketMode,
    maxConnections: checkPositive(label('maxConnections'), options.maxConnections, {
      fallback: defaultMaxConnections(),
      integer: true,
    }),
    helloTimeoutSeconds: checkPositive(label('helloTimeoutSeconds'), options.helloTimeoutSeconds, {
      fallback: 10,
      unit: 'seconds',
    }),
  };
}

/** The `scheduler` option must be a Scheduler (or act like one): checked before anything starts. */
export function checkScheduler(scheduler: unknown): void {
  if (scheduler === undefined) return;
  const missing = ['now', 'onceAfter', 'repeatCron', 'remove'].filter(
    (method) => typeof (scheduler as Record<string, unknown> | null)?.[method] !== 'function',
  );
  if (missing.length > 0) {
    throw new RaspimonTypeError(
      'ERR_INVALID_ARG_TYPE',
      `option scheduler must be a started Scheduler (new Scheduler().start()), got ${describeValue(scheduler)} without ${missing.join(', ')}`,
    );
  }
}
