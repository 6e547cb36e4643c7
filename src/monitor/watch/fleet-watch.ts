// The fleet watchdog: a dead Pi sends nothing, so its silence is noticed elsewhere. Lists
// every `raspimon_*` database on a server with its newest reading, and FleetWatch logs one
// ALERT when a database has had no reading for `silentMinutes` and a resolved record when
// it speaks again. Time comes from the scheduler, so a ManualClock test can jump hours.
import type { Db, MongoClient } from 'mongodb';
import { checkPositive, checkText, describeError } from '../../internal/index.js';
import { ConfigError } from '../errors.js';
import { heartbeatCollection, heartbeatId } from '../status/heartbeat.js';
import { loadMongo } from '../peers.js';
import { formatDuration } from '../rules/format.js';
import type { MonitorLogger, MonitorScheduler } from '../types.js';

/** One device database of the fleet, as {@link listFleet} sees it. */
export interface FleetEntry {
  /** The database name, e.g. `raspimon_dca632112233`. */
  namespace: string;
  /** Its devices (id and name), from the `devices` collection. */
  devices: Array<{
    /** Device id. */
    id: number;
    /** Device name. */
    name: string;
  }>;
  /** Time of its newest reading; `undefined` when it has none. */
  newestReading: Date | undefined;
  /** Seconds from the newest reading to `now`; `undefined` when it has none. */
  ageSeconds: number | undefined;
  /**
   * Where the newest reading came from: the monitor's one-document `status` heartbeat
   * (milliseconds to read), or a sort over `readings` (a full scan on FerretDB v1:
   * seconds per 50,000 readings) for a namespace written by a monitor without it.
   */
  source: 'status' | 'readings' | 'none';
}

async function newestReading(db: Db): Promise<{ ts: Date | undefined; source: FleetEntry['source'] }> {
  const status = await db
    .collection<{ _id: string; newestTs?: unknown }>(heartbeatCollection)
    .findOne({ _id: heartbeatId });
  if (status?.newestTs instanceof Date) return { ts: status.newestTs, source: 'status' };
  const [doc] = await db
    .collection('readings')
    .find({}, { projection: { _id: 0, ts: 1 } })
    .sort({ ts: -1 })
    .limit(1)
    .toArray();
  return doc?.ts instanceof Date ? { ts: doc.ts, source: 'readings' } : { ts: undefined, source: 'none' };
}

/**
 * Every database whose name starts with `prefix` on the server `client` is connected to,
 * with its devices and newest reading, in name order.
 *
 * @example
 * ```ts
 * for (const e of await listFleet(client, { now: Date.now() }))
 *   console.log(e.namespace, e.devices.length, e.newestReading?.toISOString() ?? 'no readings');
 * ```
 */
export async function listFleet(
  client: MongoClient,
  options: { now: number; prefix?: string },
): Promise<FleetEntry[]> {
  const prefix = options.prefix ?? 'raspimon_';
  const { databases } = await client.db('admin').admin().listDatabases({ nameOnly: true });
  const names = databases
    .map((d) => d.name)
    .filter((n) => n.startsWith(prefix))
    .sort();
  const entries: FleetEntry[] = [];
  for (const namespace of names) {
    const db = client.db(namespace);
    const [devices, newest] = await Promise.all([
      db
        .collection('devices')
        .find({}, { projection: { _id: 0, id: 1, name: 1 } })
        .sort({ id: 1 })
        .toArray(),
      newestReading(db),
    ]);
    entries.push({
      namespace,
      devices: devices.map((d) => ({ id: Number(d.id), name: String(d.name) })),
      newestReading: newest.ts,
      ageSeconds:
        newest.ts === undefined ? undefined : Math.max(0, (options.now - newest.ts.getTime()) / 1000),
      source: newest.source,
    });
  }
  return entries;
}

/** Options of {@link FleetWatch}. Give `uri` or `client`. */
export interface FleetWatchOptions {
  /** MongoDB server holding the device databases, e.g. `'mongodb://db.local:27017'`. */
  uri?: string;
  /** An existing client instead of `uri`; the watch never closes it. */
  client?: MongoClient;
  /** Runs the checks; its `now()` is the watch's clock. */
  scheduler: MonitorScheduler;
  /** Where the ALERT and resolved records go: the mail logger's client. */
  logger: MonitorLogger;
  /** A database with no reading for this many minutes is silent. */
  silentMinutes: number;
  /**
   * Seconds between checks.
   * @default 60
   */
  checkSeconds?: number;
  /**
   * Only databases whose name starts with this are watched.
   * @default 'raspimon_'
   */
  prefix?: string;
}

interface Watched {
  /** Newest reading seen, or when the watch first saw the database (epoch ms). */
  lastHeardMs: number;
  silentSinceMs: number | undefined;
}

/**
 * Watches every device database on a server and logs one ALERT through `logger` when one
 * has had no reading for `silentMinutes`, and one resolved ALERT when it speaks again.
 * A server it cannot reach is reported once, not at every check.
 *
 * @example
 * ```ts
 * const logger = MailLoggerClient.open();
 * const watch = new FleetWatch({ uri: 'mongodb://db.local', scheduler, logger, silentMinutes: 60 });
 * await watch.start();
 * ```
 */
