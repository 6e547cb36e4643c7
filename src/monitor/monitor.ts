import path from 'node:path';
import type { Collection, Db } from 'mongodb';
import { RaspimonError } from '../errors.js';
import { loadRawConfig, readConfigCache, saveConfigCache, type RawConfig } from './config-load.js';
import { validateConfig } from './config-validate.js';
import { DatabaseConnection } from './connection.js';
import { stderrLogger } from './default-logger.js';
import { DeviceFleet, emptySummary, type ReloadSummary } from './fleet.js';
import { buildRegistry } from './drivers/registry.js';
import { ConfigError, DatabaseError, describeError } from './errors.js';
import { ensureIndexes } from './indexes.js';
import type { IntegrityReport } from './integrity.js';
import { integrityReport } from './integrity-check.js';
import { resolveOptions, type MonitorOptions, type ResolvedOptions } from './options.js';
import { loadMongo, type MongoModule } from './peers.js';
import {
  bucketStats,
  findReadings,
  latestReadings,
  type BucketStats,
  type Reading,
  type TimeInput,
} from './queries.js';
import { removePidFile, writePidFile } from './pid-file.js';
import { ReadingIntake } from './reading-intake.js';
import { ReadingsWriter, type WriterStats } from './readings-writer.js';
import { installSignalHandlers } from './signals.js';
import { Spool } from './spool.js';
import type { DeviceSpec, DriverDefinition, MonitorLogger } from './types.js';

/** Counters since start. */
export interface MonitorStats extends WriterStats {
  /** Devices running (or retrying). */
  devices: number;
  /** Readings accepted from drivers. */
  accepted: number;
  /** Readings rejected because the value is not a safe integer. */
  rejectedNotInteger: number;
  /** Readings rejected because their keyId is not in `keys`. */
  rejectedUnknownKey: number;
  /** Readings rejected for a malformed shape or timestamp. */
  rejectedMalformed: number;
}

const retentionCheckSeconds = 3600;

/**
 * Samples devices described in a MongoDB namespace and stores their readings there.
 *
 * @example
 * ```ts
 * const scheduler = new Scheduler(); scheduler.start();
 * const monitor = new Monitor({ uri: 'mongodb://db.local', namespace: getDeviceNamespace(), scheduler, logger });
 * monitor.handleSignals();   // SIGHUP → reload, SIGTERM/SIGINT → stop (flush)
 * await monitor.start();
 * ```
 */
export class Monitor {
  private readonly options: ResolvedOptions;
  private readonly logger: MonitorLogger;
  private readonly registry: Map<string, DriverDefinition>;
  private mongo: MongoModule | undefined;
  private connection: DatabaseConnection | undefined;
  private writer: ReadingsWriter | undefined;
  private readonly fleet: DeviceFleet;
  private fingerprint: string | undefined;
  private state: 'new' | 'starting' | 'running' | 'stopping' | 'stopped' = 'new';
  private jobs: string[] = [];
  private reloading: Promise<ReloadSummary> | undefined;
  private followUp: Promise<ReloadSummary> | undefined;
  private reloadWhenStarted = false;
  private unreadableReported = false;
  private polling = false;
  private signalCleanup: (() => void) | undefined;
  private intake: ReadingIntake | undefined;
  private starting: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;
  private pidFileWritten = false;

  /** Validates the options; nothing is loaded or opened before start(). */
  constructor(options: MonitorOptions) {
    this.options = resolveOptions(options);
    this.logger = this.options.logger ?? stderrLogger();
    this.registry = buildRegistry(this.options.drivers);
    this.fleet = new DeviceFleet(this.registry, this.logger, {
      scheduler: this.options.scheduler,
      logger: this.logger,
      settings: {
        timeoutSeconds: this.options.driverTimeoutSeconds,
        retryMinSeconds: this.options.retryMinSeconds,
        retryMaxSeconds: this.options.retryMaxSeconds,
      },
      now: () => this.options.clock.now(),
      accept: (device, readings) => this.intake?.accept(device, readings),
    });
  }

  /**
   * Loads `mongodb` (a missing one throws MissingPeerError), opens the spool, reads the
   * configuration (or the last good copy when the database is unreachable) and starts the
   * devices. Never fails because the database is down.
   */
  async start(): Promise<void> {
    if (this.state !== 'new')
      throw new RaspimonError(
        'ERR_MONITOR_STATE',
        `monitor.start(): the monitor is ${this.state === 'starting' ? 'already starting' : this.state === 'running' ? 'already running' : this.state}; start() may be called once, create a new Monitor to start again`,
      );
    this.state = 'starting';
    this.starting = this.doStart();
    await this.starting;
    // A SIGHUP that arrived while starting: reload() checks the state again.
    if (this.reloadWhenStarted) void this.reload();
  }

