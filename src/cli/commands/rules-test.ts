// `raspimon rules test <id|name>`: a dry run of one rule over the stored readings of the last
// day, through the monitor's own evaluator; nothing is written and nothing is mailed.
import type { Document, ObjectId } from 'mongodb';
import { RuleEvaluator, validateConfig, type RuleEvent } from '../../tools/index.js';
import type { DeviceSpec, MonitorLogger } from '../../monitor/index.js';
import { refuseIf } from '../change.js';
import { globalFlagsHelp, sharedFlags, type Command } from '../command.js';
import { describeProblem } from '../config-change.js';
import { databaseOperation } from '../database.js';
import { CliUsageError } from '../errors.js';
import { findRule, loadConfig, ruleLabel } from './rule-docs.js';

type Doc = Record<string, unknown>;

const testUsage = `Usage: raspimon rules test <id|name> [--hours <n>] [--drivers <module>]

Replays the rule over the stored readings of the last day (or --hours) exactly as the
monitor evaluates them, and prints when it would have fired, reminded and resolved.
Nothing is written and nothing is mailed.

  --hours <n>               how far back (default 24)
  --drivers <module>        module exporting your custom drivers (see devices add)

${globalFlagsHelp}`;

const silent: MonitorLogger = {
  debug: () => undefined,
  info: () => undefined,
  warning: () => undefined,
  error: () => undefined,
  alert: () => undefined,
};

/**
 * Replays `readings` (oldest first, `{ id, keyId, value, ts }`) through a rule evaluator
 * from `fromMs` to `toMs`: the transitions the monitor would have logged. Pure.
 */
function replay(
  rule: ReturnType<typeof validateConfig>['rules'][number],
  devices: readonly DeviceSpec[],
  keys: ReturnType<typeof validateConfig>['keys'],
  readings: readonly Document[],
  fromMs: number,
  toMs: number,
): RuleEvent[] {
  let now = fromMs;
  const events: RuleEvent[] = [];
  const evaluator = new RuleEvaluator({ logger: silent, now: () => now, onEvent: (e) => events.push(e) });
  evaluator.setConfig([{ ...rule, enabled: true }], devices, keys);
  for (const doc of readings) {
    const ts = (doc.ts as Date).getTime();
    now = ts;
    evaluator.check();
    evaluator.onReading(Number(doc.id), Number(doc.keyId), Number(doc.value), ts);
  }
  now = toMs;
  evaluator.check();
  return events;
}

/** `raspimon rules test <id|name>`. */
export const testCommand: Command = {
  words: ['rules', 'test'],
  summary: 'replay a rule over the last day of readings: when would it have fired',
  usage: testUsage,
  flags: { hours: { type: 'string' }, ...sharedFlags.drivers },
  positionals: ['id|name'],
  async run(context) {
    const hours = context.values.number('hours') ?? 24;
    if (hours <= 0) throw new CliUsageError(`--hours must be a positive number, got ${hours}`, context.usage);
    const db = await context.db();
    const found = (await findRule(context, db, context.positionals[0]!)) as { _id: ObjectId } & Doc;
    const { _id, ...doc } = found;
    const config = await loadConfig(context);
    const validated = validateConfig(config.devices, config.keys, await context.registry(), [doc]);
    const rule = validated.rules[0];
    refuseIf(
      validated.problems.filter((p) => p.collection === 'rules').map(describeProblem),
      `test ${ruleLabel(doc)}`,
      'the monitor would skip this rule',
    );
    const toMs = (context.io.now ?? Date.now)();
    const fromMs = toMs - hours * 3_600_000;
    const filter: Document = { keyId: rule!.keyId, ts: { $gte: new Date(fromMs), $lte: new Date(toMs) } };
    if (rule!.deviceId !== undefined) filter.id = rule!.deviceId;
    const readings = await databaseOperation('read the readings', () =>
      db
        .collection('readings')
        .find(filter, { projection: { _id: 0 } })
        .sort({ ts: 1 })
        .toArray(),
    );
    const events = replay(rule!, validated.devices, validated.keys, readings, fromMs, toMs);
    for (const e of events) context.print(`${new Date(e.atMs).toISOString()}  ${e.text}\n`);
    const fires = events.filter((e) => e.kind === 'firing').length;
    const deviceCount = new Set(readings.map((r) => Number(r.id))).size;
    context.print(
      `${ruleLabel(doc)}${rule!.enabled ? '' : ' (disabled)'} ${fires > 0 ? `would have fired ${fires} time(s)` : 'would not have fired'} in the last ${hours} h (${readings.length} reading(s) of key ${rule!.keyId} from ${deviceCount} device(s))\n`,
    );
  },
};
