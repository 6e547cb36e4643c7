import { Int32, Long, MongoClient } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { startFerretDB } from '../helpers/ferretdb.js';
import { mongodbUri, uniqueDbName } from '../helpers/mongo.js';

describe('the MongoDB-compatible test server', () => {
  it('inserts, indexes and reads back integer readings through the mongodb driver', async () => {
    const client = new MongoClient(mongodbUri(), { serverSelectionTimeoutMS: 5000 });
    try {
      const readings = client.db(uniqueDbName()).collection('readings');
      await readings.createIndex({ id: 1, keyId: 1, ts: 1 });
      const ts = new Date('2026-11-25T08:00:00Z');
      await readings.insertMany([
        { id: 1, keyId: 10, value: new Int32(215), ts },
        { id: 1, keyId: 11, value: Long.fromNumber(2 ** 40), ts },
      ]);
      const indexes = await readings.indexes();
      expect(indexes.map((i) => i.name)).toContain('id_1_keyId_1_ts_1');
      const back = await readings.find({ id: 1 }, { sort: { keyId: 1 }, projection: { _id: 0 } }).toArray();
      expect(back).toEqual([
        { id: 1, keyId: 10, value: 215, ts },
        { id: 1, keyId: 11, value: 2 ** 40, ts },
      ]);
      const sums = await readings.aggregate([{ $group: { _id: '$id', n: { $sum: 1 } } }]).toArray();
      expect(sums).toEqual([{ _id: 1, n: 2 }]);
    } finally {
      await client.close();
    }
  });

  it('an own instance keeps its data across kill -9 and restart on the same port', async () => {
    const server = await startFerretDB();
    try {
      const dbName = uniqueDbName();
      let client = new MongoClient(server.uri, { serverSelectionTimeoutMS: 5000 });
      await client.db(dbName).collection('keys').insertOne({ keyId: 1, unit: '°C' });
      await client.close();
      await server.kill();
      await server.restart();
      client = new MongoClient(server.uri, { serverSelectionTimeoutMS: 5000 });
      const doc = await client
        .db(dbName)
        .collection('keys')
        .findOne({ keyId: 1 }, { projection: { _id: 0 } });
      await client.close();
      expect(doc).toEqual({ keyId: 1, unit: '°C' });
    } finally {
      await server.dispose();
    }
  });
});
