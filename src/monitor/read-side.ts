// The Monitor's read side: check() and the query helpers over its namespace, apart from
// the lifecycle. The driver's errors become DatabaseError with the cause, unless the
// monitor stopped meanwhile (then MonitorStateError, as for a call after stop()).
import type { Db } from 'mongodb';
import { RaspimonError } from '../errors.js';
import { describeError } from '../internal/index.js';
import { loadRawConfig } from './config/load.js';
import type { DatabaseConnection } from './storage/connection.js';
import { DatabaseError, type MonitorStateError } from './errors.js';
import type { IntegrityReport } from './config/integrity.js';
import { integrityReport } from './config/check.js';
import type { MongoModule } from './peers.js';
import {
  bucketStats,
  findReadings,
  latestReadings,
  toMs,
  type BucketStats,
  type Reading,
  type TimeInput,
} from './storage/readings-queries.js';
import type { DriverDefinition } from './types.js';
import { rebuildRollups, type RebuildResult } from './storage/rollups/recompute.js';
import { tieredBuckets, type TierSources } from './storage/rollups/tiered.js';
import { checkPositive } from '../internal/index.js';

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
  /** What the in-memory and written rollups cover for a pair (buckets() answers from them first). */
  tiers?: (id: number, keyId: number) => TierSources;
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
    const tiers = this.deps.tiers;
    if (!tiers) return this.run('buckets()', (db) => bucketStats(db.collection('readings'), query));
    const fromMs = toMs(query.from, 'from');
    const toMsValue = toMs(query.to, 'to');
    const bucketSeconds = checkPositive('bucketSeconds', query.bucketSeconds);
    // Memory first: a query it answers whole needs no database at all.
    let db: Promise<Db> | undefined;
    const database = (): Promise<Db> => (db ??= this.run('buckets()', (d) => Promise.resolve(d)));
    return tieredBuckets(database, tiers(query.id, query.keyId), {
      id: query.id,
      keyId: query.keyId,
      fromMs,
      toMs: toMsValue,
      bucketSeconds,
    }).catch((error: unknown) =>
      this.run('buckets()', () => Promise.reject(error instanceof Error ? error : new Error(String(error)))),
    );
  }

  /** Recomputes the rollups of whole UTC days covering `[from, to)` from raw readings. */
  rebuild(from: TimeInput, to: TimeInput): Promise<RebuildResult> {
    return this.run('rebuildRollups()', (db) => rebuildRollups(db, { from, to }));
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
