// The Monitor: its lifecycle (new → starting → running → stopping → stopped) and its public
// methods. The work lives in running/: start.ts builds the running pieces once, as one record
// (running.ts), stop.ts takes them down in reverse, jobs.ts schedules the repeating jobs and
// views.ts computes what the monitor shows. The pieces talk to each other directly (the
// fleet's runners feed the intake, the intake the writer); the Monitor only delegates.
import { describeError } from '../internal/index.js';
import { stderrLogger } from './default-logger.js';
import { deviceStates, type DeviceState } from './status/device-state.js';
import { buildRegistry } from './intake/drivers/registry.js';
import { MonitorStateError } from './errors.js';
import { emptySummary, type ReloadSummary } from './intake/running-devices.js';
import type { IntegrityReport } from './config/integrity.js';
import type { MonitorQueries, BucketsQuery, ReadingsQuery } from './read-side.js';
import { resolveOptions, type MonitorOptions, type ResolvedOptions } from './options.js';
import type { BucketStats, Reading, TimeInput } from './storage/readings-queries.js';
import type { ReadingListener } from './intake/reading-intake.js';
import type { StoredListener } from './storage/readings-writer.js';
import { installSignalHandlers } from './signals.js';
import type { RebuildResult } from './storage/rollups/recompute.js';
import type { RollupStats } from './storage/rollups/rollups.js';
import type { MonitorSummary } from './status/summary.js';
import type { DeviceSpec, DriverDefinition, MonitorLogger } from './types.js';
import type { MonitorStats } from './status/stats.js';
import type { Running } from './running/running.js';
import { startRunning } from './running/start.js';
import { stopRunning } from './running/stop.js';
import {
  monitorStats,
  runDevices,
  runReadingsDigest,
  runSummary,
  type MonitorStateName,
} from './running/views.js';

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
  private state: MonitorStateName = 'new';
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
    try {
      await startRunning({
        ...{ options: this.options, logger: this.logger, registry: this.registry },
        ...{ readingListeners: this.readingListeners, storedListeners: this.storedListeners },
        running: () => this.state === 'running',
        started: (run) => {
          this.run = run;
          this.state = 'running';
        },
        closed: (what, cause) => this.closedError(what, cause),
        jobFailed: (error) => this.jobFailed(error),
      });
    } catch (error) {
      this.state = 'stopped';
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
    const failures = await stopRunning(run, {
      ...{ namespace: this.options.namespace, logger: this.logger },
      stopTimeoutMs: this.options.stopTimeoutMs,
      ...{ readingListeners: this.readingListeners, storedListeners: this.storedListeners },
    });
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
    return monitorStats(this.run);
  }

  /** Devices currently running, by id. */
  devices(): DeviceSpec[] {
    return runDevices(this.run);
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
    return runSummary(this.run, { namespace: this.options.namespace, state: this.state }, options);
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
    return runReadingsDigest(this.run);
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
}
