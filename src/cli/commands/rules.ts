// `raspimon rules list|add|remove|set|test`: the `rules` collection without hand-written
// documents, validated exactly as the monitor validates it, and a dry run of one rule over
// the stored readings of the last day. (Over 400 lines: five subcommands of one collection,
// each a short declarative table, as devices.ts is split only where the logic grows.)
import type { Db, Document, ObjectId } from 'mongodb';
import { formatValue } from '../../monitor/status/format-value.js';
import { RuleEvaluator, validateConfig, type RuleEvent } from '../../tools/index.js';
import { ruleFields } from '../../monitor/rules/validate.js';
import { type DeviceSpec, type DriverDefinition, type MonitorLogger } from '../../monitor/index.js';
import { expectPositionals } from '../args.js';
import { commitChange, refuseIf } from '../change.js';
import { globalFlagsHelp, sharedFlags, type Command, type CommandContext } from '../command.js';
import { describeProblem } from '../config-change.js';
import { databaseOperation } from '../database.js';
import { CliNotFoundError, CliUsageError } from '../errors.js';
import { formatJson, formatTable } from '../output.js';

type Doc = Record<string, unknown>;
type Registry = ReadonlyMap<string, DriverDefinition>;

/** Usage of the `rules` group. */
export const rulesUsage = `Usage: raspimon rules <list|add|remove|set|test> [flags]

  list                      show the alert rules and whether the monitor accepts each
  add                       add a rule (validated as the monitor does)
  remove <id|name>          remove a rule
  set <id|name>             change fields of a rule
  test <id|name>            replay a rule over the stored readings of the last day

Run raspimon rules <command> --help for its flags.

${globalFlagsHelp}`;

const fieldsHelp = `  --key <keyId>             the key whose readings the rule watches
  --device <id>             only this device (default: every device producing the key)
  --above <n>               fire while the value is above n, as shown (21.5 on a 1-decimal key is stored as 215)
  --below <n>               fire while the value is below n
  --no-data <seconds>       fire when the key has had no reading this long
  --for <seconds>           the threshold must be crossed this long first (default 0)
  --hysteresis <n>          resolve only once back past the threshold by n (default 0)
  --level <level>           WARNING (default), ERROR or ALERT
  --repeat <seconds>        remind every this many seconds while firing
  --message <text>          shown in the mail beside the generated text`;

const listUsage = `Usage: raspimon rules list [--json] [--drivers <module>]

Shows every rule document; STATUS says what the monitor thinks of it ("ok",
"disabled", or the first problem that makes it skip the rule).

  --json                    print the documents as JSON, with their problems
  --drivers <module>        module exporting your custom drivers (see devices add)

${globalFlagsHelp}`;

const addUsage = `Usage: raspimon rules add --id <n> --name <name> --key <keyId> [flags]

Adds a rule. It is validated exactly as the monitor validates it: an unknown key or
device, no threshold nor --no-data, --below ≥ --above, a bad level or a negative
duration, or an id or name already taken are refused (exit status 1), nothing written.

  --id <n>                  rule id (integer, unique)
  --name <name>             unique name, shown in every mail
${fieldsHelp}
  --disabled                store it with enabled: false
  --dry-run                 validate only; write nothing
  --reload <pidfile>        then send SIGHUP to the monitor whose pid is in <pidfile>
  --drivers <module>        module exporting your custom drivers (see devices add)

Example (a freezer: key 7 in millidegrees):
  raspimon rules add --id 1 --name "freezer warm" --key 7 --device 3 \\
    --above=-10000 --for 300 --hysteresis 1000 --level ALERT --repeat 3600
  (a negative value needs the --flag=VALUE form)

${globalFlagsHelp}`;

const removeUsage = `Usage: raspimon rules remove <id|name> [--reload <pidfile>]

Removes one rule document. A monitor that applies it resolves the rule if it fires.

  --reload <pidfile>        then send SIGHUP to the monitor whose pid is in <pidfile>

${globalFlagsHelp}`;

const setUsage = `Usage: raspimon rules set <id|name> [flags]

Changes the given fields of a rule, validated as add does; the others stay.

  --name <name>             a new unique name
${fieldsHelp}
  --enabled | --disabled    evaluate the rule, or keep it without evaluating it
  --unset <field,…>         remove optional fields, e.g. --unset below,repeatSeconds
  --dry-run                 validate only; write nothing
  --reload <pidfile>        then send SIGHUP to the monitor whose pid is in <pidfile>
  --drivers <module>        module exporting your custom drivers (see devices add)

${globalFlagsHelp}`;

