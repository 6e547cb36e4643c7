// `raspimon devices list|add|remove`: the `devices` collection without hand-written documents.
import { parsePyConf, probeSystemMetrics } from '../../tools/index.js';
import { commitChange, refuseIf } from '../change.js';
import {
  documentWriteFlags,
  globalFlagsHelp,
  sharedFlags,
  type Command,
  type CommandContext,
} from '../command.js';
import { deviceStatuses, driverName, problemsOfNewDevice } from '../config-change.js';
import { databaseOperation } from '../database.js';
import { CliUsageError } from '../errors.js';
import { idOrNameFilter, idsAndNames, notFoundError } from '../id-or-name.js';
import { deviceFieldFlags, deviceTextFields, loadConfig, readConfigFlag } from './device-docs.js';
import { setCommand } from './devices-set.js';
import { testCommand } from './devices-test.js';
import { deviceLabel, formatJson, formatTable, type Column } from '../output.js';

type Doc = Record<string, unknown>;

/** Help line of --drivers, shared by the devices commands. */
export const driversHelp = `  --drivers <module>        module exporting your custom drivers (export const drivers =
                            { name: factory }), so devices using them validate as in
                            your monitor`;

/** Usage of the `devices` group. */
export const devicesUsage = `Usage: raspimon devices <list|add|set|test|remove> [flags]

  list                      show every device and whether the monitor accepts it
  add                       add a device (validated as the monitor does)
  set <id|name>             change fields of a device in place (validated as add)
  test <id|name>            run the device's driver once; print what it would store
  remove <id|name>          remove a device (its readings stay)

Run raspimon devices <command> --help for its flags.

${globalFlagsHelp}`;

const listUsage = `Usage: raspimon devices list [--json] [--drivers <module>]

Shows every device document; STATUS says what the monitor thinks of it ("ok",
"disabled", or the first problem that makes it skip the device). For a system device
it also names the metrics this machine lacks (the driver skips those).

  --json                    print the documents as JSON, with their problems
${driversHelp}

${globalFlagsHelp}`;

const addUsage = `Usage: raspimon devices add --id <n> --name <name> --driver <driver> [flags]

Adds a device. It is validated exactly as the monitor validates it: an unknown driver,
a config the driver rejects, a keyId missing from the keys collection, or an id or name
already taken are refused (exit status 1) and nothing is written.

  --id <n>                  device id (integer, unique); readings carry it
  --name <name>             short unique name, e.g. boiler
  --driver <driver>         system, file, serial-line, modbus, mqtt, or one of --drivers
  --config <json|@file>     driver config as JSON (or a Python-literal dict), or @path
                            of a file holding it, e.g.
                            '{"path":"/sys/bus/w1/devices/28-0000/temperature","keyId":1}'
  --interval <seconds>      sampling interval of a polled driver (default 10)
  --description <text>      free text
  --vendor-id <hex>         USB vendor id as dmesg shows it, e.g. 0403
  --product-id <hex>        USB product id, e.g. 6001
  --disabled                store it with enabled: false (the monitor skips it)
  --dry-run                 validate only; write nothing
  --reload <pidfile>        then send SIGHUP to the monitor whose pid is in <pidfile>
${driversHelp}

Readings are stored as integers, scaled by the key's decimals: a DS18B20 file holds
millidegrees (21562 = 21.562 °C); with "scale": 0.001 and a key of unit °C with
--decimals 1 it is stored as 216 and shown as 21.6 °C (or keep it as it is, no scale, with
a key of unit mC).

Example:
  raspimon keys add --key 1 --unit mC --description "boiler water temperature"
  raspimon devices add --id 3 --name boiler --driver file --interval 10 \\
    --config '{"path":"/sys/bus/w1/devices/28-0000/temperature","keyId":1}'

${globalFlagsHelp}`;

const removeUsage = `Usage: raspimon devices remove <id|name> [--reload <pidfile>]

Removes one device document. Its readings stay in the readings collection (raspimon
check then lists them as orphan readings of an unknown device).

  --reload <pidfile>        then send SIGHUP to the monitor whose pid is in <pidfile>

${globalFlagsHelp}`;

/** Metrics of a valid `system` device this machine lacks (the driver skips them). */
async function skippedMetrics(doc: Doc, problems: readonly string[]): Promise<string[]> {
  if (driverName(doc) !== 'system' || problems.length > 0) return [];
  const raw = doc.config ?? doc.pyConf;
  const config = typeof raw === 'string' ? parsePyConf(raw) : { ok: true as const, value: raw };
  if (!config.ok || typeof config.value !== 'object' || config.value === null) return [];
  const sample = await probeSystemMetrics(config.value as Record<string, unknown>);
  return sample?.skipped.map((s) => s.metric) ?? [];
}

