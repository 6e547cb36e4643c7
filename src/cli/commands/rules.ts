// `raspimon rules list|add|remove|set|test`: the `rules` collection without hand-written
// documents, validated exactly as the monitor validates it, and a dry run of one rule over
// the stored readings of the last day. This file holds the group's table, `list` and
// `remove`; `add` and `set` are in rules-change.ts, `test` in rules-test.ts.
import type { ObjectId } from 'mongodb';
import { commitChange } from '../change.js';
import { globalFlagsHelp, sharedFlags, type Command } from '../command.js';
import { databaseOperation } from '../database.js';
import { formatJson, formatTable } from '../output.js';
import { condition, findRule, loadConfig, ruleChecker, ruleLabel } from './rule-docs.js';
import { addCommand, setCommand } from './rules-change.js';
import { testCommand } from './rules-test.js';

/** Usage of the `rules` group. */
export const rulesUsage = `Usage: raspimon rules <list|add|remove|set|test> [flags]

  list                      show the alert rules and whether the monitor accepts each
  add                       add a rule (validated as the monitor does)
  remove <id|name>          remove a rule
  set <id|name>             change fields of a rule
  test <id|name>            replay a rule over the stored readings of the last day

Run raspimon rules <command> --help for its flags.

${globalFlagsHelp}`;

const listUsage = `Usage: raspimon rules list [--json] [--drivers <module>]

Shows every rule document; STATUS says what the monitor thinks of it ("ok",
"disabled", or the first problem that makes it skip the rule).

  --json                    print the documents as JSON, with their problems
  --drivers <module>        module exporting your custom drivers (see devices add)

${globalFlagsHelp}`;

const removeUsage = `Usage: raspimon rules remove <id|name> [--reload <pidfile>]

Removes one rule document. A monitor that applies it resolves the rule if it fires.

  --reload <pidfile>        then send SIGHUP to the monitor whose pid is in <pidfile>

${globalFlagsHelp}`;

const list: Command = {
  words: ['rules', 'list'],
  summary: 'show the alert rules and whether the monitor accepts each',
  usage: listUsage,
  flags: { ...sharedFlags.json, ...sharedFlags.drivers },
  async run(context) {
    const config = await loadConfig(context);
    const registry = await context.registry();
    const check = ruleChecker(config, registry);
    const rows = config.rules.map((doc) => ({ doc, problems: check(doc) }));
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

const remove: Command = {
  words: ['rules', 'remove'],
  summary: 'remove an alert rule',
  usage: removeUsage,
  flags: { ...sharedFlags.reload },
  positionals: ['id|name'],
  async run(context) {
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

/** The `rules` commands. */
export const ruleCommands: readonly Command[] = [list, addCommand, remove, setCommand, testCommand];