const testUsage = `Usage: raspimon rules test <id|name> [--hours <n>] [--drivers <module>]

Replays the rule over the stored readings of the last day (or --hours) exactly as the
monitor evaluates them, and prints when it would have fired, reminded and resolved.
Nothing is written and nothing is mailed.

  --hours <n>               how far back (default 24)
  --drivers <module>        module exporting your custom drivers (see devices add)

${globalFlagsHelp}`;

const fieldFlags = {
  key: { type: 'string' },
  device: { type: 'string' },
  above: { type: 'string' },
  below: { type: 'string' },
  'no-data': { type: 'string' },
  for: { type: 'string' },
  hysteresis: { type: 'string' },
  level: { type: 'string' },
  repeat: { type: 'string' },
  message: { type: 'string' },
} as const;

interface Config {
  devices: Doc[];
  keys: Doc[];
  rules: Doc[];
}

async function loadConfig(context: CommandContext): Promise<Config> {
  const db = await context.db();
  return databaseOperation('read the configuration', async () => {
    const read = (name: string, sort: Record<string, 1>): Promise<Doc[]> =>
      db
        .collection(name)
        .find({}, { projection: { _id: 0 } })
        .sort(sort)
        .toArray();
    const [devices, keys, rules] = await Promise.all([
      read('devices', { id: 1 }),
      read('keys', { keyId: 1 }),
      read('rules', { id: 1 }),
    ]);
    return { devices, keys, rules };
  });
}

/** `rule 1 "freezer warm"`. */
function ruleLabel(doc: Doc): string {
  return typeof doc.name === 'string'
    ? `rule ${String(doc.id)} ${JSON.stringify(doc.name)}`
    : `rule ${String(doc.id)}`;
}

/** The problems of one rule document among the others, as the monitor would report them. */
function ruleProblems(doc: Doc, config: Config, registry: Registry): string[] {
  const own = validateConfig(config.devices, config.keys, registry, [doc]).problems.filter(
    (p) => p.collection === 'rules',
  );
  const problems = own.map((p) => `${p.field} ${p.message}`);
  const sameId = config.rules.filter((r) => r !== doc && r.id === doc.id);
  if (sameId.length > 0) problems.push(`id ${String(doc.id)} is taken by ${ruleLabel(sameId[0]!)}`);
  const sameName = config.rules.filter((r) => r !== doc && r.name === doc.name);
  if (sameName.length > 0)
    problems.push(`name ${JSON.stringify(doc.name)} is taken by ${ruleLabel(sameName[0]!)}`);
  return problems;
}

/** `> 21.5 °C, for 300 s`: thresholds shown scaled with the key's unit when the key is known. */
function condition(doc: Doc, keys: readonly Doc[] = []): string {
  const parts: string[] = [];
  const key = keys.find((k) => k.keyId === doc.keyId);
  const valueKey =
    key && typeof key.unit === 'string'
      ? { unit: key.unit, decimals: typeof key.decimals === 'number' ? key.decimals : 0 }
      : undefined;
  const text = (value: unknown): string =>
    typeof value === 'number'
      ? valueKey && Number.isInteger(value)
        ? formatValue(value, valueKey)
        : String(value)
      : JSON.stringify(value);
  if (doc.above !== undefined) parts.push(`> ${text(doc.above)}`);
  if (doc.below !== undefined) parts.push(`< ${text(doc.below)}`);
  if (doc.noDataSeconds !== undefined) parts.push(`no data ${text(doc.noDataSeconds)} s`);
  if (typeof doc.forSeconds === 'number' && doc.forSeconds > 0) parts.push(`for ${doc.forSeconds} s`);
  return parts.join(', ') || '-';
}

const list: Command = {
  words: ['rules', 'list'],
  summary: 'show the alert rules and whether the monitor accepts each',
  usage: listUsage,
  flags: { ...sharedFlags.json, ...sharedFlags.drivers },
  async run(context) {
    expectPositionals(context.positionals, [], context.usage);
    const config = await loadConfig(context);
    const registry = await context.registry();
    const rows = config.rules.map((doc) => ({ doc, problems: ruleProblems(doc, config, registry) }));
    if (context.values.flag('json')) {
      context.print(formatJson(rows.map(({ doc, problems }) => ({ ...doc, problems }))));
      return;
    }
    context.print(
      formatTable(
        rows,
        [
          { header: 'ID', value: ({ doc }) => String(doc.id), right: true },
          { header: 'NAME', value: ({ doc }) => String(doc.name) },
          { header: 'KEY', value: ({ doc }) => String(doc.keyId), right: true },
          {
            header: 'DEVICE',
            value: ({ doc }) => (doc.deviceId === undefined ? 'all' : JSON.stringify(doc.deviceId)),
          },
          { header: 'CONDITION', value: ({ doc }) => condition(doc, config.keys) },
          { header: 'LEVEL', value: ({ doc }) => (typeof doc.level === 'string' ? doc.level : 'WARNING') },
          {
            header: 'STATUS',
            value: ({ doc, problems }) =>
              problems[0] !== undefined
                ? `invalid: ${problems[0]}`
                : doc.enabled === false
                  ? 'disabled'
                  : 'ok',
          },
        ],
        `no rules in ${context.namespace()}`,
      ),
    );
  },
};

