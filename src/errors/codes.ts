// The one registry of raspimon's error codes: code → class → when it is thrown → what to do.
// The README's Errors table is generated from it (`npm run docs:errors`; a test fails when the
// table is stale), and a test checks that every code thrown in src/ is listed here. Add a new
// code here first, then throw it.

/** What a code means, for a person reading the error. */
export interface ErrorCodeInfo {
  /** The class thrown with this code (always an `instanceof RaspimonError`). */
  readonly class: string;
  /** When it is thrown, in one line. */
  readonly when: string;
  /** What to do about it, in one line. */
  readonly todo: string;
  /** Thrown by the `raspimon` CLI only (its classes are not exported); exit status 2 for usage, else 1. */
  readonly cliOnly?: true;
}

const registry = {
  ERR_INVALID_ARG_TYPE: {
    class: 'RaspimonTypeError',
    when: 'an argument or option of the wrong type (job not a function, seconds not a number, …); the message names it',
    todo: 'pass the documented type',
  },
  ERR_OUT_OF_RANGE: {
    class: 'RaspimonRangeError',
    when: 'a number out of range (NaN, ≤ 0, Infinity, an invalid `Date`, `pollSeconds: 0`, `retry.maxSeconds` < `retry.minSeconds`, `flush({ timeoutSeconds: -1 })`, a `silentMinutes`/`checkSeconds` of FleetWatch that is not positive, …)',
    todo: 'pass a value in range',
  },
  ERR_DEVICE_IDENTITY: {
    class: 'DeviceIdentityError',
    when: 'no wired physical NIC with a permanent MAC; `interfaces` lists each one seen and why it was rejected',
    todo: 'plug in/enable Ethernet, pass `interface`, or `allowWireless: true`',
  },
  ERR_INVALID_MAC: {
    class: 'DeviceIdentityError',
    when: '`macToNamespace` got a malformed, zero, broadcast or multicast MAC, or a bad prefix',
    todo: 'pass six hex bytes of a real NIC',
  },
  ERR_SCHEDULER_NOT_STARTED: {
    class: 'SchedulerStateError',
    when: 'scheduling (or `loopForever()`) before `start()`',
    todo: 'call `scheduler.start()` first',
  },
  ERR_SCHEDULER_STOPPED: {
    class: 'SchedulerStateError',
    when: 'scheduling or `start()` after `stop()`',
    todo: 'create a new `Scheduler`',
  },
  ERR_INVALID_CRON: {
    class: 'CronPatternError',
    when: 'bad cron pattern, unknown `timeZone` (Scheduler or `MailLoggerServer`), or a pattern that never matches (`0 0 30 2 *`)',
    todo: 'fix the pattern or zone',
  },
  ERR_CREDENTIALS_MISSING: {
    class: 'CredentialsError',
    when: 'the credentials file does not exist',
    todo: 'create it (JSON with `smtp`, `from`, `to`: docs/getting-started.md, step 1), then `chmod 600` it',
  },
  ERR_CREDENTIALS_PERMISSIONS: {
    class: 'CredentialsError',
    when: 'the file is readable or writable by group/others',
    todo: '`chmod 600 <file>`',
  },
  ERR_CREDENTIALS_MALFORMED: {
    class: 'CredentialsError',
    when: "not JSON, or `smtp`/`from`/`to` missing or invalid (the file's contents are never quoted)",
    todo: 'fix the file',
  },
  ERR_CREDENTIALS: {
    class: 'CredentialsError',
    when: 'the file cannot be read',
    todo: "run the daemon as the file's owner",
  },
  ERR_CREDENTIALS_NOT_FILE: {
    class: 'CredentialsError',
    when: 'the credentials path is a FIFO, directory, socket or device (reading a FIFO would hang the start)',
    todo: 'point the daemon at the JSON file itself',
  },
  ERR_CREDENTIALS_OWNER: {
    class: 'CredentialsError',
    when: "the file is owned by another user than the daemon's or root",
    todo: '`chown <daemon user> <file>`',
  },
  ERR_STATE_DIR: {
    class: 'MailLoggerError',
    when: 'the state directory cannot be created or used (a read-only filesystem is named: `EROFS: the filesystem is mounted read-only`)',
    todo: 'make it writable, or pass `--state-dir`',
  },
  ERR_STATE_CORRUPT: {
    class: 'MailLoggerError',
    when: '`snapshot.json` cannot be parsed',
    todo: 'move it away (its records are lost)',
  },
  ERR_STATE_LOCKED: {
    class: 'MailLoggerError',
    when: "another live daemon holds this state directory's lock (the message names its pid); the lock is a socket, so a crashed daemon never blocks (a `daemon.pid` left by 0.1 is removed)",
    todo: 'stop it, or use another `--state-dir`',
  },
  ERR_ADDRESS_IN_USE: {
    class: 'MailLoggerError',
    when: 'another daemon or process listens on the socket/port',
    todo: 'stop it, or pass another `--listen`',
  },
  ERR_LISTEN: {
    class: 'MailLoggerError',
    when: 'the socket cannot be created or chmodded',
    todo: 'check the path and permissions',
  },
  ERR_LOGGER_CLOSED: {
    class: 'MailLoggerError',
    when: '`flush()` was pending when `close()` gave up',
    todo: 'the message says how many records were not delivered',
  },
  ERR_JOURNAL_WRITE: {
    class: 'MailLoggerError',
    when: 'the running daemon cannot write its journal (I/O error, read-only remount, state dir changed under it; a full disk is waited out instead); it stops, `server.closed` resolves with this error, the CLI exits 1',
    todo: 'fix the state directory; acknowledged records are kept and mailed after the restart',
  },
  ERR_FLUSH_TIMEOUT: {
    class: 'MailLoggerError',
    when: '`flush({ timeoutSeconds })` ran out before the daemon acknowledged; the message says how many records are unacknowledged and which address is not answering',
    todo: 'start the daemon (`raspimon-mail-logger`); the records stay buffered and are sent on reconnect',
  },
  ERR_INVALID_TRANSPORT: {
    class: 'RaspimonRangeError',
    when: 'a malformed transport URL',
    todo: 'use `unix:///abs/path.sock` or `tcp://host:port`',
  },
  ERR_INVALID_LEVEL: {
    class: 'RaspimonRangeError',
    when: '`config()` with an unknown level',
    todo: 'use `logger.levels.*`',
  },
  ERR_INVALID_SCHEDULE: {
    class: 'RaspimonRangeError',
    when: '`config()` with an unknown schedule',
    todo: 'use `logger.schedule.*`',
  },
  ERR_CONFIG: {
    class: 'ConfigError',
    when: 'bad `Monitor` options (both `uri` and `db`, bad namespace, bad `mqtt`), or an unusable `stateDir`, unwritable `pidFile` or MQTT credentials file readable by others at `start()`; document problems are logged, not thrown; `new FleetWatch()` with both or neither of `uri`/`client`',
    todo: 'fix the option or directory (`chmod 600` the MQTT credentials file); give FleetWatch one of `uri`/`client`',
  },
  ERR_MISSING_PEER: {
    class: 'MissingPeerError',
    when: '`mongodb` (at `start()`), `serialport` (a `serial-line` device), `modbus-serial` (a `modbus` device) or `mqtt` (an `mqtt` device, the `mqtt` option) is not installed',
    todo: '`npm i mongodb` / `serialport` / `modbus-serial` / `mqtt`',
  },
  ERR_DATABASE: {
    class: 'DatabaseError',
    when: "a query helper, `check()` or the CLI could not reach or read the database (`cause` holds the driver's error)",
    todo: 'start it, or fix `uri`/`MONGODB_URI`',
  },
  ERR_DRIVER: {
    class: 'DriverError',
    when: 'a driver failed or timed out; reported through the logger, never thrown to you',
    todo: "see the device's message",
  },
  ERR_READING_TS: {
    class: 'DriverError',
    when: "a reading's `ts` is in milliseconds (a number above 1e11) or more than `maxFutureSkewSeconds` ahead: refused, counted in `rejectedTimestamp`, one ERROR per spell and a WARNING with the count when it ends (logged with this code, never thrown)",
    todo: "pass epoch seconds or a `Date`; fix the device's clock",
  },
  ERR_SERIAL_LINE_TOO_LONG: {
    class: 'DriverError',
    when: 'a `serial-line` device sent a line longer than `maxLineBytes` (no newline?): dropped up to its newline, counted as malformed, reported once per driver start (logged with this code, never thrown)',
    todo: "fix the device's output or raise `config.maxLineBytes`",
  },
  ERR_MONITOR_STATE: {
    class: 'MonitorStateError',
    when: '`start()` on a monitor already started or stopped; a query helper or `check()` before `start()` or after `stop()` (e.g. "monitor.latest(): the monitor is stopped; create a new Monitor to query")',
    todo: 'create a new `Monitor` / call `await monitor.start()` first',
  },
  ERR_MONITOR_LOCKED: {
    class: 'MonitorLockedError',
    when: '`start()` while another monitor runs on the same `stateDir` (the message names its pid and since when)',
    todo: 'stop the other one, or give this monitor its own `namespace`/`stateDir`',
  },
  ERR_STATUS_LISTEN: {
    class: 'StatusServerError',
    when: '`serveStatus()` cannot listen on `host:port` (in use, address not available, no permission)',
    todo: 'pick another `port`, or fix `host`',
  },
  ERR_CLI_USAGE: {
    class: 'CliUsageError',
    when: '(exit 2) unknown command or flag, missing or malformed value, unreadable `--config @file` or `--drivers` module',
    todo: 'the usage of the command follows the message',
    cliOnly: true,
  },
  ERR_CLI_REJECTED: {
    class: 'ConfigRejectedError',
    when: 'the monitor would skip this change: unknown driver, config the driver rejects, keyId missing from `keys`, id/name/keyId taken, or a key still used by a device; `rules add`/`set` would give a rule the monitor skips (unknown key or device, no threshold nor `--no-data`, `--below` ≥ `--above`, bad level, a duration out of range, id or name taken)',
    todo: 'each problem is listed; nothing was written',
    cliOnly: true,
  },
  ERR_CLI_NOT_FOUND: {
    class: 'CliNotFoundError',
    when: 'no such device, key or rule',
    todo: 'the message lists the existing ones',
    cliOnly: true,
  },
  ERR_CLI_RELOAD: {
    class: 'ReloadError',
    when: "`--reload` pidfile missing, not a pid, stale, or another user's process",
    todo: 'checked before writing, so nothing was written',
    cliOnly: true,
  },
  ERR_CLI_INTEGRITY: {
    class: 'IntegrityProblemsError',
    when: '`raspimon check` found configuration problems or orphan readings',
    todo: 'the report is printed',
    cliOnly: true,
  },
  ERR_CLI_READINGS_REFUSED: {
    class: 'ReadingsRefusedError',
    when: "`raspimon devices test`: the monitor would refuse some values (unknown keyId, not finite, or not a safe integer once scaled by the key's decimals)",
    todo: "the table says why per reading; fix the driver config or the key's decimals",
    cliOnly: true,
  },
  ERR_CLI_NAMESPACE: {
    class: 'NamespaceNotFoundError',
    when: '`check`, `devices list`/`set`/`test`, `keys list` on a namespace with no configuration (a mistyped `--namespace`)',
    todo: 'the message lists the databases on the server',
    cliOnly: true,
  },
  ERR_CLI_INIT: {
    class: 'InitError',
    when: '`raspimon init` would overwrite an app file, finds `systemd/` to be a symlink, is given a path or URI with a control character, cannot write the directory, or the package lacks its templates',
    todo: 'pass `--force`, or choose another directory',
    cliOnly: true,
  },
  ERR_CLI_STATUS: {
    class: 'StatusUnavailableError',
    when: '`raspimon status` found no status file, an unreadable one, or a stopped or silent monitor',
    todo: 'start the monitor, or pass `--state-dir`',
    cliOnly: true,
  },
} as const satisfies Record<string, ErrorCodeInfo>;

/** A code of {@link errorCodes}, e.g. `'ERR_CONFIG'`. */
export type ErrorCode = keyof typeof registry;

/**
 * Every `code` a raspimon error can carry, with its class, when it is thrown and what to do.
 *
 * @example
 * ```ts
 * import { errorCodes, RaspimonError, type ErrorCode } from 'raspimon/errors';
 * try {
 *   await monitor.start();
 * } catch (e) {
 *   if (e instanceof RaspimonError) console.error(e.message, '→', errorCodes[e.code as ErrorCode]?.todo);
 * }
 * ```
 */
export const errorCodes: Readonly<Record<ErrorCode, ErrorCodeInfo>> = registry;
