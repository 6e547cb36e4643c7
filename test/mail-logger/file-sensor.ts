// A temperature sensor the tests that run a whole monitor read through the file driver: the
// main script's end-to-end test and the one-process daemon's fault tests.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Db } from 'mongodb';

/**
 * Writes `dir`/temperature reading 21.5 °C (`21500` m°C) and adds device 1 of the file driver
 * on it (key 1) to `db`, polled every `intervalSeconds`; returns the file's path.
 */
export async function addFileSensor(
  db: Db,
  dir: string,
  name: string,
  intervalSeconds: number,
): Promise<string> {
  const sensor = path.join(dir, 'temperature');
  writeFileSync(sensor, '21500\n');
  await db.collection('devices').insertOne({
    id: 1,
    name,
    driver: 'file',
    config: { path: sensor, keyId: 1 },
    interval: intervalSeconds,
  });
  return sensor;
}
