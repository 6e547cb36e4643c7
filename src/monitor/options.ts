// The Monitor's options: types with their defaults, resolved and validated in one place.
import { homedir } from 'node:os';
import path from 'node:path';
import type { Db, MongoClient } from 'mongodb';
import { RaspimonRangeError, RaspimonTypeError } from '../errors.js';
import { showValue } from './config-validate.js';
import { ConfigError } from './errors.js';
import type { DriverDefinition, DriverFactory, MonitorLogger, MonitorScheduler } from './types.js';

/** Options of `new Monitor()`. Give `uri` or `db`. */
export interface MonitorOptions {
  /** MongoDB connection string, e.g. `'mongodb://db.local:27017'`. */
  uri?: string;
  /** An existing `MongoClient` (or `Db`) instead of `uri`; the monitor never closes it. */
  db?: MongoClient | Db;
  /** Database holding `devices`, `keys` and `readings`, e.g. `getDeviceNamespace()`. */
  namespace: string;
  /** Runs every timer of the monitor (sampling, polling, batching, retries). */
  scheduler: MonitorScheduler;
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
   * Readings kept in memory while the database is down before they go to the spool.
   * @default 10000
   */
  memoryLimit?: number;
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
   * Delete readings older than this many days (checked hourly). Off when undefined.
   * @default undefined
   */
  retentionDays?: number;
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
   * Source of reading timestamps (epoch ms). Pass the scheduler's ManualClock in tests.
   * @default Date
   */
  clock?: {
    /** Current time in epoch ms. */
    now(): number;
  };
}

/** Options after defaults. */
export interface ResolvedOptions {
  source: { uri: string } | { db: MongoClient | Db };
  namespace: string;
  scheduler: MonitorScheduler;
  logger: MonitorLogger | undefined;
  drivers: Readonly<Record<string, DriverFactory | DriverDefinition>>;
  pollSeconds: number;
  stateDir: string;
  batchSize: number;
  flushSeconds: number;
  memoryLimit: number;
  serverSelectionTimeoutMS: number;
  driverTimeoutSeconds: number;
  retryMinSeconds: number;
  retryMaxSeconds: number;
  retentionDays: number | undefined;
  stopTimeoutMs: number;
  pidFile: string | undefined;
  clock: { now(): number };
}

function positive(value: unknown, name: string, fallback: number, integer = false): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number')
    throw new RaspimonTypeError(
      'ERR_INVALID_ARG_TYPE',
      `options.${name} must be a number, got ${showValue(value)}`,
    );
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new RaspimonRangeError(
      'ERR_OUT_OF_RANGE',
      `options.${name} must be a positive${integer ? ' integer' : ' finite number'}, got ${value}`,
    );
  }
  return value;
}

/** Validates options and fills defaults, without touching the caller's object. */
export function resolveOptions(options: MonitorOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null)
    throw new RaspimonTypeError(
      'ERR_INVALID_ARG_TYPE',
      `Monitor options must be an object, got ${showValue(options)}`,
    );
  const { uri, db, namespace, scheduler } = options;
  if ((uri === undefined) === (db === undefined))
    throw new ConfigError(
      'give exactly one of options.uri (a mongodb:// string) or options.db (a MongoClient or Db)',
    );
  if (uri !== undefined && (typeof uri !== 'string' || !/^mongodb(\+srv)?:\/\//.test(uri)))
    throw new ConfigError(`options.uri must be a mongodb:// connection string, got ${showValue(uri)}`);
  if (typeof namespace !== 'string' || !/^[^/\\. "$*<>:|?]{1,63}$/.test(namespace)) {
    throw new ConfigError(
      `options.namespace must be a MongoDB database name (1-63 chars, no /\\. "$*<>:|?), got ${showValue(namespace)}`,
    );
  }
  for (const method of ['onceAfter', 'repeatEvery', 'remove'] as const) {
    if (typeof (scheduler as Partial<MonitorScheduler> | undefined)?.[method] !== 'function') {
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
  const retryMinSeconds = positive(options.retry?.minSeconds, 'retry.minSeconds', 1);
  const retryMaxSeconds = positive(options.retry?.maxSeconds, 'retry.maxSeconds', 60);
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
      `options.stateDir must be a directory path, got ${showValue(options.stateDir)}`,
    );
  if (options.pidFile !== undefined && (typeof options.pidFile !== 'string' || options.pidFile === ''))
    throw new RaspimonTypeError(
      'ERR_INVALID_ARG_TYPE',
      `options.pidFile must be a file path, got ${showValue(options.pidFile)}`,
    );
  if (options.clock !== undefined && typeof options.clock.now !== 'function')
    throw new RaspimonTypeError('ERR_INVALID_ARG_TYPE', 'options.clock must have a now() returning epoch ms');
  return {
    source: uri !== undefined ? { uri } : { db: db! },
    namespace,
    scheduler,
    logger,
    drivers: options.drivers ?? {},
    pollSeconds: positive(options.pollSeconds, 'pollSeconds', 60),
    stateDir: options.stateDir ?? path.join(defaultStateRoot, namespace),
    batchSize: positive(options.batchSize, 'batchSize', 1000, true),
    flushSeconds: positive(options.flushSeconds, 'flushSeconds', 1),
    memoryLimit: positive(options.memoryLimit, 'memoryLimit', 10_000, true),
    serverSelectionTimeoutMS:
      positive(options.serverSelectionTimeoutSeconds, 'serverSelectionTimeoutSeconds', 2) * 1000,
    driverTimeoutSeconds: positive(options.driverTimeoutSeconds, 'driverTimeoutSeconds', 10),
    retryMinSeconds,
    retryMaxSeconds,
    retentionDays:
      options.retentionDays === undefined ? undefined : positive(options.retentionDays, 'retentionDays', 0),
    stopTimeoutMs: positive(options.stopTimeoutSeconds, 'stopTimeoutSeconds', 10) * 1000,
    pidFile: options.pidFile === undefined ? undefined : path.resolve(options.pidFile),
    clock: options.clock ?? { now: () => Date.now() },
  };
}
