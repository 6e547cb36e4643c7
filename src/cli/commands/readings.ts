// `raspimon readings tail`: the latest readings, optionally following new ones.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Collection, Document } from 'mongodb';
import { expectPositionals } from '../args.js';
import { globalFlagsHelp, sharedFlags, type Command, type CommandContext } from '../command.js';
import { databaseOperation } from '../database.js';
import { CliUsageError, CliNotFoundError } from '../errors.js';
import { formatJsonLine } from '../output.js';

/** Usage of the `readings` group. */
export const readingsUsage = `Usage: raspimon readings tail [flags]

  tail                      print the latest readings (and, with --follow, new ones)

Run raspimon readings tail --help for its flags.

${globalFlagsHelp}`;

const tailUsage = `Usage: raspimon readings tail [-n <count>] [--device <id|name>] [--key <keyId>] [--follow] [--json]

Prints the latest readings, oldest first, with the device name and the key's unit.

  -n, --lines <count>       how many (default 10)
  --device <id|name>        only this device
  --key <keyId>             only this key
  -f, --follow              keep printing new readings until interrupted (Ctrl-C)
  --poll <seconds>          how often --follow asks the database (default 1)
  --json                    one JSON object per line: {"ts","id","device","keyId","value","unit"}

${globalFlagsHelp}`;

interface Labels {
  devices: Map<number, string>;
  units: Map<number, string>;
}

/** One reading as printed. */
interface Row {
  ts: Date;
  id: number;
  device: string | undefined;
  keyId: number;
  value: number;
  unit: string | undefined;
}

function toRow(doc: Document, labels: Labels): Row {
  const id = Number(doc.id);
  const keyId = Number(doc.keyId);
  return {
    ts: doc.ts as Date,
    id,
    device: labels.devices.get(id),
    keyId,
    value: Number(doc.value),
    unit: labels.units.get(keyId),
  };
}

/** `2026-11-25T01:02:03.000Z  3 boiler  key 1  21500 mC`. */
function formatRow(row: Row): string {
  const ts = row.ts instanceof Date ? row.ts.toISOString() : String(row.ts);
  const device = `${row.id}${row.device === undefined ? '' : ` ${row.device}`}`;
  return `${ts}  ${device.padEnd(16)}  key ${String(row.keyId).padEnd(4)} ${String(row.value).padStart(12)}${row.unit ? ` ${row.unit}` : ''}\n`;
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
        .find({}, { projection: { _id: 0, keyId: 1, unit: 1 } })
        .toArray(),
    ]),
  );
  return {
    devices: new Map(devices.map((d) => [Number(d.id), String(d.name)])),
    units: new Map(keys.map((k) => [Number(k.keyId), String(k.unit)])),
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
    expectPositionals(context.positionals, [], context.usage);
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

/** The `readings` commands. */
export const readingsCommands: readonly Command[] = [tail];
