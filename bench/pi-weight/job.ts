// The job of the pi-weight benches (bench/pi-weight.bench.ts, bench/arm64-weight.bench.ts) as
// a monitor's namespace holds it: one DS18B20-style file device read every 5 s, its key, and
// an alert rule above −15 °C that the file's 21.5 °C fires.
import type { Db } from 'mongodb';

/** Empties `db` and writes the job's key, device (reading `sensorFile`) and rule into it. */
export async function seedJob(db: Db, sensorFile: string): Promise<void> {
  await db.dropDatabase();
  await db.collection('keys').insertOne({ keyId: 1, unit: 'mC', description: 'temperature' });
  await db.collection('devices').insertOne({
    ...{ id: 1, name: 'ds18b20', driver: 'file', interval: 5 },
    config: { path: sensorFile, keyId: 1 },
  });
  await db
    .collection('rules')
    .insertOne({ id: 1, name: 'freezer warm', keyId: 1, above: -15_000, level: 'ALERT' });
}