/** The rule fields given as flags (absent flags are left out). */
function fieldsFromFlags(context: CommandContext): Doc {
  const { values } = context;
  const doc: Doc = {};
  const set = (field: string, value: unknown): void => {
    if (value !== undefined) doc[field] = value;
  };
  set('name', values.string('name'));
  set('keyId', values.integer('key'));
  set('deviceId', values.integer('device'));
  set('above', values.number('above'));
  set('below', values.number('below'));
  set('noDataSeconds', values.number('no-data'));
  set('forSeconds', values.number('for'));
  set('hysteresis', values.number('hysteresis'));
  set('level', values.string('level')?.toUpperCase());
  set('repeatSeconds', values.number('repeat'));
  set('message', values.string('message'));
  if (values.flag('disabled')) doc.enabled = false;
  if (values.flag('enabled')) doc.enabled = true;
  return doc;
}

/**
 * Converts the thresholds given in shown units (`--above 21.5`) to the key's stored units
 * (215 for 1 decimal), in place; returns what was converted, for the command's output.
 */
function storeThresholds(changes: Doc, doc: Doc, config: Config): string {
  const key = config.keys.find((k) => k.keyId === doc.keyId);
  const decimals = typeof key?.decimals === 'number' ? key.decimals : 0;
  if (decimals === 0) return '';
  const notes: string[] = [];
  for (const field of ['above', 'below', 'hysteresis']) {
    const value = changes[field];
    if (typeof value !== 'number') continue;
    const stored = Math.round(Number(`${value}e${decimals}`));
    changes[field] = stored;
    doc[field] = stored;
    notes.push(`${field} ${value} ${String(key!.unit)} stored as ${stored}`);
  }
  return notes.length > 0
    ? `; key ${String(doc.keyId)} keeps ${decimals} decimal(s): ${notes.join(', ')}`
    : '';
}

const add: Command = {
  words: ['rules', 'add'],
  summary: 'add an alert rule, validated as the monitor does',
  usage: addUsage,
  flags: {
    id: { type: 'string' },
    name: { type: 'string' },
    ...fieldFlags,
    disabled: { type: 'boolean' },
    'dry-run': { type: 'boolean' },
    ...sharedFlags.drivers,
    ...sharedFlags.reload,
  },
  async run(context) {
    expectPositionals(context.positionals, [], context.usage);
    const id = context.values.integer('id');
    if (id === undefined) throw new CliUsageError('missing --id', context.usage);
    context.values.required('name');
    if (context.values.integer('key') === undefined) throw new CliUsageError('missing --key', context.usage);
    const doc: Doc = { id, ...fieldsFromFlags(context) };
    const config = await loadConfig(context);
    const scaled = storeThresholds(doc, doc, config);
    const label = ruleLabel(doc);
    refuseIf(
      ruleProblems(doc, { ...config, rules: [...config.rules, doc] }, await context.registry()),
      `add ${label}`,
    );
    if (context.values.flag('dry-run')) {
      context.print(
        `${label} is valid (${condition(doc, config.keys)})${scaled}; --dry-run: nothing written\n`,
      );
      return;
    }
    const db = await context.db();
    await commitChange(context, async () => {
      await databaseOperation(`add ${label}`, () => db.collection('rules').insertOne({ ...doc }));
      return `added ${label} (key ${String(doc.keyId)}, ${condition(doc, config.keys)})${scaled}`;
    });
  },
};

