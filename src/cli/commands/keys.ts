// `raspimon keys list|add|remove`: the `keys` collection (what each keyId measures).
import { expectPositionals } from '../args.js';
import { commitChange, refuseIf } from '../change.js';
import { globalFlagsHelp, sharedFlags, type Command, type CommandContext } from '../command.js';
import { problemsOfKeyRemoval, problemsOfNewKey } from '../config-change.js';
import { databaseOperation } from '../database.js';
import { CliUsageError, CliNotFoundError } from '../errors.js';
import { formatJson, formatTable } from '../output.js';

type Doc = Record<string, unknown>;

/** Usage of the `keys` group. */
export const keysUsage = `Usage: raspimon keys <list|add|remove> [flags]

  list                      show the keys (kinds of datum) and their units
  add                       add a key
  remove <keyId>            remove a key no device uses

Run raspimon keys <command> --help for its flags.

${globalFlagsHelp}`;

const listUsage = `Usage: raspimon keys list [--json]

  --json                    print the documents as JSON

${globalFlagsHelp}`;

const addUsage = `Usage: raspimon keys add --key <keyId> --unit <unit> [--description <text>]

Adds a key: what the readings with this keyId measure. Refused (exit status 1, nothing
written) when the keyId is taken or a field is invalid.

  --key <keyId>             integer, unique; drivers' configs refer to it
  --unit <unit>             e.g. mC (millidegrees Celsius), %, Pa
  --description <text>      free text
  --reload <pidfile>        then send SIGHUP to the monitor whose pid is in <pidfile>

Example:
  raspimon keys add --key 1 --unit mC --description "boiler water temperature"

${globalFlagsHelp}`;

const removeUsage = `Usage: raspimon keys remove <keyId> [--reload <pidfile>] [--drivers <module>]

Removes a key. Refused (exit status 1, nothing written) while a device's config refers
to it: remove or change those devices first. Readings with this keyId stay.

  --reload <pidfile>        then send SIGHUP to the monitor whose pid is in <pidfile>
  --drivers <module>        module exporting your custom drivers (see devices add)

${globalFlagsHelp}`;

async function loadKeys(context: CommandContext, existing = false): Promise<Doc[]> {
  // Listing needs a configured namespace (a typo has none); adding may create one.
  const db = existing ? await context.configurationDb(['devices', 'keys']) : await context.db();
  return databaseOperation('read the keys', () =>
    db
      .collection('keys')
      .find({}, { projection: { _id: 0 } })
      .sort({ keyId: 1 })
      .toArray(),
  );
}

const list: Command = {
  words: ['keys', 'list'],
  summary: 'show the keys and their units',
  usage: listUsage,
  flags: { ...sharedFlags.json },
  async run(context) {
    expectPositionals(context.positionals, [], context.usage);
    const keys = await loadKeys(context, true);
    if (context.values.flag('json')) {
      context.print(formatJson(keys));
      return;
    }
    context.print(
      formatTable(
        keys,
        [
          { header: 'KEY', value: (k) => String(k.keyId), right: true },
          { header: 'UNIT', value: (k) => String(k.unit) },
          { header: 'DESCRIPTION', value: (k) => (typeof k.description === 'string' ? k.description : '') },
        ],
        `no keys in ${context.namespace()}`,
      ),
    );
  },
};

const add: Command = {
  words: ['keys', 'add'],
  summary: 'add a key (keyId, unit, description)',
  usage: addUsage,
  flags: {
    key: { type: 'string' },
    unit: { type: 'string' },
    description: { type: 'string' },
    ...sharedFlags.reload,
  },
  async run(context) {
    expectPositionals(context.positionals, [], context.usage);
    const keyId = context.values.integer('key');
    if (keyId === undefined) throw new CliUsageError('missing --key', context.usage);
    const doc: Doc = { keyId, unit: context.values.required('unit') };
    const description = context.values.string('description');
    if (description !== undefined) doc.description = description;
    refuseIf(
      problemsOfNewKey(doc, await loadKeys(context), await context.registry()),
      `add key ${keyId}`,
      'the monitor would skip it',
    );
    const db = await context.db();
    await commitChange(context, async () => {
      await databaseOperation(`add key ${keyId}`, () => db.collection('keys').insertOne({ ...doc }));
      return `added key ${keyId} (${String(doc.unit)})`;
    });
  },
};

const remove: Command = {
  words: ['keys', 'remove'],
  summary: 'remove a key no device uses',
  usage: removeUsage,
  flags: { ...sharedFlags.reload, ...sharedFlags.drivers },
  positionals: ['keyId'],
  async run(context) {
    expectPositionals(context.positionals, ['keyId'], context.usage);
    const text = context.positionals[0]!;
    const keyId = Number(text);
    if (!/^\d+$/.test(text) || !Number.isSafeInteger(keyId))
      throw new CliUsageError(
        `<keyId> must be a non-negative integer, got ${JSON.stringify(text)}`,
        context.usage,
      );
    const db = await context.db();
    const keys = await loadKeys(context);
    if (!keys.some((k) => k.keyId === keyId)) {
      throw new CliNotFoundError(
        `no key ${keyId} in ${context.namespace()}; keys: ${keys.map((k) => String(k.keyId)).join(', ') || 'none'}`,
      );
    }
    const devices = await databaseOperation('read the devices', () =>
      db
        .collection('devices')
        .find({}, { projection: { _id: 0 } })
        .toArray(),
    );
    refuseIf(
      problemsOfKeyRemoval(keyId, devices, keys, await context.registry()),
      `remove key ${keyId}`,
      'devices still refer to it (remove or change them first)',
    );
    await commitChange(context, async () => {
      await databaseOperation(`remove key ${keyId}`, () => db.collection('keys').deleteMany({ keyId }));
      return `removed key ${keyId}; readings with this keyId stay in the readings collection`;
    });
  },
};

/** The `keys` commands. */
export const keyCommands: readonly Command[] = [list, add, remove];
