// The Monitor's lifecycle: start() builds the running pieces once, as one record (lock,
// connection, writer, intake, fleet, reloader, queries), stop() takes them down in order.
// (About 600 lines, kept in one file on purpose: start() builds the rules, rollups, fleet
// heartbeat, namespace presence and status file with the rest and stop() takes them down in
// reverse, so the order lives in one place; much of the length is the TSDoc of public methods.)
// The pieces talk to each other directly (the fleet's runners feed the intake, the intake
// the writer, the fleet hands the intake its keys); the Monitor only wires and delegates.
import path from 'node:path';
import { describeError, type InstanceLock } from '../internal/index.js';
import { Scheduler } from '../scheduler/index.js';
import { ConfigReloader } from './config/reloader.js';
import { DatabaseConnection } from './storage/connection.js';
import { stderrLogger } from './default-logger.js';
import { deviceStates, type DeviceState } from './status/device-state.js';
import {
  StatusFileWriter,
  statusDocument,
  statusFileName,
  statusIntervalSeconds,
} from './status/status-file.js';
import { buildRegistry } from './intake/drivers/registry.js';
import { MonitorStateError } from './errors.js';
import { DeviceFleet, emptySummary, type ReloadSummary } from './intake/running-devices.js';
import { FleetHeartbeat } from './status/heartbeat.js';
import { ensureIndexes } from './storage/indexes.js';
import type { IntegrityReport } from './config/integrity.js';
import { NamespacePresence } from './status/presence.js';
import { MonitorQueries, type BucketsQuery, type ReadingsQuery } from './read-side.js';
import { resolveOptions, type MonitorOptions, type ResolvedOptions } from './options.js';
import { loadMongo } from './peers.js';
import type { BucketStats, Reading } from './storage/readings-queries.js';
import { emptyIntakeCounters, ReadingIntake, type ReadingListener } from './intake/reading-intake.js';
import {
  emptyWriterStats,
  ReadingsWriter,
  writerRetry,
  type StoredListener,
} from './storage/readings-writer.js';
import { installSignalHandlers } from './signals.js';
import { MonitorRules } from './rules/runtime.js';
import { MqttOutput } from './outputs/mqtt/output.js';
import { Spool } from './storage/spool.js';
import { advertisePid, lockStateDir, unusableStateDir, withdrawPid } from './start-guards.js';
import type { RebuildResult } from './storage/rollups/recompute.js';
import { Rollups, type RollupStats } from './storage/rollups/rollups.js';
import type { MinuteWindow } from './storage/rollups/minute-window.js';
import type { TimeInput } from './storage/readings-queries.js';
import { renderReadingsDigest } from './status/readings-digest.js';
import { buildSummary, firingSummary, type MonitorSummary, type RuleSummary } from './status/summary.js';
import type { DeviceSpec, DriverDefinition, MonitorLogger, MonitorScheduler } from './types.js';
import type { MonitorStats } from './status/stats.js';

const retentionCheckSeconds = 3600;
const rollupCheckSeconds = 60;

/** Everything start() builds, in one piece; kept after stop() for stats(). */
interface Running {
  scheduler: MonitorScheduler;
  /** The scheduler the monitor created (options.scheduler omitted): stopped by stop(). */
  ownScheduler: Scheduler | undefined;
  lock: InstanceLock;
  /** options.pidFile while this monitor's pid is in it. */
  pidFile: string | undefined;
  connection: DatabaseConnection;
  writer: ReadingsWriter;
  intake: ReadingIntake;
  fleet: DeviceFleet;
  reloader: ConfigReloader;
  queries: MonitorQueries;
  rollups: Rollups;
  /** Removes the rollups' stored-readings listener. */
  unhookRollups: () => void;
  jobs: string[];
  rules: MonitorRules;
  heartbeat: FleetHeartbeat;
  presence: NamespacePresence;
  /** The MQTT output, when options.mqtt is set. */
  mqtt: MqttOutput | undefined;
  /** `<stateDir>/status.json` for `raspimon status`, and when this run started. */
  status: { writer: StatusFileWriter; startedAt: number };
}