  private async doStart(): Promise<void> {
    try {
      // First, and fast: `raspimon … --reload <pidfile>` may signal us from now on.
      await this.writePidFile();
      const mongo = (this.mongo = await loadMongo());
      const spool = await Spool.open(path.join(this.options.stateDir, 'spool')).catch((error: unknown) => {
        throw new ConfigError(
          `cannot use the state dir ${this.options.stateDir} for the readings spool (${describeError(error)}); pass a writable options.stateDir`,
          { cause: error },
        );
      });
      this.connection = new DatabaseConnection(
        mongo,
        this.options.source,
        this.options.namespace,
        this.options.serverSelectionTimeoutMS,
        (db) => ensureIndexes(mongo, db, this.logger),
      );
      this.writer = new ReadingsWriter(
        mongo,
        () => this.readingsCollection(),
        spool,
        this.options.scheduler,
        this.logger,
        {
          batchSize: this.options.batchSize,
          flushSeconds: this.options.flushSeconds,
          memoryLimit: this.options.memoryLimit,
          retryMinSeconds: Math.min(this.options.retryMinSeconds, 1),
          retryMaxSeconds: Math.min(this.options.retryMaxSeconds, 10),
        },
      );
      this.intake = new ReadingIntake(
        this.writer,
        this.logger,
        () => this.options.clock.now(),
        () => this.fleet.keys,
      );
      if (spool.size > 0) {
        this.logger.info(`readings spool: ${spool.size} reading(s) left by a previous run will be replayed`);
        this.writer.kick();
      }
      this.state = 'running';
      await this.runReload(true);
      this.jobs.push(this.options.scheduler.repeatEvery(this.options.pollSeconds, () => this.poll()));
      if (this.options.retentionDays !== undefined)
        this.jobs.push(
          this.options.scheduler.repeatEvery(retentionCheckSeconds, () => this.applyRetention()),
        );
    } catch (error) {
      this.state = 'stopped';
      await this.fleet.stopAll();
      await this.connection?.close().catch(() => undefined);
      await this.removePidFile();
      throw error;
    }
  }

  private async writePidFile(): Promise<void> {
    const file = this.options.pidFile;
    if (file === undefined) return;
    await writePidFile(file);
    this.pidFileWritten = true;
    if (process.listenerCount('SIGHUP') === 0)
      this.logger.warning(
        `pid file ${file} written, but nothing handles SIGHUP: \`raspimon … --reload ${file}\` would end this process; call monitor.handleSignals() before start()`,
      );
  }

  private async removePidFile(): Promise<void> {
    const file = this.options.pidFile;
    if (file === undefined || !this.pidFileWritten) return;
    this.pidFileWritten = false;
    await removePidFile(file).catch((error: unknown) => {
      this.logger.warning(`cannot remove the pid file ${file} (${describeError(error)}); remove it by hand`);
    });
  }

  /**
   * Reads `devices` and `keys` again and applies the difference: unchanged devices keep
   * running, removed ones stop, new and changed ones start. Calls during a reload are
   * coalesced into one more reload. Never rejects: problems go to the logger.
   */
  reload(): Promise<ReloadSummary> {
    if (this.state === 'new' || this.state === 'starting') {
      this.reloadWhenStarted = true;
      return Promise.resolve(emptySummary(false));
    }
    if (this.state !== 'running') return Promise.resolve(emptySummary(false));
    return this.runReload(false);
  }

  /**
   * Stops every device, writes (or spools) pending readings, closes the connection and
   * removes `options.pidFile`. Every call returns the same promise, which settles once all
   * of that is done. A step that fails does not skip the others; stop() then rejects with
   * the first failure.
   */
  stop(): Promise<void> {
    this.stopping ??= this.doStop();
    return this.stopping;
  }

  private async doStop(): Promise<void> {
    if (this.state === 'starting') await this.starting?.catch(() => undefined);
    if (this.state === 'stopped') return;
    if (this.state === 'new') {
      this.state = 'stopped';
      return;
    }
    this.state = 'stopping';
    const failures: unknown[] = [];
    const step = async (run: () => unknown): Promise<void> => {
      try {
        await run();
      } catch (error) {
        failures.push(error);
      }
    };
    // A stopping monitor no longer reloads: stop advertising the pid for SIGHUP first.
    await this.removePidFile();
    for (const job of this.jobs.splice(0)) await step(() => this.options.scheduler.remove(job));
    await this.followUp?.catch(() => undefined);
    await this.reloading?.catch(() => undefined);
    await step(() => this.fleet.stopAll());
    await step(() => this.writer?.close(this.options.stopTimeoutMs));
    await step(() => this.connection?.close());
    this.signalCleanup?.();
    this.state = 'stopped';
    for (const extra of failures.slice(1))
      this.logger.error(`stop(): another step failed as well (${describeError(extra)})`);
    if (failures.length > 0) throw failures[0];
  }

