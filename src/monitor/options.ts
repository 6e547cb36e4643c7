// The Monitor's options: types with their defaults, resolved and validated in one place.
import { homedir } from 'node:os';
import path from 'node:path';
import type { Db, MongoClient } from 'mongodb';
import { RaspimonRangeError, RaspimonTypeError } from '../errors.js';
import { checkPositive, describeValue } from '../internal/index.js';
import { ConfigError } from './errors.js';
import { resolveRetention, type ResolvedRetention, type RetentionOptions } from './storage/retention.js';
import type { DriverDefinition, DriverFactory, MonitorLogger, MonitorScheduler } from './types.js';
import { resolveMqttOutput, type MqttOutputOptions, type ResolvedMqttOutput } from './outputs/mqtt/output.js';

/** Server the monitor connects to when neither `uri` nor `db` is given (as the CLI's default). */
export const defaultMongoUri = 'mongodb://localhost:27017/';

/** Options of `new Monitor()`. Give `uri` or `db`, or neither for {@link defaultMongoUri}. */
export interface MonitorOptions {
  /**
   * MongoDB connection string, e.g. `'mongodb://db.local:27017'`.
   * @default 'mongodb://localhost:27017/' (when `db` is not given either)
   */
  uri?: string;
  /** An existing `MongoClient` (or `Db`) instead of `uri`; the monitor never closes it. */
  db?: MongoClient | Db;
  /** Database holding `devices`, `keys` and `readings`, e.g. `getDeviceNamespace()`. */
  namespace: string;
  /**
   * Runs every timer of the monitor (sampling, polling, batching, retries) and is its one
   * time source (`now()`): pass a Scheduler on a `ManualClock` in tests. When omitted, the
   * monitor creates its own Scheduler, starts it in start() and stops it in stop().
   * @default a Scheduler of its own
   */
  scheduler?: MonitorScheduler;
  /**
   * Where problems and events are reported.
   * @default a logger writing to stderr
   */
  logger?: MonitorLogger;
  /** Custom drivers by name (a built-in's name replaces it). */
  drivers?: Readonly<Record<string, DriverFactory | DriverDefinition>>;
  /**
   * Seconds between checks of `devices`/`keys` for changes (reload only when they changed).
   * @default 60
   */
  pollSeconds?: number;
  /**
   * Directory for the readings spool and the last good configuration.
   * @default `$STATE_DIRECTORY/<namespace>` under systemd, else `~/.local/state/raspimon/<namespace>`
   */
  stateDir?: string;
  /**
   * Readings per `insertMany`.
   * @default 1000
   */
  batchSize?: number;
  /**
   * Longest a reading waits in memory before its batch is written, in seconds.
   * @default 1
   */
  flushSeconds?: number;
  /**
   * Readings kept in memory while the database is down before they go to the spool. Also
   * the hard bound when the spool cannot be written (disk full): the oldest readings in
   * memory are then dropped, counted and reported once.
   * @default 10000
   */
  memoryLimit?: number;
  /**
   * Most bytes the on-disk spool may hold (a weekend outage at 100 readings/s is about
   * 1.7 GB unbounded). At the limit the oldest segments are thinned (every second reading
   * of the oldest segment dropped) and, if that is not enough, dropped, with counts
   * reported once through the logger; the newest readings are always kept. 64 MiB holds
   * about 800,000 readings (~80 B each), over two hours at 100 readings/s.
   * @default 67108864 (64 MiB)
   */
  spoolLimitBytes?: number;
  /**
   * How long a database operation waits for a reachable server, in seconds.
   * @default 2
   */
  serverSelectionTimeoutSeconds?: number;
  /**
   * Longest a driver's start(), read() or stop() may take, in seconds.
   * @default 10
   */
  driverTimeoutSeconds?: number;
  /**
   * Backoff of a failed device (driver restart): first delay, doubling up to the max, in
   * seconds. Database writes retry on the same curve capped at 1 s first and 10 s max, so
   * the spool drains soon after the server returns.
   * @default { minSeconds: 1, maxSeconds: 60 }
   */
  retry?: {
    /**
     * Delay before the first retry, in seconds.
     * @default 1
     */
    minSeconds?: number;
    /**
     * Longest delay between retries, in seconds; must be ≥ `minSeconds`.
     * @default 60
     */
    maxSeconds?: number;
  };
  /**
   * Delete readings older than this many days (checked hourly). Off when undefined. An
   * alias of `retention.rawDays`.
   * @default undefined
   */
  retentionDays?: number;
  /**
   * Days to keep raw readings, hourly and daily rollups (checked hourly).
   * @default {} (everything kept)
   * @example
   * ```ts
   * new Monitor({ namespace, retention: { rawDays: 30, hourlyDays: 400 } }); // daily kept forever
   * ```
   */
  retention?: RetentionOptions;
  /**
   * Seconds after an hour ends before its rollup bucket is written (readings with a
   * driver's own, slightly late `ts` still land in it). Readings waiting in memory or in
   * the spool also hold it back.
   * @default 300
   */
  rollupGraceSeconds?: number;
  /**
   * How long stop() tries to write pending readings before spooling them, in seconds.
   * @default 10
   */
  stopTimeoutSeconds?: number;
  /**
   * File to hold this process's pid while the monitor runs: start() writes `process.pid`
   * and a newline (temp file + rename, so it is never seen half-written) before anything
   * slow, and stop() removes it if it still holds our pid. It is what
   * `raspimon devices add … --reload <pidfile>` reads to send SIGHUP, so also call
   * handleSignals(). The directory must exist and be writable; a relative path is resolved
   * against the working directory at `new Monitor()`. Off when undefined.
   * @default undefined
   * @example
   * ```ts
   * // systemd: RuntimeDirectory=raspimon-monitor in the unit creates /run/raspimon-monitor
   * new Monitor({ uri, namespace, scheduler, pidFile: process.env.RASPIMON_PIDFILE });
   * ```
   */
  pidFile?: string;
  /**
   * Publish every accepted reading to an MQTT broker, retained, QoS 1, at
   * `<prefix>/<namespace>/<device name>/<keyId>` (a plain number: stored ÷ 10^decimals), `online`/`offline` at
   * `<prefix>/<namespace>/status` (with a last will), and Home Assistant discovery documents
   * at `<discoveryPrefix>/sensor/<namespace>_<deviceId>_<keyId>/config`. Needs the optional
   * peer `mqtt`. The broker down never blocks storage: publishes wait in a bounded buffer.
   * @default undefined (no MQTT output)
   * @example
   * ```ts
   * new Monitor({ namespace, scheduler, mqtt: { url: 'mqtt://192.168.1.10:1883', credentialsFile: '/etc/raspimon/mqtt.json' } });
   * ```
   */
  mqtt?: MqttOutputOptions;
}

