// Issue 21 (CPU on a Pi): the driver's connection pool of a monitor that connects by URI sweeps
// every poolSweepMs instead of the driver's 100 ms (600 wake-ups a minute on an idle Pi). The
// setting is not a public driver option, so this test, on the real FerretDB, is what tells us
// when an upgraded driver stops honouring it.
import * as mongo from 'mongodb';
import { describe, expect, it } from 'vitest';
import { DatabaseConnection, poolSweepMs } from '../../../src/monitor/storage/connection.js';
import { mongodbUri, uniqueDbName } from '../../helpers/mongo.js';

interface PoolView {
  options: { minPoolSizeCheckFrequencyMS: number; minPoolSize: number };
}
const poolsOf = (client: mongo.MongoClient): PoolView[] =>
  [
    ...(
      client as unknown as { topology: { s: { servers: Map<string, { pool: PoolView }> } } }
    ).topology.s.servers.values(),
  ].map((server) => server.pool);

describe('the monitor connection pool on a Pi', () => {
  it('sweeps every 10 s, not every 100 ms, and still writes and reads', async () => {
    const name = uniqueDbName('pool_');
    const connection = new DatabaseConnection(mongo, { uri: mongodbUri() }, name, 5_000, async () => {});
    try {
      const db = await connection.db();
      await db.collection('readings').insertOne({ keyId: 1, value: 215 });
      expect(await db.collection('readings').countDocuments()).toBe(1);
      const pools = poolsOf(db.client);
      expect(pools.length).toBeGreaterThan(0);
      for (const pool of pools) {
        expect(pool.options.minPoolSizeCheckFrequencyMS).toBe(poolSweepMs);
        expect(pool.options.minPoolSize).toBe(0);
      }
      expect(poolSweepMs).toBe(10_000);
      await db.dropDatabase();
    } finally {
      await connection.close();
    }
  });
});
