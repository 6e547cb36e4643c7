// The points of every chart of the status page for a range: asked of the monitor's
// buckets(), which answers from the minute windows, then the hourly/daily rollups, then raw
// readings — so a restarted monitor shows its stored history at once.
import type { BucketStats, MonitorSummary } from '../monitor/index.js';
import { describeError } from '../internal/index.js';
import type { KeyChart } from './page.js';

/** What the charts need from a monitor: `Monitor.buckets()`. */
export type BucketsReader = (query: {
  id: number;
  keyId: number;
  from: Date;
  to: Date;
  bucketSeconds: number;
}) => Promise<BucketStats[]>;

/** Seconds per chart point for a range: minutes up to 6 h, 5 min up to 30 h, hours beyond. */
export function bucketSecondsFor(hours: number): number {
  if (hours * 60 <= 360) return 60;
  if (hours * 12 <= 360) return 300;
  return 3600;
}

/** The range of a page: whole buckets ending with the one that holds `nowMs`, epoch seconds. */
export function pageRange(
  nowMs: number,
  hours: number,
): { fromS: number; toS: number; bucketSeconds: number } {
  const bucketSeconds = bucketSecondsFor(hours);
  const toS = Math.floor(nowMs / 1000 / bucketSeconds) * bucketSeconds + bucketSeconds;
  return { fromS: toS - hours * 3600, toS, bucketSeconds };
}

/** Every device key's chart over the range, scaled by its key; a failed query falls back to memory. */
export async function pageCharts(
  summary: MonitorSummary,
  buckets: BucketsReader | undefined,
  range: { fromS: number; toS: number; bucketSeconds: number },
): Promise<Map<string, KeyChart>> {
  const charts = new Map<string, KeyChart>();
  const jobs: Array<Promise<void>> = [];
  for (const device of summary.devices)
    for (const key of device.keys) {
      const id = `${device.id}:${key.keyId}`;
      const memory = (): KeyChart['points'] => key.chart.filter((p) => p.t >= range.fromS && p.t < range.toS);
      if (!buckets) {
        charts.set(id, { points: memory() });
        continue;
      }
      const factor = 10 ** key.decimals;
      jobs.push(
        Promise.resolve()
          .then(() =>
            buckets({
              id: device.id,
              keyId: key.keyId,
              from: new Date(range.fromS * 1000),
              to: new Date(range.toS * 1000),
              bucketSeconds: range.bucketSeconds,
            }),
          )
          .then(
            (stats) => {
              charts.set(id, {
                points: stats.map((b) => ({
                  t: b.start.getTime() / 1000,
                  avg: b.avg / factor,
                  min: b.min / factor,
                  max: b.max / factor,
                })),
              });
            },
            (error: unknown) => {
              charts.set(id, {
                points: memory(),
                note: `stored history not readable (${describeError(error)}); showing the minutes in memory`,
              });
            },
          ),
      );
    }
  await Promise.all(jobs);
  return charts;
}