  /**
   * Opt-in signal handling: SIGHUP → reload(); SIGTERM/SIGINT → stop(), then `onStop(signal)`
   * if given, else the signal is raised again so the process ends as it would have. A
   * second SIGTERM/SIGINT while stopping waits for the first stop(); a stop() that fails is
   * reported through the logger and the process still ends. Install it first thing:
   * SIGHUP's default action kills the process. Returns an uninstaller.
   */
  handleSignals(options: { onStop?: (signal: NodeJS.Signals) => void } = {}): () => void {
    this.signalCleanup?.();
    const uninstall = installSignalHandlers(this, this.logger, options);
    const cleanup = (): void => {
      uninstall();
      if (this.signalCleanup === cleanup) this.signalCleanup = undefined;
    };
    this.signalCleanup = cleanup;
    return cleanup;
  }

  /** Counters since start. */
  stats(): MonitorStats {
    const writer = this.writer?.stats() ?? {
      written: 0,
      duplicates: 0,
      queued: 0,
      spooled: 0,
      dropped: 0,
      databaseDown: false,
    };
    const intake = this.intake?.counters ?? {
      accepted: 0,
      rejectedNotInteger: 0,
      rejectedUnknownKey: 0,
      rejectedMalformed: 0,
    };
    return { ...writer, ...intake, devices: this.fleet.size };
  }

  /** Devices currently running, by id. */
  devices(): DeviceSpec[] {
    return this.fleet.devices();
  }

  /** Writes pending readings now (replaying the spool first); true when nothing is left. */
  async flush(): Promise<boolean> {
    return (await this.writer?.flush()) ?? true;
  }

  /**
   * Integrity report: configuration problems and readings whose (id, keyId) pair is not in
   * the configuration. One `$group` on (id, keyId) with `$sum`, so the server does a single
   * pass and sends back one row per pair (MongoDB can feed it from the `{id, keyId, ts}`
   * index; FerretDB v1 with SQLite scans: ~3 s per 50,000 readings here).
   */
  async check(): Promise<IntegrityReport> {
    return this.query('check()', (db) => this.integrity(db));
  }

  private async integrity(db: Db): Promise<IntegrityReport> {
    const raw = await loadRawConfig(this.mongo!, db);
    return integrityReport(db, raw, this.registry, new Date(this.options.clock.now()));
  }

  /** Readings of one device and key with `from ≤ ts < to` (Dates or epoch seconds), oldest first. */
  async readings(query: {
    id: number;
    keyId: number;
    from: TimeInput;
    to: TimeInput;
    limit?: number;
  }): Promise<Reading[]> {
    return this.query('readings()', (db) => findReadings(db.collection('readings'), query));
  }

  /** The newest reading of every (device, key) pair, optionally for one device. */
  async latest(query: { id?: number } = {}): Promise<Reading[]> {
    return this.query('latest()', (db) => latestReadings(db.collection('readings'), query));
  }

  /** Count/min/max/avg per bucket (e.g. `bucketSeconds: 3600` for hourly). */
  async buckets(query: {
    id: number;
    keyId: number;
    from: TimeInput;
    to: TimeInput;
    bucketSeconds: number;
  }): Promise<BucketStats[]> {
    return this.query('buckets()', (db) => bucketStats(db.collection('readings'), query));
  }

  /**
   * Runs a read on the namespace; the driver's errors become a DatabaseError with the cause,
   * unless the monitor stopped meanwhile (then ERR_MONITOR_STATE, as for a call after stop()).
   */
  private async query<T>(what: string, run: (db: Db) => Promise<T>): Promise<T> {
    const unusable = this.queryStateError(what);
    if (unusable) throw unusable;
    const db = await this.database().catch((error: unknown) => {
      throw (
        this.queryStateError(what, error) ??
        new DatabaseError(
          `monitor.${what}: database "${this.options.namespace}" is unreachable (${describeError(error)}); try again when it is up`,
          { cause: error },
        )
      );
    });
    try {
      return await run(db);
    } catch (error) {
      if (error instanceof RaspimonError) throw error;
      throw (
        this.queryStateError(what, error) ??
        new DatabaseError(
          `monitor.${what} failed on database "${this.options.namespace}" (${describeError(error)})`,
          { cause: error },
        )
      );
    }
  }

