// The Monitor's read side: check() and the query helpers over its namespace, apart from
// the lifecycle. The driver's errors become DatabaseError with the cause, unless the
// monitor stopped meanwhile (then MonitorStateError, as for a call after stop()).
import type { Db } from 'mongodb';
import { RaspimonError } from '../errors.js';
import { describeError } from '../internal/index.js';
import { loadRawConfig } from './config-load.js';
import type { DatabaseConnection } from './connection.js';
import { DatabaseError, type MonitorStateError } from './errors.js';
import type { IntegrityReport } from './integrity.js';
import { integrityReport } from './integrity-check.js';
import type { MongoModule } from './peers.js';
import {
  bucketStats,
  findReadings,
  latestReadings,
  type BucketStats,
  type Reading,
  type TimeInput,
} from './queries.js';
import type { DriverDefinition } from './types.js';

/** What the queries need from a started monitor. */
export interface QueryDeps {
  mongo: MongoModule;
  connection: DatabaseConnection;
  namespace: string;
  registry: ReadonlyMap<string, DriverDefinition>;
  /** Epoch ms: the scheduler's clock. */
  now(): number;
  /** A MonitorStateError when the monitor may no longer query (stopping, stopped), else undefined. */
  closed(what: string, cause?: unknown): MonitorStateError | undefined;
}

/** Query of stored readings of one device and key, `from ≤ ts < to`. */
export interface ReadingsQuery {
  /** Device id. */
  id: number;
  /** Key of the readings. */
  keyId: number;
  /** Start (inclusive): a `Date` or epoch seconds. */
  from: TimeInput;
  /** End (exclusive): a `Date` or epoch seconds. */
  to: TimeInput;
  /** Most readings returned, oldest first. @default all */
  limit?: number;
}

/** Query of bucket statistics: `bucketSeconds` per bucket over `from ≤ ts < to`. */
export interface BucketsQuery {
  /** Device id. */
  id: number;
  /** Key of the readings. */
  keyId: number;
  /** Start (inclusive): a `Date` or epoch seconds. */
  from: TimeInput;
  /** End (exclusive): a `Date` or epoch seconds. */
  to: TimeInput;
  /** Bucket size, aligned to epoch multiples, e.g. 3600 for hourly. */
  bucketSeconds: number;
}

export class MonitorQueries {
  constructor(private readonly deps: QueryDeps) {}

  check(): Promise<IntegrityReport> {
    return this.run('check()', async (db) => {
      const raw = await loadRawConfig(this.deps.mongo, db);
      return integrityReport(db, raw, this.deps.registry, new Date(this.deps.now()));
    });
  }

  readings(query: ReadingsQuery): Promise<Reading[]> {
    return this.run('readings()', (db) => findReadings(db.collection('readings'), query));
  }

  latest(query: { id?: number }): Promise<Reading[]> {
    return this.run('latest()', (db) => latestReadings(db.collection('readings'), query));
  }

  buckets(query: BucketsQuery): Promise<BucketStats[]> {
    return this.run('buckets()', (db) => bucketStats(db.collection('readings'), query));
  }

  private async run<T>(what: string, query: (db: Db) => Promise<T>): Promise<T> {
    const { namespace } = this.deps;
    const db = await this.deps.connection.db().catch((error: unknown) => {
      throw (
        this.deps.closed(what, error) ??
        new DatabaseError(
          `monitor.${what}: database "${namespace}" is unreachable (${describeError(error)}); try again when it is up`,
          { cause: error },
        )
      );
    });
    try {
      return await query(db);
    } catch (error) {
      if (error instanceof RaspimonError) throw error;
      throw (
        this.deps.closed(what, error) ??
        new DatabaseError(`monitor.${what} failed on database "${namespace}" (${describeError(error)})`, {
          cause: error,
        })
      );
    }
  }
}
