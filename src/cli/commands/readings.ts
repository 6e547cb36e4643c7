// `raspimon readings tail`: the latest readings, optionally following new ones.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Collection, Document } from 'mongodb';
import { globalFlagsHelp, sharedFlags, type Command, type CommandContext } from '../command.js';
import { databaseOperation } from '../database.js';
import { CliUsageError, CliNotFoundError } from '../errors.js';
import { formatNumber, formatValue, shownValue, type ValueKey } from '../../monitor/status/format-value.js';
import { formatJsonLine } from '../output.js';
import { cliBuckets } from '../rollup-reads.js';
import { renderTerminalChart } from '../terminal-chart.js';

/** Usage of the `readings` group. */
export const readingsUsage = `Usage: raspimon readings <tail|chart|stats> [flags]

  tail                      print the latest readings (and, with --follow, new ones)
  chart                     draw one key of one device over the last hours in the terminal
  stats                     count/min/max/avg per hour or day, from the rollups

Run raspimon readings <command> --help for its flags.

${globalFlagsHelp}`;

const tailUsage = `Usage: raspimon readings tail [-n <count>] [--device <id|name>] [--key <keyId>] [--follow] [--json]

Prints the latest readings, oldest first, with the device name and the key's unit.

  -n, --lines <count>       how many (default 10)
  --device <id|name>        only this device
  --key <keyId>             only this key
  -f, --follow              keep printing new readings until interrupted (Ctrl-C)
  --poll <seconds>          how often --follow asks the database (default 1)
  --json                    one JSON object per line: {"ts","id","device","keyId","value","raw","unit","text"} (value scaled, raw stored)

${globalFlagsHelp}`;

interface Labels {
  devices: Map<number, string>;
  /** Unit and decimals of each key, for formatValue. */
  keys: Map<number, ValueKey>;
}

/** One reading as printed. */
interface Row {
  ts: Date;
  id: number;
  device: string | undefined;
  keyId: number;
  /** As shown: stored ÷ 10^decimals. */
  value: number;
  /** The stored integer. */
  raw: number;
  unit: string | undefined;
  /** What a person reads, e.g. `21.5 °C`. */
  text: string;
}

function toRow(doc: Document, labels: Labels): Row {
  const id = Number(doc.id);
  const keyId = Number(doc.keyId);
  return {
    ts: doc.ts as Date,
    id,
    device: labels.devices.get(id),
    keyId,
    value: shownValue(Number(doc.value), labels.keys.get(keyId)),
    raw: Number(doc.value),
    unit: labels.keys.get(keyId)?.unit,
    text: formatValue(Number(doc.value), labels.keys.get(keyId)),
  };
}

/** `2026-11-25T01:02:03.000Z  3 boiler  key 1  21.5 °C`. */
function formatRow(row: Row): string {
  const ts = row.ts instanceof Date ? row.ts.toISOString() : String(row.ts);
  const device = `${row.id}${row.device === undefined ? '' : ` ${row.device}`}`;
  return `${ts}  ${device.padEnd(16)}  key ${String(row.keyId).padEnd(4)} ${row.text.padStart(14)}\n`;
}

function printRows(context: CommandContext, rows: readonly Row[]): void {
  const json = context.values.flag('json');
  context.print(
    rows
      .map((r) =>
        json ? formatJsonLine({ ...r, ts: r.ts instanceof Date ? r.ts.toISOString() : r.ts }) : formatRow(r),
      )
      .join(''),
  );
}

async function labelsOf(context: CommandContext): Promise<Labels> {
  const db = await context.db();
  const [devices, keys] = await databaseOperation('read the configuration', () =>
    Promise.all([
      db
        .collection('devices')
        .find({}, { projection: { _id: 0, id: 1, name: 1 } })
        .toArray(),
      db
        .collection('keys')
        .find({}, { projection: { _id: 0, keyId: 1, unit: 1, decimals: 1 } })
        .toArray(),
    ]),
  );
  return {
    devices: new Map(devices.map((d) => [Number(d.id), String(d.name)])),
    keys: new Map(
      keys.map((k) => [
        Number(k.keyId),
        { unit: String(k.unit), decimals: typeof k.decimals === 'number' ? k.decimals : 0 },
      ]),
    ),
  };
}

function resolveDevice(which: string, labels: Labels, namespace: string): number {
  if (/^\d+$/.test(which)) return Number(which);
  for (const [id, name] of labels.devices) if (name === which) return id;
  throw new CliNotFoundError(
    `no device named ${JSON.stringify(which)} in ${namespace}; see raspimon devices list`,
  );
}