async function findRule(context: CommandContext, db: Db, which: string): Promise<Document> {
  const rules = db.collection('rules');
  const filter = /^\d+$/.test(which) ? { id: Number(which) } : { name: which };
  const found = await databaseOperation('read the rules', () => rules.find(filter).toArray());
  if (found.length === 1) return found[0]!;
  const known = await databaseOperation('read the rules', () =>
    rules
      .find({}, { projection: { _id: 0, id: 1, name: 1 } })
      .sort({ id: 1 })
      .toArray(),
  );
  const names = known.map((r) => `${String(r.id)} ${JSON.stringify(r.name)}`).join(', ');
  if (found.length > 1)
    throw new CliNotFoundError(
      `${found.length} rules match ${JSON.stringify(which)} in ${context.namespace()}; fix the duplicates (raspimon rules list)`,
    );
  throw new CliNotFoundError(
    `no rule ${/^\d+$/.test(which) ? 'with id' : 'named'} ${JSON.stringify(which)} in ${context.namespace()}; ${known.length > 0 ? `rules: ${names}` : 'it has no rules'}`,
  );
}

const remove: Command = {
  words: ['rules', 'remove'],
  summary: 'remove an alert rule',
  usage: removeUsage,
  flags: { ...sharedFlags.reload },
  positionals: ['id|name'],
  async run(context) {
    expectPositionals(context.positionals, ['id|name'], context.usage);
    const db = await context.db();
    const rule = await findRule(context, db, context.positionals[0]!);
    const label = ruleLabel(rule);
    await commitChange(context, async () => {
      await databaseOperation(`remove ${label}`, () =>
        db.collection('rules').deleteOne({ _id: rule._id as ObjectId }),
      );
      return `removed ${label}`;
    });
  },
};

/** What `--unset` may remove: every rule field except the three a rule cannot do without. */
const optionalFields: readonly string[] = ruleFields.filter(
  (field) => field !== 'id' && field !== 'name' && field !== 'keyId',
);

const set: Command = {
  words: ['rules', 'set'],
  summary: 'change fields of an alert rule',
  usage: setUsage,
  flags: {
    name: { type: 'string' },
    ...fieldFlags,
    enabled: { type: 'boolean' },
    disabled: { type: 'boolean' },
    unset: { type: 'string' },
    'dry-run': { type: 'boolean' },
    ...sharedFlags.drivers,
    ...sharedFlags.reload,
  },
  positionals: ['id|name'],
  async run(context) {
    expectPositionals(context.positionals, ['id|name'], context.usage);
    if (context.values.flag('enabled') && context.values.flag('disabled'))
      throw new CliUsageError('give --enabled or --disabled, not both', context.usage);
    const unset = (context.values.string('unset') ?? '').split(',').filter((f) => f !== '');
    for (const field of unset)
      if (!optionalFields.includes(field))
        throw new CliUsageError(
          `--unset ${field}: only optional fields can be removed (${optionalFields.join(', ')})`,
          context.usage,
        );
    const changes = fieldsFromFlags(context);
    if (Object.keys(changes).length === 0 && unset.length === 0)
      throw new CliUsageError('nothing to change: give the fields to set (or --unset)', context.usage);
    const db = await context.db();
    const rule = await findRule(context, db, context.positionals[0]!);
    const { _id, ...current } = rule as { _id: ObjectId } & Doc;
    const next: Doc = { ...current, ...changes };
    for (const field of unset) delete next[field];
    const config = await loadConfig(context);
    const scaled = storeThresholds(changes, next, config);
    const others = config.rules.filter((r) => r.id !== current.id || r.name !== current.name);
    const label = ruleLabel(current);
    refuseIf(
      ruleProblems(next, { ...config, rules: [...others, next] }, await context.registry()),
      `change ${label}`,
    );
    if (context.values.flag('dry-run')) {
      context.print(
        `${ruleLabel(next)} would be valid (${condition(next, config.keys)}); --dry-run: nothing written\n`,
      );
      return;
    }
    await commitChange(context, async () => {
      await databaseOperation(`change ${label}`, () =>
        db.collection('rules').updateOne(
          { _id },
          {
            $set: changes,
            ...(unset.length > 0 ? { $unset: Object.fromEntries(unset.map((f) => [f, ''])) } : {}),
          },
        ),
      );
      return `changed ${ruleLabel(next)} (${condition(next, config.keys)})${scaled}`;
    });
  },
};

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

const test: Command = {
  words: ['rules', 'test'],
  summary: 'replay a rule over the last day of readings: when would it have fired',
  usage: testUsage,
  flags: { hours: { type: 'string' }, ...sharedFlags.drivers },
  positionals: ['id|name'],
  async run(context) {
    expectPositionals(context.positionals, ['id|name'], context.usage);
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

/** The `rules` commands. */
export const ruleCommands: readonly Command[] = [list, add, remove, set, test];
