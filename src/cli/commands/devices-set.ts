// `raspimon devices set <id|name> …`: changes fields of one device in place, validated exactly
// as `devices add` validates a new one, so the monitor never gets a device it would skip.
import { isDeepStrictEqual } from 'node:util';
import { commitChange, refuseIf } from '../change.js';
import { documentWriteFlags, globalFlagsHelp, type Command, type CommandContext } from '../command.js';
import { problemsOfNewDevice } from '../config-change.js';
import { databaseOperation } from '../database.js';
import { CliNotFoundError, CliUsageError } from '../errors.js';
import { deviceLabel } from '../output.js';
import { deviceFieldFlags, deviceTextFields, findDevice, loadConfig, readConfigFlag } from './device-docs.js';

type Doc = Record<string, unknown>;

const setUsage = `Usage: raspimon devices set <id|name> [flags]

Changes fields of one device in place. The changed device is validated exactly as
devices add validates a new one (driver, config, keyIds, a name taken by another
device); a change the monitor would skip is refused (exit status 1) and nothing is
written. Fields not named keep their values.

  --name <name>             rename it (unique)
  --driver <driver>         system, file, serial-line, modbus, mqtt, or one of --drivers
  --config <json|@file>     replace the driver config (JSON, Python-literal dict, @path)
  --interval <seconds>      sampling interval of a polled driver
  --description <text>      free text
  --vendor-id <hex>         USB vendor id, e.g. 0403
  --product-id <hex>        USB product id, e.g. 6001
  --enabled | --disabled    run it again / have the monitor skip it
  --dry-run                 validate only; write nothing
  --reload <pidfile>        then send SIGHUP to the monitor whose pid is in <pidfile>
  --drivers <module>        module exporting your custom drivers (see devices add)

Example:
  raspimon devices set boiler --interval 30 --reload /run/raspimon-monitor/monitor.pid

${globalFlagsHelp}`;

/** The device document after the flags' changes; the names of the fields changed. */
async function changedDocument(context: CommandContext, doc: Doc): Promise<{ next: Doc; fields: string[] }> {
  const { values } = context;
  const next: Doc = { ...doc, ...values.fields(deviceTextFields) };
  // A new driver name replaces a legacy pyClass, which would otherwise win.
  if (values.string('driver') !== undefined) delete next.pyClass;
  const config = await readConfigFlag(context, `change ${deviceLabel(doc.id, doc.name)}`);
  if (config !== undefined) {
    next.config = config;
    delete next.pyConf;
  }
  const interval = values.number('interval');
  if (interval !== undefined) next.interval = interval;
  if (values.flag('enabled') && values.flag('disabled'))
    throw new CliUsageError('--enabled and --disabled exclude each other', context.usage);
  if (values.flag('disabled')) next.enabled = false;
  if (values.flag('enabled')) delete next.enabled;
  const fields = [...new Set([...Object.keys(doc), ...Object.keys(next)])].filter(
    (f) => !isDeepStrictEqual(doc[f], next[f]),
  );
  return { next, fields };
}

export const setCommand: Command = {
  words: ['devices', 'set'],
  summary: 'change fields of a device in place, validated as add',
  usage: setUsage,
  flags: documentWriteFlags(deviceFieldFlags, 'set'),
  positionals: ['id|name'],
  async run(context) {
    const registry = await context.registry();
    const { devices, keys } = await loadConfig(context, true);
    const doc = findDevice(devices, context.positionals[0]!, context.namespace());
    const { next, fields } = await changedDocument(context, doc);
    const label = deviceLabel(doc.id, doc.name);
    if (fields.length === 0)
      throw new CliUsageError(
        `nothing to change for ${label}: name a field, e.g. --interval 30`,
        context.usage,
      );
    const others = devices.filter((d) => d !== doc);
    const problems = problemsOfNewDevice(next, others, keys, registry);
    if (!registry.has(String(next.driver ?? next.pyClass)) && context.values.string('drivers') === undefined)
      problems.push(`custom drivers: pass --drivers <module> exporting the drivers your monitor registers`);
    refuseIf(problems, `change ${label}`);
    const what = `${fields.join(', ')} of ${label}`;
    if (context.values.flag('dry-run')) {
      context.print(`changing ${what} is valid; --dry-run: nothing written\n`);
      return;
    }
    const db = await context.db();
    await commitChange(context, async () => {
      const result = await databaseOperation(`change ${label}`, () =>
        db.collection('devices').replaceOne({ id: doc.id, name: doc.name }, next),
      );
      if (result.matchedCount === 0)
        throw new CliNotFoundError(`${label} was removed meanwhile; nothing was written`);
      return `changed ${what}`;
    });
  },
};
