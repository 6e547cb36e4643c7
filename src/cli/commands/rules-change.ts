// `raspimon rules add|set`: a rule document built from flags, with thresholds given as shown
// converted to the key's stored units, validated exactly as the monitor validates it.
import type { ObjectId } from 'mongodb';
import { ruleFields } from '../../monitor/rules/validate.js';
import { commitChange, refuseIf } from '../change.js';
import { documentWriteFlags, globalFlagsHelp, type Command, type CommandContext } from '../command.js';
import { databaseOperation } from '../database.js';
import { CliUsageError } from '../errors.js';
import { condition, findRule, loadConfig, ruleLabel, ruleProblems, type RulesConfig } from './rule-docs.js';

type Doc = Record<string, unknown>;

const fieldsHelp = `  --key <keyId>             the key whose readings the rule watches
  --device <id>             only this device (default: every device producing the key)
  --above <n>               fire while the value is above n, as shown (21.5 on a 1-decimal key is stored as 215)
  --below <n>               fire while the value is below n
  --no-data <seconds>       fire when the key has had no reading this long (1 s to 366 days)
  --for <seconds>           the threshold must be crossed this long first (default 0;
                            at most 366 days)
  --hysteresis <n>          resolve only once back past the threshold by n (default 0)
  --level <level>           WARNING (default), ERROR or ALERT
  --repeat <seconds>        remind every this many seconds while firing (60 s to 366 days)
  --message <text>          shown in the mail beside the generated text`;

const addUsage = `Usage: raspimon rules add --id <n> --name <name> --key <keyId> [flags]

Adds a rule. It is validated exactly as the monitor validates it: an unknown key or
device, no threshold nor --no-data, --below ≥ --above, a bad level, a duration out
of range, or an id or name already taken are refused (exit status 1), nothing written.

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

/** Each rule field `add` and `set` take, with its flag, in the order a document stores them. */
const fieldTable = {
  name: ['name', 'string'],
  keyId: ['key', 'integer'],
  deviceId: ['device', 'integer'],
  above: ['above', 'number'],
  below: ['below', 'number'],
  noDataSeconds: ['no-data', 'number'],
  forSeconds: ['for', 'number'],
  hysteresis: ['hysteresis', 'number'],
  level: ['level', 'string'],
  repeatSeconds: ['repeat', 'number'],
  message: ['message', 'string'],
} as const;

/** The flags of the fields (every one a string flag the table reads). */
const fieldFlags = Object.fromEntries(
  Object.values(fieldTable).map(([flag]) => [flag, { type: 'string' } as const]),
);

/** The rule fields given as flags (absent flags are left out). */
function fieldsFromFlags(context: CommandContext): Doc {
  const { values } = context;
  const doc: Doc = values.fields(fieldTable);
  if (typeof doc.level === 'string') doc.level = doc.level.toUpperCase();
  if (values.flag('disabled')) doc.enabled = false;
  if (values.flag('enabled')) doc.enabled = true;
  return doc;
}

/**
 * Converts the thresholds given in shown units (`--above 21.5`) to the key's stored units
 * (215 for 1 decimal), in place; returns what was converted, for the command's output.
 */
function storeThresholds(changes: Doc, doc: Doc, config: RulesConfig): string {
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

/** `raspimon rules add`. */
export const addCommand: Command = {
  words: ['rules', 'add'],
  summary: 'add an alert rule, validated as the monitor does',
  usage: addUsage,
  flags: documentWriteFlags({ id: { type: 'string' }, ...fieldFlags }, 'add'),
  async run(context) {
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

/** What `--unset` may remove: every rule field except the three a rule cannot do without. */
const optionalFields: readonly string[] = ruleFields.filter(
  (field) => field !== 'id' && field !== 'name' && field !== 'keyId',
);

/** The fields `--unset` names; a usage error for one a rule cannot do without. */
function unsetFields(context: CommandContext): string[] {
  const unset = (context.values.string('unset') ?? '').split(',').filter((f) => f !== '');
  for (const field of unset)
    if (!optionalFields.includes(field))
      throw new CliUsageError(
        `--unset ${field}: only optional fields can be removed (${optionalFields.join(', ')})`,
        context.usage,
      );
  return unset;
}

/** `raspimon rules set <id|name>`. */
export const setCommand: Command = {
  words: ['rules', 'set'],
  summary: 'change fields of an alert rule',
  usage: setUsage,
  flags: documentWriteFlags({ ...fieldFlags, unset: { type: 'string' } }, 'set'),
  positionals: ['id|name'],
  async run(context) {
    if (context.values.flag('enabled') && context.values.flag('disabled'))
      throw new CliUsageError('give --enabled or --disabled, not both', context.usage);
    const unset = unsetFields(context);
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