export class FleetWatch {
  private readonly uri: string | undefined;
  private client: MongoClient | undefined;
  private readonly ownClient: boolean;
  private readonly silentMs: number;
  private readonly checkSeconds: number;
  private readonly prefix: string;
  private readonly watched = new Map<string, Watched>();
  private job: string | undefined;
  private checking: Promise<FleetEntry[]> | undefined;
  private unreachableReported = false;

  /** Validates the options; nothing is opened before start(). */
  constructor(private readonly options: FleetWatchOptions) {
    if ((options.uri === undefined) === (options.client === undefined))
      throw new ConfigError(
        'FleetWatch: give exactly one of options.uri (a mongodb:// string) or options.client',
      );
    this.uri = options.uri === undefined ? undefined : checkText('options.uri', options.uri);
    this.client = options.client;
    this.ownClient = options.client === undefined;
    this.silentMs = checkPositive('options.silentMinutes', options.silentMinutes) * 60_000;
    this.checkSeconds = checkPositive('options.checkSeconds', options.checkSeconds, { fallback: 60 });
    this.prefix = checkText('options.prefix', options.prefix, 'raspimon_');
  }

  /** Connects, checks once now, then every `checkSeconds`. */
  async start(): Promise<void> {
    if (this.job !== undefined) return;
    this.job = this.options.scheduler.repeatEvery(this.checkSeconds, () => this.check());
    await this.check();
  }

  /**
   * One check of every device database: logs what became silent or spoke again and
   * returns the fleet as listed. Never rejects; an unreachable server gives `[]`.
   */
  check(): Promise<FleetEntry[]> {
    this.checking ??= this.runCheck().finally(() => (this.checking = undefined));
    return this.checking;
  }

  private async runCheck(): Promise<FleetEntry[]> {
    const { logger, scheduler } = this.options;
    let entries: FleetEntry[];
    try {
      entries = await listFleet(await this.connect(), { now: scheduler.now(), prefix: this.prefix });
      if (this.unreachableReported) logger.info('fleet watch: the server is reachable again');
      this.unreachableReported = false;
    } catch (error) {
      if (!this.unreachableReported)
        logger.error(
          `fleet watch: cannot list the device databases (${describeError(error)}); silence is not judged until the server answers`,
        );
      this.unreachableReported = true;
      return [];
    }
    const now = scheduler.now();
    const seen = new Set<string>();
    for (const entry of entries) {
      seen.add(entry.namespace);
      const heard = entry.newestReading?.getTime();
      let state = this.watched.get(entry.namespace);
      let spoke = false;
      if (!state) {
        // First sight: silent since its newest reading, or (none stored) since now.
        state = { lastHeardMs: heard ?? now, silentSinceMs: undefined };
        this.watched.set(entry.namespace, state);
      } else if (heard !== undefined && heard > state.lastHeardMs) {
        spoke = true;
        state.lastHeardMs = heard;
      }
      if (state.silentSinceMs !== undefined && spoke) {
        logger.alert(
          `fleet: resolved: ${label(entry)} speaks again (newest reading ${new Date(state.lastHeardMs).toISOString()}); it was silent for ${formatDuration(now - state.silentSinceMs)}`,
          {
            namespace: entry.namespace,
            state: 'resolved',
            newestReading: new Date(state.lastHeardMs).toISOString(),
          },
        );
        state.silentSinceMs = undefined;
      } else if (state.silentSinceMs === undefined && now - state.lastHeardMs >= this.silentMs) {
        state.silentSinceMs = now;
        const newest = entry.newestReading
          ? `newest reading ${entry.newestReading.toISOString()}`
          : 'no reading stored';
        logger.alert(
          `fleet: ${label(entry)} has sent no reading for ${formatDuration(now - state.lastHeardMs)} (${newest}); is the Pi powered and online?`,
          { namespace: entry.namespace, state: 'firing', newestReading: entry.newestReading?.toISOString() },
        );
      }
    }
    for (const [namespace, state] of this.watched) {
      if (seen.has(namespace)) continue;
      this.watched.delete(namespace);
      if (state.silentSinceMs !== undefined)
        logger.alert(`fleet: resolved: ${namespace} is no longer on the server; it is not watched any more`, {
          namespace,
          state: 'resolved',
        });
    }
    return entries;
  }

  private async connect(): Promise<MongoClient> {
    if (this.client) return this.client;
    const mongo = await loadMongo();
    const client = new mongo.MongoClient(this.uri!, {
      serverSelectionTimeoutMS: 5000,
      connectTimeoutMS: 5000,
    });
    await client.connect();
    this.client = client;
    return client;
  }

  /** Stops checking and closes a client the watch opened. */
  async stop(): Promise<void> {
    if (this.job !== undefined) this.options.scheduler.remove(this.job);
    this.job = undefined;
    await this.checking?.catch(() => undefined);
    if (this.ownClient) {
      const client = this.client;
      this.client = undefined;
      await client?.close();
    }
  }
}

function label(entry: FleetEntry): string {
  const devices = entry.devices.map((d) => `${d.id} ${JSON.stringify(d.name)}`).join(', ');
  return `${entry.namespace}${devices ? ` (devices ${devices})` : ''}`;
}