/**
 * Samples devices described in a MongoDB namespace and stores their readings there.
 *
 * @example
 * ```ts
 * const monitor = new Monitor({ namespace: getDeviceNamespace(), logger }); // mongodb://localhost:27017/
 * monitor.handleSignals();   // SIGHUP → reload, SIGTERM/SIGINT → stop (flush)
 * await monitor.start();
 * ```
 */
export class Monitor {
  private readonly options: ResolvedOptions;
  private readonly logger: MonitorLogger;
  private readonly registry: Map<string, DriverDefinition>;
  private readonly readingListeners = new Set<ReadingListener>();
  private readonly storedListeners = new Set<StoredListener>();
  private state: 'new' | 'starting' | 'running' | 'stopping' | 'stopped' = 'new';
  private run: Running | undefined;
  private starting: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;
  private reloadWhenStarted = false;
  private signalCleanup: (() => void) | undefined;

  /** Validates the options; nothing is loaded or opened before start(). */
  constructor(options: MonitorOptions) {
    this.options = resolveOptions(options);
    this.logger = this.options.logger ?? stderrLogger();
    this.registry = buildRegistry(this.options.drivers);
  }

  /**
   * Takes the state dir's lock (a second monitor on it is refused with MonitorLockedError),
   * loads `mongodb` (a missing one throws MissingPeerError), opens the spool, reads the
   * configuration (or the last good copy when the database is unreachable) and starts the
   * devices. Never fails because the database is down.
   */
  async start(): Promise<void> {
    if (this.state !== 'new')
      throw new MonitorStateError(
        `monitor.start(): the monitor is ${this.state === 'starting' ? 'already starting' : this.state === 'running' ? 'already running' : this.state}; start() may be called once, create a new Monitor to start again`,
      );
    this.state = 'starting';
    this.starting = this.doStart();
    await this.starting;
    // A SIGHUP that arrived while starting: reload() checks the state again.
    if (this.reloadWhenStarted) void this.reload();
  }