/** Follows new readings: those after the newest printed one (same-ts ones by _id). */
async function follow(
  context: CommandContext,
  readings: Collection,
  filter: Document,
  labels: Labels,
  last: Document | undefined,
  pollSeconds: number,
): Promise<void> {
  const signal = context.io.signal;
  let since: Date = (last?.ts as Date | undefined) ?? new Date(0);
  let seen = new Set<string>(last ? [String(last._id)] : []);
  while (!signal?.aborted) {
    try {
      await sleep(pollSeconds * 1000, undefined, { signal });
    } catch {
      return; // aborted: Ctrl-C ends --follow normally
    }
    const docs = await databaseOperation('read the readings', () =>
      readings
        .find({ ...filter, ts: { $gte: since } })
        .sort({ ts: 1, _id: 1 })
        .toArray(),
    );
    const fresh = docs.filter((d) => !seen.has(String(d._id)));
    if (fresh.length === 0) continue;
    printRows(
      context,
      fresh.map((d) => toRow(d, labels)),
    );
    const newest = fresh[fresh.length - 1]!.ts as Date;
    if (newest.getTime() !== since.getTime()) seen = new Set();
    since = newest;
    for (const d of docs) if ((d.ts as Date).getTime() === since.getTime()) seen.add(String(d._id));
  }
}

const tail: Command = {
  words: ['readings', 'tail'],
  summary: 'print the latest readings; --follow for new ones',
  usage: tailUsage,
  flags: {
    lines: { type: 'string', short: 'n' },
    device: { type: 'string' },
    key: { type: 'string' },
    follow: { type: 'boolean', short: 'f' },
    poll: { type: 'string' },
    ...sharedFlags.json,
  },
  async run(context) {
    const { values } = context;
    const count = values.integer('lines') ?? 10;
    if (count < 0) throw new CliUsageError(`-n must be 0 or more, got ${count}`, context.usage);
    const pollSeconds = values.number('poll') ?? 1;
    if (pollSeconds <= 0)
      throw new CliUsageError(
        `--poll must be a positive number of seconds, got ${pollSeconds}`,
        context.usage,
      );
    const keyId = values.integer('key');
    const labels = await labelsOf(context);
    const filter: Document = {};
    const device = values.string('device');
    if (device !== undefined) filter.id = resolveDevice(device, labels, context.namespace());
    if (keyId !== undefined) filter.keyId = keyId;
    const readings = (await context.db()).collection('readings');
    const latest =
      count === 0
        ? []
        : await databaseOperation('read the readings', () =>
            readings.find(filter).sort({ ts: -1, _id: -1 }).limit(count).toArray(),
          );
    latest.reverse();
    printRows(
      context,
      latest.map((d) => toRow(d, labels)),
    );
    if (values.flag('follow')) {
      const newest =
        latest[latest.length - 1] ??
        (await databaseOperation('read the readings', () =>
          readings.find(filter).sort({ ts: -1, _id: -1 }).limit(1).next(),
        )) ??
        undefined;
      await follow(context, readings, filter, labels, newest, pollSeconds);
    }
  },
};

const chartUsage = `Usage: raspimon readings chart --device <id|name> --key <keyId> [--hours <h>] [--width <columns>] [--height <rows>]

Draws the mean of each time slice as bars: rollups for slices of whole hours, raw
readings otherwise.

  --device <id|name>        the device (required)
  --key <keyId>             the key (required)
  --hours <h>               how far back from now (default 24)
  --width <columns>         slices across (default 60)
  --height <rows>           rows of the chart (default 8)

${globalFlagsHelp}`;

const statsUsage = `Usage: raspimon readings stats --device <id|name> --key <keyId> [--hours <h> | --from <t> --to <t>] [--daily] [--json]

Count, min, max and average per hour (or day): from readings_hourly/readings_daily up to
the newest written bucket, from the raw readings after it.

  --device <id|name>        the device (required)
  --key <keyId>             the key (required)
  --hours <h>               the last h hours, the current one included (default 24)
  --from <t>, --to <t>      a range instead: ISO 8601 or epoch seconds, whole hours
  --daily                   one row per UTC day
  --json                    one JSON object per line: {"start","count","min","max","avg"}

${globalFlagsHelp}`;

/** Epoch ms of an ISO 8601 time or epoch seconds given to `--<flag>`. */
export function parseTimeFlag(text: string, flag: string, usage: string): number {
  const ms = /^\d+(\.\d+)?$/.test(text) ? Number(text) * 1000 : Date.parse(text);
  if (!Number.isFinite(ms))
    throw new CliUsageError(
      `--${flag} must be an ISO 8601 time (2026-11-25T08:00Z) or epoch seconds, got ${JSON.stringify(text)}`,
      usage,
    );
  return ms;
}