const columns: ReadonlyArray<Column<{ doc: Doc; problems: string[]; skipped: string[] }>> = [
  { header: 'ID', value: ({ doc }) => String(doc.id), right: true },
  { header: 'NAME', value: ({ doc }) => String(doc.name) },
  { header: 'DRIVER', value: ({ doc }) => String(driverName(doc)) },
  {
    header: 'INTERVAL',
    value: ({ doc }) => (typeof doc.interval === 'number' ? `${doc.interval} s` : 'default'),
    right: true,
  },
  {
    header: 'STATUS',
    value: ({ doc, problems, skipped }) =>
      problems[0] !== undefined
        ? `invalid: ${problems[0]}`
        : `${doc.enabled === false ? 'disabled' : 'ok'}${skipped.length > 0 ? ` (skipped on this machine: ${skipped.join(', ')})` : ''}`,
  },
];

const list: Command = {
  words: ['devices', 'list'],
  summary: 'show the devices and whether the monitor accepts each',
  usage: listUsage,
  flags: { ...sharedFlags.json, ...sharedFlags.drivers },
  async run(context) {
    const registry = await context.registry();
    const { devices, keys } = await loadConfig(context, true);
    const statuses = deviceStatuses(devices, keys, registry);
    const rows = await Promise.all(
      devices.map(async (doc) => {
        const problems = statuses.get(doc) ?? [];
        return { doc, problems, skipped: await skippedMetrics(doc, problems) };
      }),
    );
    if (context.values.flag('json'))
      context.print(
        formatJson(
          rows.map(({ doc, problems, skipped }) =>
            skipped.length > 0 ? { ...doc, problems, skippedMetrics: skipped } : { ...doc, problems },
          ),
        ),
      );
    else context.print(formatTable(rows, columns, `no devices in ${context.namespace()}`));
  },
};

/** The document `devices add` stores, built from its flags (absent flags are left out). */
async function deviceDocument(context: CommandContext): Promise<Doc> {
  const { values } = context;
  const doc: Doc = {
    id: values.integer('id'),
    name: values.required('name'),
    driver: values.required('driver'),
  };
  if (doc.id === undefined) throw new CliUsageError('missing --id', context.usage);
  Object.assign(doc, values.fields(deviceTextFields));
  doc.config = (await readConfigFlag(context, `add ${deviceLabel(doc.id, doc.name)}`)) ?? {};
  const interval = values.number('interval');
  if (interval !== undefined) doc.interval = interval;
  if (values.flag('disabled')) doc.enabled = false;
  return doc;
}

const add: Command = {
  words: ['devices', 'add'],
  summary: 'add a device, validated as the monitor does',
  usage: addUsage,
  flags: documentWriteFlags({ id: { type: 'string' }, ...deviceFieldFlags }, 'add'),
  async run(context) {
    const doc = await deviceDocument(context);
    const registry = await context.registry();
    const { devices, keys } = await loadConfig(context);
    const label = deviceLabel(doc.id, doc.name);
    const problems = problemsOfNewDevice(doc, devices, keys, registry);
    if (!registry.has(String(doc.driver)) && context.values.string('drivers') === undefined) {
      problems.push(`custom drivers: pass --drivers <module> exporting the drivers your monitor registers`);
    }
    refuseIf(problems, `add ${label}`);
    const every = typeof doc.interval === 'number' ? `every ${doc.interval} s` : 'default interval';
    if (context.values.flag('dry-run')) {
      context.print(
        `${label} is valid (driver ${String(doc.driver)}, ${every}); --dry-run: nothing written\n`,
      );
      return;
    }
    const db = await context.db();
    await commitChange(context, async () => {
      await databaseOperation(`add ${label}`, () => db.collection('devices').insertOne({ ...doc }));
      return `added ${label} (driver ${String(doc.driver)}, ${every})`;
    });
  },
};

const remove: Command = {
  words: ['devices', 'remove'],
  summary: 'remove a device (its readings stay)',
  usage: removeUsage,
  flags: { ...sharedFlags.reload },
  positionals: ['id|name'],
  async run(context) {
    const which = context.positionals[0]!;
    const db = await context.db();
    const devices = db.collection('devices');
    const found = await databaseOperation('read the devices', () =>
      devices.find(idOrNameFilter(which)).toArray(),
    );
    if (found.length === 0)
      throw notFoundError('device', which, context.namespace(), await idsAndNames(db, 'devices'));
    const labels = found.map((d) => deviceLabel(d.id, d.name)).join(', ');
    await commitChange(context, async () => {
      await databaseOperation(`remove ${labels}`, () =>
        devices.deleteMany({ _id: { $in: found.map((d) => d._id) } }),
      );
      return `removed ${labels}; its readings stay in the readings collection`;
    });
  },
};

/** The `devices` commands. */
export const deviceCommands: readonly Command[] = [list, add, setCommand, testCommand, remove];