  private async doStart(): Promise<void> {
    const { options, logger, registry } = this;
    // Undone in reverse order if a later step fails.
    const undo: Array<() => Promise<unknown>> = [];
    try {
      const ownScheduler = options.scheduler
        ? undefined
        : new Scheduler({ onError: (e) => this.jobFailed(e) });
      if (ownScheduler) undo.push(() => ownScheduler.stop());
      const scheduler = options.scheduler ?? ownScheduler!.start();
      // First, and fast: refuse a second monitor, then let `raspimon … --reload <pidfile>` signal us.
      const lock = await lockStateDir(options.stateDir, options.namespace, scheduler.now());
      undo.push(() => lock.release());
      const pidFile = await advertisePid(options.pidFile, logger);
      if (pidFile !== undefined) undo.push(() => withdrawPid(pidFile, logger));
      const mongo = await loadMongo();
      const spool = await Spool.open(path.join(options.stateDir, 'spool'), options.spoolLimitBytes).catch(
        (error: unknown) => {
          throw unusableStateDir(options.stateDir, error);
        },
      );
      const { namespace, stateDir } = options;
      const connection = new DatabaseConnection(
        mongo,
        options.source,
        namespace,
        options.serverSelectionTimeoutMS,
        (db) => ensureIndexes(mongo, db, logger),
      );
      undo.push(() => connection.close());
      const writer = new ReadingsWriter(
        mongo,
        async () => (await connection.db()).collection('readings'),
        spool,
        scheduler,
        logger,
        {
          batchSize: options.batchSize,
          flushSeconds: options.flushSeconds,
          memoryLimit: options.memoryLimit,
          ...writerRetry({ minSeconds: options.retryMinSeconds, maxSeconds: options.retryMaxSeconds }),
        },
        this.storedListeners,
      );
      const rollups = new Rollups({
        scheduler,
        logger,
        collection: async (name) => (await connection.db()).collection(name),
        stateFile: path.join(stateDir, 'rollups.json'),
        graceSeconds: options.rollupGraceSeconds,
        backlogOldestMs: () => writer.oldestPendingMs(),
      });
      await rollups.open();
      const feedRollups: StoredListener = (readings) => rollups.stored(readings);
      this.storedListeners.add(feedRollups);
      undo.push(() => Promise.resolve(this.storedListeners.delete(feedRollups)));
      const intake = new ReadingIntake(writer, logger, () => scheduler.now(), this.readingListeners);
      const settings = {
        timeoutSeconds: options.driverTimeoutSeconds,
        retryMinSeconds: options.retryMinSeconds,
        retryMaxSeconds: options.retryMaxSeconds,
      };
      const fleet = new DeviceFleet(registry, logger, { scheduler, logger, settings, intake });
      undo.push(() => fleet.stopAll());
      const running = (): boolean => this.state === 'running';
      const rules = new MonitorRules({ logger, scheduler, stateDir });
      const heartbeat = new FleetHeartbeat(scheduler, () => connection.db());
      this.readingListeners.add(rules.listener);
      this.storedListeners.add(heartbeat.listener);
      undo.push(async () => {
        this.readingListeners.delete(rules.listener);
        this.storedListeners.delete(heartbeat.listener);
        heartbeat.stop();
        await rules.stop();
      });
      // The broker is not waited for: a broker that is down costs nothing but buffered publishes.
      const mqtt = options.mqtt
        ? new MqttOutput(options.mqtt, {
            ...{ namespace, scheduler, logger },
            retry: { minSeconds: options.retryMinSeconds, maxSeconds: options.retryMaxSeconds },
          })
        : undefined;
      if (mqtt) {
        undo.push(async () => {
          this.readingListeners.delete(mqtt.listener);
          await mqtt.stop();
        });
        await mqtt.start();
        this.readingListeners.add(mqtt.listener);
      }
      const reloader = new ConfigReloader({
        ...{ mongo, connection, fleet, registry, logger, namespace, stateDir, running },
        onApplied: (config) => {
          mqtt?.apply(config);
          return rules.apply(config, fleet.devices());
        },
      });
      const queries = new MonitorQueries({
        ...{ mongo, connection, namespace, registry },
        now: () => scheduler.now(),
        closed: (what, cause) => this.closedError(what, cause),
        tiers: (id, keyId) => {
          const now = scheduler.now();
          return {
            window: rollups.window(id, keyId),
            // The window holds 1,440 minutes up to its newest; one spare for the current one.
            memoryFromMs: Math.max(rollups.coveredFromMs, (Math.floor(now / 60_000) - 1438) * 60_000),
            writtenThroughMs: rollups.hourlyWrittenThroughMs,
            rollupsFromMs: rollups.rollupsCoverFromMs,
            nowMs: now,
          };
        },
      });
      const presence = new NamespacePresence(() => connection.db(), logger, {
        ...{ namespace, stateDir, intervalSeconds: options.pollSeconds },
      });
      const jobs: string[] = [];
      const run: Running = {
        scheduler,
        ownScheduler,
        lock,
        pidFile,
        connection,
        writer,
        intake,
        fleet,
        reloader,
        queries,
        rollups,
        unhookRollups: () => void this.storedListeners.delete(feedRollups),
        jobs,
        rules,
        heartbeat,
        presence,
        mqtt,
        status: {
          writer: new StatusFileWriter(path.join(stateDir, statusFileName), logger),
          startedAt: scheduler.now(),
        },
      };
      this.run = run;
      if (spool.size > 0) {
        logger.info(`readings spool: ${spool.size} reading(s) left by a previous run will be replayed`);
        writer.kick();
      }
      this.state = 'running';
      await reloader.reload(true);
      jobs.push(scheduler.repeatEvery(options.pollSeconds, () => reloader.poll()));
      jobs.push(scheduler.repeatEvery(options.pollSeconds, () => presence.tick()));
      void presence.tick();
      jobs.push(scheduler.repeatEvery(rollupCheckSeconds, () => rollups.tick()));
      const { rawDays, hourlyDays, dailyDays } = options.retention;
      if (rawDays !== undefined || hourlyDays !== undefined || dailyDays !== undefined)
        jobs.push(scheduler.repeatEvery(retentionCheckSeconds, () => this.applyRetention(run)));
      jobs.push(scheduler.repeatEvery(statusIntervalSeconds, () => this.writeStatus(run, 'running')));
      void this.writeStatus(run, 'running');
    } catch (error) {
      this.state = 'stopped';
      for (const step of undo.reverse()) await step().catch(() => undefined);
      throw error;
    }
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
    if (this.state !== 'running' || !this.run) return Promise.resolve(emptySummary(false));
    return this.run.reloader.reload(false);
  }

