// start()'s work: builds the running pieces in order (lock, pid file, spool, connection,
// writer, rollups, intake, fleet, rules, heartbeat, MQTT, reloader, queries, presence, status
// file), loads the configuration and schedules the jobs. A step that fails undoes the ones
// before it, in reverse, and the error goes to the caller.
import path from 'node:path';
import { Scheduler } from '../../scheduler/index.js';
import { ConfigReloader } from '../config/reloader.js';
import { DeviceFleet } from '../intake/running-devices.js';
import { ReadingIntake, type ReadingListener } from '../intake/reading-intake.js';
import { MqttOutput } from '../outputs/mqtt/output.js';
import type { ResolvedOptions } from '../options.js';
import { loadMongo } from '../peers.js';
import { MonitorQueries } from '../read-side.js';
import { MonitorRules } from '../rules/runtime.js';
import { advertisePid, lockStateDir, unusableStateDir, withdrawPid } from '../start-guards.js';
import { FleetHeartbeat } from '../status/heartbeat.js';
import { NamespacePresence } from '../status/presence.js';
import { checksPerWrite, StatusWrites } from '../status/status-change.js';
import { StatusFileWriter, statusFileName, statusIntervalSeconds } from '../status/status-file.js';
import { DatabaseConnection } from '../storage/connection.js';
import { ensureIndexes } from '../storage/indexes.js';
import { ReadingsWriter, writerRetry, type StoredListener } from '../storage/readings-writer.js';
import { Rollups } from '../storage/rollups/rollups.js';
import { Spool } from '../storage/spool.js';
import type { DriverDefinition, MonitorLogger } from '../types.js';
import type { MonitorStateError } from '../errors.js';
import { scheduleJobs } from './jobs.js';
import type { Running } from './running.js';

/** What start() needs from the Monitor that owns the run. */
export interface StartContext {
  options: ResolvedOptions;
  logger: MonitorLogger;
  registry: Map<string, DriverDefinition>;
  readingListeners: Set<ReadingListener>;
  storedListeners: Set<StoredListener>;
  /** Whether the monitor is running (false once stop() began). */
  running: () => boolean;
  /** The run is built: the monitor keeps it and counts as running from here on. */
  started: (run: Running) => void;
  /** The read side's error for a monitor that is stopping or stopped, else undefined. */
  closed: (what: string, cause: unknown) => MonitorStateError | undefined;
  /** A scheduled job of the monitor's own scheduler failed. */
  jobFailed: (error: unknown) => void;
}

/** Builds and starts the run; on failure every step done is undone and the error rethrown. */
export async function startRunning(ctx: StartContext): Promise<void> {
  const { options, logger, registry, readingListeners, storedListeners } = ctx;
  // Undone in reverse order if a later step fails.
  const undo: Array<() => Promise<unknown>> = [];
  try {
    const ownScheduler = options.scheduler ? undefined : new Scheduler({ onError: ctx.jobFailed });
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
        insertTimeoutMs: Math.max(10_000, 10 * options.serverSelectionTimeoutMS),
        ...writerRetry({ minSeconds: options.retryMinSeconds, maxSeconds: options.retryMaxSeconds }),
      },
      storedListeners,
    );
    const rollups = new Rollups({
      scheduler,
      logger,
      collection: async (name) => (await connection.db()).collection(name),
      stateFile: path.join(stateDir, 'rollups.json'),
      graceSeconds: options.rollupGraceSeconds,
      // Readings still in the intake's backlog may belong to any hour: hold them all open.
      backlogOldestMs: () => (intake.backlog > 0 ? -Infinity : writer.oldestPendingMs()),
    });
    await rollups.open();
    const feedRollups: StoredListener = (readings) => rollups.stored(readings);
    storedListeners.add(feedRollups);
    undo.push(() => Promise.resolve(storedListeners.delete(feedRollups)));
    const intake = new ReadingIntake(writer, logger, () => scheduler.now(), readingListeners, {
      maxFutureSkewSeconds: options.maxFutureSkewSeconds,
    });
    const settings = {
      timeoutSeconds: options.driverTimeoutSeconds,
      retryMinSeconds: options.retryMinSeconds,
      retryMaxSeconds: options.retryMaxSeconds,
    };
    const fleet = new DeviceFleet(registry, logger, { scheduler, logger, settings, intake });
    undo.push(() => fleet.stopAll());
    const rules = new MonitorRules({ logger, scheduler, stateDir });
    const heartbeat = new FleetHeartbeat(scheduler, () => connection.db());
    readingListeners.add(rules.listener);
    storedListeners.add(heartbeat.listener);
    undo.push(async () => {
      readingListeners.delete(rules.listener);
      storedListeners.delete(heartbeat.listener);
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
        readingListeners.delete(mqtt.listener);
        await mqtt.stop();
      });
      await mqtt.start();
      readingListeners.add(mqtt.listener);
    }
    const reloader = new ConfigReloader({
      ...{ mongo, connection, fleet, registry, logger, namespace, stateDir },
      running: ctx.running,
      onApplied: (config) => {
        mqtt?.apply(config);
        return rules.apply(config, fleet.devices());
      },
    });
    const queries = new MonitorQueries({
      ...{ mongo, connection, namespace, registry },
      now: () => scheduler.now(),
      closed: ctx.closed,
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
    const run: Running = {
      ...{ scheduler, ownScheduler, lock, pidFile, connection, writer, intake, fleet, reloader },
      ...{ queries, rollups, rules, heartbeat, presence, mqtt },
      unhookRollups: () => void storedListeners.delete(feedRollups),
      jobs: [],
      status: {
        writer: new StatusFileWriter(path.join(stateDir, statusFileName), logger),
        writes: new StatusWrites(checksPerWrite(statusIntervalSeconds)),
        startedAt: scheduler.now(),
      },
    };
    ctx.started(run);
    if (spool.size > 0) {
      logger.info(`readings spool: ${spool.size} reading(s) left by a previous run will be replayed`);
      writer.kick();
    }
    await reloader.reload(true);
    scheduleJobs(run, options, logger);
  } catch (error) {
    for (const step of undo.reverse()) await step().catch(() => undefined);
    throw error;
  }
}
