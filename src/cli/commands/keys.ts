// `raspimon keys list|add|set|remove`: the `keys` collection (what each keyId measures).
import { commitChange, refuseIf } from '../change.js';
import { globalFlagsHelp, sharedFlags, type Command, type CommandContext } from '../command.js';
import { problemsOfKeyRemoval, problemsOfNewKey } from '../config-change.js';
import { databaseOperation } from '../database.js';
import { CliUsageError, CliNotFoundError } from '../errors.js';
import { firstUnfit, rescaleKey } from '../key-rescale.js';
import { formatJson, formatTable } from '../output.js';

type Doc = Record<string, unknown>;

/** Usage of the `keys` group. */
export const keysUsage = `Usage: raspimon keys <list|add|set|remove> [flags]

  list                      show the keys (kinds of datum), their units and decimals
  add                       add a key
  set <keyId>               change a key's unit, description or decimals
  remove <keyId>            remove a key no device uses

Run raspimon keys <command> --help for its flags.

${globalFlagsHelp}`;

const listUsage = `Usage: raspimon keys list [--json]

  --json                    print the documents as JSON

${globalFlagsHelp}`;

const addUsage = `Usage: raspimon keys add --key <keyId> --unit <unit> [--description <text>] [--decimals <n>]

Adds a key: what the readings with this keyId measure. Refused (exit status 1, nothing
written) when the keyId is taken or a field is invalid.

  --key <keyId>             integer, unique; drivers' configs refer to it
  --unit <unit>             the unit values are shown in, e.g. °C, %, hPa
  --description <text>      free text
  --decimals <n>            0..9 (default 0): stored = round(reading × 10^n), shown = stored ÷ 10^n
  --reload <pidfile>        then send SIGHUP to the monitor whose pid is in <pidfile>

Example:
  raspimon keys add --key 1 --unit °C --decimals 1 --description "boiler water temperature"

${globalFlagsHelp}`;

const setUsage = `Usage: raspimon keys set <keyId> [--unit <unit>] [--description <text>] [--decimals <n>] [--rescale]

Changes a key, validated as keys add. Changing --decimals of a key that has readings is
refused (exit status 1, nothing written) unless --rescale is given: then every stored
reading and rollup of the key is rewritten in batches (value × 10^(new − old)), with
progress on stderr, so the history keeps its meaning. Stop the monitor during a rescale
(or add a new key instead), and reload it after.

  --unit <unit>             the unit values are shown in, e.g. °C
  --description <text>      free text
  --decimals <n>            0..9: stored = round(reading × 10^n)
  --rescale                 rewrite the stored history for the new decimals
  --batch <n>               readings per batch of the rescale (default 1000)
  --reload <pidfile>        then send SIGHUP to the monitor whose pid is in <pidfile>

Example:
  raspimon keys set 1 --unit °C --decimals 1 --rescale

${globalFlagsHelp}`;

const removeUsage = `Usage: raspimon keys remove <keyId> [--reload <pidfile>] [--drivers <module>]

Removes a key. Refused (exit status 1, nothing written) while a device's config refers
to it: remove or change those devices first. Readings with this keyId stay.

  --reload <pidfile>        then send SIGHUP to the monitor whose pid is in <pidfile>
  --drivers <module>        module exporting your custom drivers (see devices add)

${globalFlagsHelp}`;

/** The flags of the key fields `keys add` and `keys set` both take. */
const keyFieldFlags = {
  unit: { type: 'string' },
  description: { type: 'string' },
  decimals: { type: 'string' },
} as const;

/** Those fields, each with its flag, as `FlagValues.fields` reads them. */
const keyFields = {
  unit: ['unit', 'string'],
  description: ['description', 'string'],
  decimals: ['decimals', 'integer'],
} as const;

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
          {
            header: 'DECIMALS',
            value: (k) => (typeof k.decimals === 'number' ? String(k.decimals) : '0'),
            right: true,
          },
          { header: 'DESCRIPTION', value: (k) => (typeof k.description === 'string' ? k.description : '') },
        ],
        `no keys in ${context.namespace()}`,
      ),
    );
  },
};

const add: Command = {
  words: ['keys', 'add'],
  summary: 'add a key (keyId, unit, decimals, description)',
  usage: addUsage,
  flags: { key: { type: 'string' }, ...keyFieldFlags, ...sharedFlags.reload },
  async run(context) {
    const keyId = context.values.integer('key');
    if (keyId === undefined) throw new CliUsageError('missing --key', context.usage);
    const doc = { keyId, unit: context.values.required('unit'), ...context.values.fields(keyFields) };
    const { decimals } = doc;
    refuseIf(
      problemsOfNewKey(doc, await loadKeys(context), await context.registry()),
      `add key ${keyId}`,
      'the monitor would skip it',
    );
    const db = await context.db();
    await commitChange(context, async () => {
      await databaseOperation(`add key ${keyId}`, () => db.collection('keys').insertOne({ ...doc }));
      return `added key ${keyId} (${String(doc.unit)}${decimals === undefined ? '' : `, ${decimals} decimals`})`;
    });
  },
};