  /** ERR_MONITOR_STATE when a query cannot run in the current state, else undefined. */
  private queryStateError(what: string, cause?: unknown): RaspimonError | undefined {
    const options = cause === undefined ? undefined : { cause };
    if (this.state === 'stopping' || this.state === 'stopped')
      return new RaspimonError(
        'ERR_MONITOR_STATE',
        `monitor.${what}: the monitor is ${this.state}; create a new Monitor to query`,
        options,
      );
    if (!this.connection)
      return new RaspimonError(
        'ERR_MONITOR_STATE',
        `monitor.${what}: the monitor is not started; call await monitor.start() first`,
        options,
      );
    return undefined;
  }

  private async database(): Promise<Db> {
    if (!this.connection)
      throw new RaspimonError(
        'ERR_MONITOR_STATE',
        'the monitor is not started; call await monitor.start() first',
      );
    return this.connection.db();
  }

  private async readingsCollection(): Promise<Collection> {
    return (await this.database()).collection('readings');
  }

  private runReload(initial: boolean): Promise<ReloadSummary> {
    if (!this.reloading) {
      const run = this.doReload(initial).finally(() => {
        if (this.reloading === run) this.reloading = undefined;
      });
      this.reloading = run;
      return run;
    }
    this.followUp ??= this.reloading.then(() => {
      this.followUp = undefined;
      return this.runReload(false);
    });
    return this.followUp;
  }

  private async doReload(initial: boolean): Promise<ReloadSummary> {
    let raw: RawConfig | undefined;
    let fromCache = false;
    try {
      raw = await loadRawConfig(this.mongo!, await this.database());
      this.unreadableReported = false;
    } catch (error) {
      const running = this.fleet.size;
      if (initial) {
        raw = await readConfigCache(this.mongo!, this.options.stateDir);
        fromCache = raw !== undefined;
        this.logger.error(
          `cannot read the configuration from database "${this.options.namespace}" (${describeError(error)}); ${raw ? `using the last good copy (${raw.devices.length} device document(s)) from ${this.options.stateDir}` : 'no saved copy yet: devices start once it is readable'}; readings are spooled until it is reachable`,
        );
      } else {
        this.logger.error(
          `cannot read the configuration from database "${this.options.namespace}" (${describeError(error)}); keeping the last good configuration (${running} device(s) running)`,
        );
      }
      if (!raw) return emptySummary(false);
    }
    if (this.state !== 'running') return emptySummary(false);
    const summary = await this.apply(raw);
    if (!fromCache) {
      await saveConfigCache(this.mongo!, this.options.stateDir, raw).catch((error: unknown) => {
        this.logger.warning(
          `cannot save the configuration copy in ${this.options.stateDir} (${describeError(error)})`,
        );
      });
    }
    return summary;
  }

  private async apply(raw: RawConfig): Promise<ReloadSummary> {
    const config = validateConfig(raw.devices, raw.keys, this.registry);
    for (const p of config.problems) {
      this.logger.error(
        `configuration: ${p.subject}: ${p.field} ${p.message}; ${p.collection === 'devices' ? 'this device is skipped' : 'this key is skipped'}`,
        { collection: p.collection, field: p.field },
      );
    }
    const summary = await this.fleet.apply(raw, config);
    this.fingerprint = raw.fingerprint;
    return summary;
  }

  private async poll(): Promise<void> {
    if (this.polling || this.reloading || this.state !== 'running') return;
    this.polling = true;
    try {
      const raw = await loadRawConfig(this.mongo!, await this.database());
      this.unreadableReported = false;
      if (raw.fingerprint !== this.fingerprint && this.state === 'running') {
        this.logger.info(
          `configuration poll: devices or keys changed in "${this.options.namespace}"; reloading`,
        );
        await this.runReload(false);
      }
    } catch (error) {
      if (!this.unreadableReported) {
        this.unreadableReported = true;
        this.logger.warning(
          `configuration poll: database "${this.options.namespace}" unreadable (${describeError(error)}); keeping the last good configuration (${this.fleet.size} device(s))`,
        );
      }
    } finally {
      this.polling = false;
    }
  }

  private async applyRetention(): Promise<void> {
    const days = this.options.retentionDays!;
    try {
      const before = new Date(this.options.clock.now() - days * 86_400_000);
      const result = await (await this.readingsCollection()).deleteMany({ ts: { $lt: before } });
      if (result.deletedCount > 0)
        this.logger.info(`retention: deleted ${result.deletedCount} reading(s) older than ${days} day(s)`);
    } catch (error) {
      this.logger.warning(`retention: cannot delete old readings (${describeError(error)}); will try again`);
    }
  }
}
