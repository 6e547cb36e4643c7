// A day's daily buckets, merged from its stored hourly rows (the hour's own row and any
// correction rows beside it), so `readings_daily` always agrees with `readings_hourly`.
import type { Collection } from 'mongodb';
import {
  accumulatorOfRow,
  mergeInto,
  rollupDocument,
  type Accumulator,
  type RollupDocument,
} from './bucket-math.js';
import { dayMs } from './recompute.js';

/** The daily documents of the UTC day starting at `day` (epoch ms), one per pair. */
export async function dailyDocumentsOf(hourly: Collection, day: number): Promise<RollupDocument[]> {
  const rows = await hourly.find({ start: { $gte: new Date(day), $lt: new Date(day + dayMs) } }).toArray();
  const days = new Map<string, { id: number; keyId: number; acc: Accumulator }>();
  for (const row of rows) {
    const id = Number(row.id);
    const keyId = Number(row.keyId);
    const acc = accumulatorOfRow(row, (row.start as Date).getTime());
    const key = `${id}:${keyId}`;
    const into = days.get(key);
    if (into) mergeInto(into.acc, acc);
    else days.set(key, { id, keyId, acc });
  }
  return [...days.values()].map((d) => rollupDocument(d.id, d.keyId, day, d.acc));
}
