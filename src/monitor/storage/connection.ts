// The namespace database, connected lazily and reconnected after a failed first connect
// (the Node driver then answers "Topology is closed" until a fresh connect()).
import type { Db, MongoClient } from 'mongodb';
import { MonitorStateError } from '../errors.js';
import type { MongoModule } from '../peers.js';

/** Where the database comes from: a URI we connect to, or the caller's client/Db. */
export type DatabaseSource = { uri: string } | { db: MongoClient | Db };

/**
 * Driver settings for a small board, used unless the URI sets them: a monitor writes every few
 * seconds and notices an outage by its writes failing (the driver then checks the server at
 * once), so the background heartbeat can be slow; one writer needs at most two connections, and
 * none is kept open for nothing. With the driver's defaults (heartbeat every 10 s, a pool of up
 * to 100) an idle process spends most of its CPU on the driver's own monitoring.
 */
export const lightDriverOptions = { heartbeatFrequencyMS: 60_000, maxPoolSize: 2, minPoolSize: 0 } as const;

/**
 * How often the driver's connection pool looks for connections to prune or to open up to
 * `minPoolSize`, in ms. The driver's own 100 ms wakes an idle process 600 times a minute, most
 * of an idle monitor's CPU; with `minPoolSize` 0 and no `maxIdleTimeMS` the sweep only drops
 * connections that a checkout would drop anyway (closed, or from before a pool clear).
 */
export const poolSweepMs = 10_000;

/**
 * Sets {@link poolSweepMs} on a client not yet connected. The driver takes this pool setting only
 * from its parsed options (`MongoClient` refuses it as an option), so it is set there; a driver
 * without it ignores the extra field (test/monitor/storage/driver-pool.test.ts checks that the
 * installed driver still honours it).
 */
export function slowPoolSweep(client: MongoClient): void {
  const options = client.options as unknown as Record<string, unknown> | undefined;
  if (options && !Object.isFrozen(options)) options.minPoolSizeCheckFrequencyMS = poolSweepMs;
}

/** {@link lightDriverOptions} less those the URI's query sets (the URI wins). */
export function driverDefaultsFor(uri: string): Partial<typeof lightDriverOptions> {
  const query = uri.includes('?') ? uri.slice(uri.indexOf('?') + 1).toLowerCase() : '';
  const given = new Set(query.split('&').map((pair) => pair.split('=')[0]));
  return Object.fromEntries(
    Object.entries(lightDriverOptions).filter(([name]) => !given.has(name.toLowerCase())),
  );
}

export class DatabaseConnection {
  private client: MongoClient | undefined;
  private database: Db | undefined;
  private connecting: Promise<Db> | undefined;
  private prepared = false;
  private closed = false;

  constructor(
    private readonly mongo: MongoModule,
    private readonly source: DatabaseSource,
    private readonly namespace: string,
    private readonly serverSelectionTimeoutMS: number,
    /** Runs once after the first successful connection (index creation). */
    private readonly prepare: (db: Db) => Promise<void>,
  ) {}

  /** The namespace database; connects (again) when needed. Rejects while the server is unreachable. */
  async db(): Promise<Db> {
    if (this.database && this.prepared) return this.database;
    this.connecting ??= this.connect().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private async connect(): Promise<Db> {
    if (this.closed) throw stoppedError();
    if (!this.database) {
      if ('uri' in this.source) {
        const client = new this.mongo.MongoClient(this.source.uri, {
          ...driverDefaultsFor(this.source.uri),
          serverSelectionTimeoutMS: this.serverSelectionTimeoutMS,
          connectTimeoutMS: this.serverSelectionTimeoutMS,
          ignoreUndefined: true,
        });
        slowPoolSweep(client);
        try {
          await client.connect();
        } catch (error) {
          await client.close().catch(() => undefined);
          throw error;
        }
        if (this.closed) {
          await client.close();
          throw stoppedError();
        }
        this.client = client;
        this.database = client.db(this.namespace);
      } else {
        const given = this.source.db;
        this.database = 'startSession' in given ? given.db(this.namespace) : given;
      }
    }
    if (!this.prepared) {
      await this.prepare(this.database);
      this.prepared = true;
    }
    return this.database;
  }

  /** Closes a client we opened (never the caller's). */
  async close(): Promise<void> {
    this.closed = true;
    await this.connecting?.catch(() => undefined);
    const client = this.client;
    this.client = undefined;
    this.database = undefined;
    await client?.close();
  }
}

function stoppedError(): MonitorStateError {
  return new MonitorStateError('the monitor is stopped; create a new Monitor to use the database');
}