  /**
   * Stops every device, writes (or spools) pending readings, closes the connection, removes
   * `options.pidFile`, releases the state dir's lock and stops the monitor's own scheduler
   * (never the caller's). Every call returns the same promise, which settles once all of
   * that is done. A step that fails does not skip the others; stop() then rejects with the
   * first failure.
   */
  stop(): Promise<void> {
    this.stopping ??= this.doStop();
    return this.stopping;
  }

  private async doStop(): Promise<void> {
    if (this.state === 'starting') await this.starting?.catch(() => undefined);
    if (this.state === 'stopped') return;
    const run = this.run;
    if (this.state === 'new' || !run) {
      this.state = 'stopped';
      return;
    }
    this.state = 'stopping';
    const failures: unknown[] = [];
    const step = async (work: () => unknown): Promise<void> => {
      try {
        await work();
      } catch (error) {
        failures.push(error);
      }
    };
    // A stopping monitor no longer reloads: stop advertising the pid for SIGHUP first.
    if (run.pidFile !== undefined) await withdrawPid(run.pidFile, this.logger);
    run.pidFile = undefined;
    for (const job of run.jobs.splice(0)) await step(() => run.scheduler.remove(job));
    await run.reloader.settled();
    await step(() => run.fleet.stopAll());
    this.readingListeners.delete(run.rules.listener);
    await step(() => run.rules.stop());
    if (run.mqtt) {
      const mqtt = run.mqtt;
      this.readingListeners.delete(mqtt.listener);
      // `offline` on the status topic, then disconnect (the last will covers crashes).
      await step(() => mqtt.stop());
    }
    await step(() => run.writer.close(this.options.stopTimeoutMs));
    // After the writer: what it stored while closing is in the saved open hours.
    await step(() => run.rollups.close());
    run.unhookRollups();
    this.storedListeners.delete(run.heartbeat.listener);
    run.heartbeat.stop();
    await run.presence.leave();
    await this.writeStatus(run, 'stopped');
    await step(() => run.connection.close());
    await step(() => run.lock.release());
    await step(() => run.ownScheduler?.stop());
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

  /**
   * Calls `listener(deviceId, keyId, value, tsMs)` with every reading accepted from a
   * driver, on the driver's tick, right after it is queued for the database: keep it cheap
   * (no I/O). A listener that throws is reported once and readings go on. Works before and
   * after start(). Returns a function that removes the listener.
   *
   * @example
   * ```ts
   * monitor.onReading((id, keyId, value) => { if (keyId === 1 && value > 80_000) console.warn(id, 'hot'); });
   * ```
   */
  onReading(listener: ReadingListener): () => void {
    this.readingListeners.add(listener);
    return () => void this.readingListeners.delete(listener);
  }

  /**
   * Calls `listener(readings)` with each batch once the database holds it (`{ id, keyId,
   * value, tsMs }` each). Within a run each reading is passed once; after a crash, a spool
   * replay may pass again a reading the previous run had passed. Returns a remover.
   */
  onStored(listener: StoredListener): () => void {
    this.storedListeners.add(listener);
    return () => void this.storedListeners.delete(listener);
  }

  /** Counters since start. */
  stats(): MonitorStats {
    const run = this.run;
    return {
      ...(run?.writer.stats() ?? emptyWriterStats()),
      ...(run?.intake.counters ?? emptyIntakeCounters()),
      devices: run?.fleet.size ?? 0,
      ...(run?.mqtt ? mqttStats(run.mqtt) : {}),
    };
  }

  /** Devices currently running, by id. */
  devices(): DeviceSpec[] {
    return this.run?.fleet.devices() ?? [];
  }

  private writeStatus(run: Running, state: 'running' | 'stopped'): Promise<void> {
    const document = statusDocument({
      namespace: this.options.namespace,
      state,
      startedAt: run.status.startedAt,
      now: run.scheduler.now(),
      stats: this.stats(),
      devices: deviceStates(run.fleet, run.intake),
    });
    return run.status.writer.write(document);
  }

  /** Health and counters of every running device (last reading, errors, rejected readings), by id. */
  deviceStates(): DeviceState[] {
    const run = this.run;
    return run ? deviceStates(run.fleet, run.intake) : [];
  }

  /**
   * The monitor at a glance, as plain JSON-ready data: devices with their state and last
   * error, each key's latest stored value and its last 24 h as minute points, the counters,
   * and firing rules. What `raspimon/http` serves at `/` and `/api/summary`. No I/O.
   *
   * @example
   * ```ts
   * for (const d of monitor.summary({ charts: false }).devices)
   *   console.log(d.name, d.state, d.keys.map((k) => `${k.keyId}=${k.latest?.value}`).join(' '));
   * ```
   */
  summary(options: { charts?: boolean } = {}): MonitorSummary {
    const run = this.run;
    const now = run ? run.scheduler.now() : Date.now();
    const stats = this.stats();
    const windows = this.windowsByDevice();
    const specs = new Map(this.devices().map((d) => [d.id, d]));
    return buildSummary({
      nowMs: now,
      namespace: this.options.namespace,
      state: this.state,
      databaseConnected: run !== undefined && !stats.databaseDown && this.state === 'running',
      stats: {
        ...stats,
        rejected: stats.rejectedMalformed + stats.rejectedNotInteger + stats.rejectedUnknownKey,
        droppedTotal: stats.dropped + stats.spoolDropped + stats.memoryDropped,
        reloads: run?.reloader.reloads ?? 0,
        lastReloadOk: run?.reloader.lastLoaded ?? null,
        ...(run ? prefixed(run.rollups.stats()) : {}),
      },
      devices: this.deviceStates().flatMap((state) => {
        const spec = specs.get(state.id);
        if (!spec) return [];
        return [
          {
            spec,
            errors: state.errors,
            failing: state.failing > 0,
            lastError: state.lastError && { ...state.lastError, at: state.lastError.at.getTime() },
          },
        ];
      }),
      keys: run?.fleet.keys ?? new Map(),
      windows: (id) => windows.get(id) ?? new Map(),
      charts: options.charts ?? true,
      rules: this.firingRules(),
    });
  }

  /**
   * The readings section of a daily digest: per device and key, min/max/avg/last of the
   * last 24 h (since start, if shorter), from memory. Log it as INFO shortly before the
   * mail logger's daily digest and it lands in that mail (see examples/main.ts).
   *
   * @example
   * ```ts
   * scheduler.repeatCron('55 7 * * *', () => logger.info(monitor.readingsDigest()));
   * ```
   */
  readingsDigest(): string {
    const run = this.run;
    const windows = this.windowsByDevice();
    return renderReadingsDigest({
      nowMs: run ? run.scheduler.now() : Date.now(),
      devices: this.devices(),
      keys: run?.fleet.keys ?? new Map(),
      windows: (id) => windows.get(id) ?? new Map(),
    });
  }

  /** The rollups' minute windows, by device then key. */
  private windowsByDevice(): Map<number, Map<number, MinuteWindow>> {
    const windows = new Map<number, Map<number, MinuteWindow>>();
    for (const pair of this.run?.rollups.pairList() ?? []) {
      let byKey = windows.get(pair.id);
      if (!byKey) windows.set(pair.id, (byKey = new Map<number, MinuteWindow>()));
      byKey.set(pair.keyId, pair.window);
    }
    return windows;
  }

  /** Firing (rule, device) pairs for the summary, oldest first, values scaled by the key. */
  private firingRules(): RuleSummary[] {
    const names = new Map(this.devices().map((d) => [d.id, d.name]));
    const ruleKeys = new Map((this.run?.rules.rules ?? []).map((r) => [r.id, r.keyId]));
    const keys = this.run?.fleet.keys;
    return (this.run?.rules.firing() ?? [])
      .sort((a, b) => a.firedMs - b.firedMs)
      .map((f) => firingSummary(f, names.get(f.deviceId) ?? null, ruleKeys.get(f.ruleId), keys));
  }

  /** Counters of the rollups (buckets written, late readings, memory of the minute windows). */
  rollupStats(): RollupStats {
    return this.run?.rollups.stats() ?? { hourlyWritten: 0, dailyWritten: 0, late: 0, windowBytes: 0 };
  }

  /**
   * Recomputes `readings_hourly` and `readings_daily` for the whole UTC days covering
   * `[from, to)` (Dates or epoch seconds) from the raw readings, replacing what is there.
   * One scan of the raw readings in that range. `raspimon rollups rebuild` does the same.
   */
  async rebuildRollups(range: { from: TimeInput; to: TimeInput }): Promise<RebuildResult> {
    const result = await this.queries('rebuildRollups()').rebuild(range.from, range.to);
    this.run?.rollups.rebuilt(result.from.getTime(), result.to.getTime());
    return result;
  }

  /** Writes pending readings now (replaying the spool first); true when nothing is left. */
  async flush(): Promise<boolean> {
    return (await this.run?.writer.flush()) ?? true;
  }

  /**
   * Integrity report: configuration problems and readings whose (id, keyId) pair is not in
   * the configuration. One `$group` on (id, keyId) with `$sum`, so the server does a single
   * pass and sends back one row per pair (MongoDB can feed it from the `{id, keyId, ts}`
   * index; FerretDB v1 with SQLite scans: ~3 s per 50,000 readings here).
   */
  async check(): Promise<IntegrityReport> {
    return this.queries('check()').check();
  }

  /** Readings of one device and key with `from ≤ ts < to` (Dates or epoch seconds), oldest first. */
  async readings(query: ReadingsQuery): Promise<Reading[]> {
    return this.queries('readings()').readings(query);
  }

  /** The newest reading of every (device, key) pair, optionally for one device. */
  async latest(query: { id?: number } = {}): Promise<Reading[]> {
    return this.queries('latest()').latest(query);
  }

  /** Count/min/max/avg per bucket (e.g. `bucketSeconds: 3600` for hourly). */
  async buckets(query: BucketsQuery): Promise<BucketStats[]> {
    return this.queries('buckets()').buckets(query);
  }

  /** The read side, or a MonitorStateError saying why it cannot be used now. */
  private queries(what: string): MonitorQueries {
    const closed = this.closedError(what);
    if (closed) throw closed;
    if (this.state !== 'running' || !this.run)
      throw new MonitorStateError(
        `monitor.${what}: the monitor is not started; call await monitor.start() first`,
      );
    return this.run.queries;
  }

  private closedError(what: string, cause?: unknown): MonitorStateError | undefined {
    if (this.state !== 'stopping' && this.state !== 'stopped') return undefined;
    return new MonitorStateError(
      `monitor.${what}: the monitor is ${this.state}; create a new Monitor to query`,
      cause === undefined ? undefined : { cause },
    );
  }

  private jobFailed(error: unknown): void {
    this.logger.error(`monitor: a scheduled job failed (${describeError(error)})`);
  }

  private async applyRetention(run: Running): Promise<void> {
    const { rawDays: days, hourlyDays, dailyDays } = this.options.retention;
    await run.rollups.applyRetention(hourlyDays, dailyDays);
    if (days === undefined) return;
    try {
      const before = new Date(run.scheduler.now() - days * 86_400_000);
      const readings = (await run.connection.db()).collection('readings');
      const result = await readings.deleteMany({ ts: { $lt: before } });
      if (result.deletedCount > 0)
        this.logger.info(`retention: deleted ${result.deletedCount} reading(s) older than ${days} day(s)`);
    } catch (error) {
      this.logger.warning(`retention: cannot delete old readings (${describeError(error)}); will try again`);
    }
  }
}

/** `{ hourlyWritten: 1 }` → `{ rollupsHourlyWritten: 1 }`. */
function prefixed(stats: RollupStats): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, value] of Object.entries(stats) as Array<[string, number]>)
    out[`rollups${name[0]!.toUpperCase()}${name.slice(1)}`] = value;
  return out;
}

function mqttStats(mqtt: MqttOutput): Partial<MonitorStats> {
  const { connected, published, buffered, dropped } = mqtt.stats();
  return { mqttConnected: connected, mqttPublished: published, mqttBuffered: buffered, mqttDropped: dropped };
}