async function target(context: CommandContext): Promise<{ id: number; keyId: number; labels: Labels }> {
  const device = context.values.string('device');
  const keyId = context.values.integer('key');
  if (device === undefined || keyId === undefined)
    throw new CliUsageError('--device and --key are required', context.usage);
  const labels = await labelsOf(context);
  return { id: resolveDevice(device, labels, context.namespace()), keyId, labels };
}

function positive(context: CommandContext, flag: string, fallback: number): number {
  const value = context.values.number(flag) ?? fallback;
  if (!(value > 0))
    throw new CliUsageError(`--${flag} must be a positive number, got ${value}`, context.usage);
  return value;
}

const chart: Command = {
  words: ['readings', 'chart'],
  summary: 'draw one key of one device in the terminal',
  usage: chartUsage,
  flags: {
    device: { type: 'string' },
    key: { type: 'string' },
    hours: { type: 'string' },
    width: { type: 'string' },
    height: { type: 'string' },
  },
  async run(context) {
    const hours = positive(context, 'hours', 24);
    const width = Math.round(positive(context, 'width', 60));
    const height = Math.round(positive(context, 'height', 8));
    const { id, keyId, labels } = await target(context);
    const bucketSeconds = Math.max(1, Math.round((hours * 3600) / width));
    const now = Date.now();
    const toMs = Math.ceil(now / (bucketSeconds * 1000)) * bucketSeconds * 1000;
    const fromMs = toMs - width * bucketSeconds * 1000;
    const { buckets } = await cliBuckets(await context.db(), { id, keyId, fromMs, toMs, bucketSeconds });
    const byStart = new Map(buckets.map((b) => [b.start.getTime(), b.avg]));
    const columns = Array.from({ length: width }, (_, i) => byStart.get(fromMs + i * bucketSeconds * 1000));
    const name = labels.devices.get(id);
    context.print(
      `${id}${name === undefined ? '' : ` ${name}`}, key ${keyId}: mean per ${bucketSeconds >= 3600 ? `${+(bucketSeconds / 3600).toFixed(2)} h` : `${bucketSeconds} s`}\n`,
    );
    context.print(
      renderTerminalChart(columns, {
        height,
        unit: labels.keys.get(keyId)?.unit ?? '',
        format: (v) => formatValue(v, labels.keys.get(keyId)),
        from: new Date(fromMs),
        to: new Date(toMs),
      }),
    );
  },
};

const stats: Command = {
  words: ['readings', 'stats'],
  summary: 'count/min/max/avg per hour or day, from the rollups',
  usage: statsUsage,
  flags: {
    device: { type: 'string' },
    key: { type: 'string' },
    hours: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    daily: { type: 'boolean' },
    ...sharedFlags.json,
  },
  async run(context) {
    const { values } = context;
    const daily = values.flag('daily');
    const size = daily ? 86_400_000 : 3_600_000;
    const fromText = values.string('from');
    const toText = values.string('to');
    let fromMs: number;
    let toMs: number;
    if (fromText !== undefined || toText !== undefined) {
      if (fromText === undefined || toText === undefined)
        throw new CliUsageError('--from and --to go together', context.usage);
      fromMs = Math.floor(parseTimeFlag(fromText, 'from', context.usage) / size) * size;
      toMs = Math.ceil(parseTimeFlag(toText, 'to', context.usage) / size) * size;
    } else {
      toMs = Math.ceil(Date.now() / size) * size;
      fromMs = toMs - Math.ceil((positive(context, 'hours', daily ? 24 * 7 : 24) * 3_600_000) / size) * size;
    }
    const { id, keyId, labels } = await target(context);
    const { buckets } = await cliBuckets(await context.db(), {
      id,
      keyId,
      fromMs,
      toMs,
      bucketSeconds: size / 1000,
    });
    const key = labels.keys.get(keyId);
    const unit = key?.unit ?? '';
    if (values.flag('json')) {
      context.print(
        buckets
          .map((b) =>
            formatJsonLine({
              start: b.start.toISOString(),
              count: b.count,
              min: shownValue(b.min, key),
              max: shownValue(b.max, key),
              avg: shownValue(b.avg, key),
            }),
          )
          .join(''),
      );
      return;
    }
    const rows = buckets.map(
      (b) =>
        `${b.start.toISOString()}  ${String(b.count).padStart(8)}  ${formatNumber(b.min, key).padStart(12)}  ${formatNumber(b.max, key).padStart(12)}  ${formatNumber(b.avg, key).padStart(14)}${unit ? ` ${unit}` : ''}\n`,
    );
    context.print(
      `${'start'.padEnd(24)}  ${'count'.padStart(8)}  ${'min'.padStart(12)}  ${'max'.padStart(12)}  ${'avg'.padStart(14)}\n`,
    );
    context.print(rows.join(''));
  },
};

/** The `readings` commands. */
export const readingsCommands: readonly Command[] = [tail, chart, stats];