/** Options after defaults. */
export interface ResolvedOptions {
  source: { uri: string } | { db: MongoClient | Db };
  namespace: string;
  /** The caller's scheduler, or undefined: the monitor then runs its own. */
  scheduler: MonitorScheduler | undefined;
  logger: MonitorLogger | undefined;
  drivers: Readonly<Record<string, DriverFactory | DriverDefinition>>;
  pollSeconds: number;
  stateDir: string;
  batchSize: number;
  flushSeconds: number;
  memoryLimit: number;
  spoolLimitBytes: number;
  serverSelectionTimeoutMS: number;
  driverTimeoutSeconds: number;
  retryMinSeconds: number;
  retryMaxSeconds: number;
  retentionDays: number | undefined;
  retention: ResolvedRetention;
  rollupGraceSeconds: number;
  stopTimeoutMs: number;
  pidFile: string | undefined;
  mqtt: ResolvedMqttOutput | undefined;
}

/** Validates options and fills defaults, without touching the caller's object. */
export function resolveOptions(options: MonitorOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null)
    throw new RaspimonTypeError(
      'ERR_INVALID_ARG_TYPE',
      `Monitor options must be an object, got ${describeValue(options)}`,
    );
  const { uri, db, namespace, scheduler } = options;
  if (uri !== undefined && db !== undefined)
    throw new ConfigError(
      'give one of options.uri (a mongodb:// string) or options.db (a MongoClient or Db), not both',
    );
  if (
    db !== undefined &&
    (typeof db !== 'object' ||
      db === null ||
      (typeof (db as Db).collection !== 'function' && typeof (db as MongoClient).db !== 'function'))
  )
    throw new ConfigError(`options.db must be a MongoClient or a Db, got ${describeValue(db)}`);
  if (uri !== undefined && (typeof uri !== 'string' || !/^mongodb(\+srv)?:\/\//.test(uri)))
    throw new ConfigError(`options.uri must be a mongodb:// connection string, got ${describeValue(uri)}`);
  if (typeof namespace !== 'string' || !/^[^/\\. "$*<>:|?]{1,63}$/.test(namespace)) {
    throw new ConfigError(
      `options.namespace must be a MongoDB database name (1-63 chars, no /\\. "$*<>:|?), got ${describeValue(namespace)}`,
    );
  }
  for (const method of ['now', 'onceAfter', 'repeatEvery', 'remove'] as const) {
    if (
      scheduler !== undefined &&
      typeof (scheduler as Partial<MonitorScheduler> | null)?.[method] !== 'function'
    ) {
      throw new RaspimonTypeError(
        'ERR_INVALID_ARG_TYPE',
        `options.scheduler must be a started Scheduler (it has no ${method}()); create one with new Scheduler() and call start()`,
      );
    }
  }
  const logger = options.logger;
  if (logger !== undefined) {
    for (const level of ['debug', 'info', 'warning', 'error', 'alert'] as const) {
      if (typeof logger[level] !== 'function')
        throw new RaspimonTypeError('ERR_INVALID_ARG_TYPE', `options.logger.${level} must be a function`);
    }
  }
  const retryMinSeconds = checkPositive('options.retry.minSeconds', options.retry?.minSeconds, {
    fallback: 1,
  });
  const retryMaxSeconds = checkPositive('options.retry.maxSeconds', options.retry?.maxSeconds, {
    fallback: 60,
  });
  if (retryMaxSeconds < retryMinSeconds)
    throw new RaspimonRangeError(
      'ERR_OUT_OF_RANGE',
      `options.retry.maxSeconds (${retryMaxSeconds}) must be ≥ retry.minSeconds (${retryMinSeconds})`,
    );
  const defaultStateRoot =
    process.env.STATE_DIRECTORY?.split(':')[0] ?? path.join(homedir(), '.local', 'state', 'raspimon');
  if (options.stateDir !== undefined && (typeof options.stateDir !== 'string' || options.stateDir === ''))
    throw new RaspimonTypeError(
      'ERR_INVALID_ARG_TYPE',
      `options.stateDir must be a directory path, got ${describeValue(options.stateDir)}`,
    );
  if (options.pidFile !== undefined && (typeof options.pidFile !== 'string' || options.pidFile === ''))
    throw new RaspimonTypeError(
      'ERR_INVALID_ARG_TYPE',
      `options.pidFile must be a file path, got ${describeValue(options.pidFile)}`,
    );
  if ((options as { clock?: unknown }).clock !== undefined)
    throw new RaspimonTypeError(
      'ERR_INVALID_ARG_TYPE',
      'options.clock is gone: the scheduler is the one time source; pass new Scheduler({ clock }) as options.scheduler',
    );
  const retention = resolveRetention(options.retention, options.retentionDays);
  return {
    source: db !== undefined ? { db } : { uri: uri ?? defaultMongoUri },
    namespace,
    scheduler,
    logger,
    drivers: options.drivers ?? {},
    pollSeconds: checkPositive('options.pollSeconds', options.pollSeconds, { fallback: 60 }),
    stateDir: options.stateDir ?? path.join(defaultStateRoot, namespace),
    batchSize: checkPositive('options.batchSize', options.batchSize, { fallback: 1000, integer: true }),
    flushSeconds: checkPositive('options.flushSeconds', options.flushSeconds, { fallback: 1 }),
    memoryLimit: checkPositive('options.memoryLimit', options.memoryLimit, {
      fallback: 10_000,
      integer: true,
    }),
    spoolLimitBytes: checkPositive('options.spoolLimitBytes', options.spoolLimitBytes, {
      fallback: 64 * 1024 * 1024,
      integer: true,
    }),
    serverSelectionTimeoutMS:
      checkPositive('options.serverSelectionTimeoutSeconds', options.serverSelectionTimeoutSeconds, {
        fallback: 2,
      }) * 1000,
    driverTimeoutSeconds: checkPositive('options.driverTimeoutSeconds', options.driverTimeoutSeconds, {
      fallback: 10,
    }),
    retryMinSeconds,
    retryMaxSeconds,
    retentionDays: retention.rawDays,
    retention,
    rollupGraceSeconds: checkPositive('options.rollupGraceSeconds', options.rollupGraceSeconds, {
      fallback: 300,
      allowZero: true,
    }),
    stopTimeoutMs:
      checkPositive('options.stopTimeoutSeconds', options.stopTimeoutSeconds, { fallback: 10 }) * 1000,
    pidFile: options.pidFile === undefined ? undefined : path.resolve(options.pidFile),
    mqtt: resolveMqttOutput(options.mqtt),
  };
}