const set: Command = {
  words: ['keys', 'set'],
  summary: "change a key's unit, description or decimals (--rescale rewrites its history)",
  usage: setUsage,
  flags: { ...keyFieldFlags, rescale: { type: 'boolean' }, batch: { type: 'string' }, ...sharedFlags.reload },
  positionals: ['keyId'],
  async run(context) {
    const keyId = keyIdOf(context);
    const keys = await loadKeys(context, true);
    const old = keys.find((k) => k.keyId === keyId);
    if (!old)
      throw new CliNotFoundError(
        `no key ${keyId} in ${context.namespace()}; keys: ${keys.map((k) => String(k.keyId)).join(', ') || 'none'}`,
      );
    const changes = context.values.fields(keyFields);
    const { decimals } = changes;
    if (Object.keys(changes).length === 0)
      throw new CliUsageError('nothing to change: give --unit, --description or --decimals', context.usage);
    const doc: Doc = { ...old, ...changes };
    refuseIf(
      problemsOfNewKey(
        doc,
        keys.filter((k) => k !== old),
        await context.registry(),
      ),
      `change key ${keyId}`,
      'the monitor would skip it',
    );
    const db = await context.db();
    const fromDecimals = typeof old.decimals === 'number' ? old.decimals : 0;
    const toDecimals = decimals ?? fromDecimals;
    const rescale = context.values.flag('rescale');
    let note = '';
    if (toDecimals !== fromDecimals) {
      const stored = await databaseOperation(`read the readings of key ${keyId}`, () =>
        db.collection('readings').findOne({ keyId }, { projection: { _id: 1 } }),
      );
      if (stored && !rescale)
        refuseIf(
          [
            `key ${keyId} has readings stored with ${fromDecimals} decimals; with ${toDecimals} they would silently change meaning. Add --rescale to rewrite them (× 10^${toDecimals - fromDecimals}), or add a new key for the new decimals`,
          ],
          `change the decimals of key ${keyId}`,
          'its history would change meaning',
        );
      if (stored) {
        const unfit = await databaseOperation(`read the readings of key ${keyId}`, () =>
          firstUnfit(db, keyId, fromDecimals, toDecimals),
        );
        if (unfit !== undefined)
          refuseIf(
            [`stored value ${unfit} of key ${keyId} would not be a safe integer with ${toDecimals} decimals`],
            `rescale key ${keyId}`,
            'choose fewer decimals',
          );
        const { Long } = await import('mongodb');
        const result = await databaseOperation(`rescale key ${keyId}`, () =>
          rescaleKey(db, {
            keyId,
            fromDecimals,
            toDecimals,
            Long,
            batchSize: batchSizeOf(context),
            progress: (done, total, what) =>
              void context.io.stderr.write(`rescaling key ${keyId}: ${done}/${total} ${what}\n`),
          }),
        );
        note = `; rescaled ${result.readings} reading(s) and ${result.rollups} rollup(s) from ${fromDecimals} to ${toDecimals} decimals`;
      }
    }
    await commitChange(context, async () => {
      await databaseOperation(`change key ${keyId}`, () =>
        db.collection('keys').updateOne({ keyId }, { $set: changes }),
      );
      return `changed key ${keyId} (${String(doc.unit)}, ${toDecimals} decimals)${note}`;
    });
  },
};

function batchSizeOf(context: CommandContext): number {
  const size = context.values.integer('batch') ?? 1000;
  if (size < 1) throw new CliUsageError(`--batch must be a positive integer, got ${size}`, context.usage);
  return size;
}

function keyIdOf(context: CommandContext): number {
  const text = context.positionals[0]!;
  const keyId = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(keyId))
    throw new CliUsageError(
      `<keyId> must be a non-negative integer, got ${JSON.stringify(text)}`,
      context.usage,
    );
  return keyId;
}

const remove: Command = {
  words: ['keys', 'remove'],
  summary: 'remove a key no device uses',
  usage: removeUsage,
  flags: { ...sharedFlags.reload, ...sharedFlags.drivers },
  positionals: ['keyId'],
  async run(context) {
    const keyId = keyIdOf(context);
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
export const keyCommands: readonly Command[] = [list, add, set, remove];
