// `raspimon devices test <id|name>`: runs one device's driver once, as the monitor would, and
// prints what would be stored, without storing it (like `telegraf --test`).
import { describeError, describeValue, Signal, within } from '../../internal/index.js';
import { DriverError } from '../../errors/index.js';
import { validateConfig } from '../../tools/index.js';
import { formatValue, type DriverReading, type KeySpec, type MonitorLogger } from '../../monitor/index.js';
import { storedValue } from '../../monitor/intake/scale.js';
import { Scheduler } from '../../scheduler/index.js';
import { refuseIf } from '../change.js';
import { globalFlagsHelp, sharedFlags, type Command, type CommandContext } from '../command.js';
import { describeProblem } from '../config-change.js';
import { CliUsageError, ReadingsRefusedError } from '../errors.js';
import { deviceLabel, formatJson, formatTable } from '../output.js';
import { findDevice, loadConfig } from './device-docs.js';
import { describeRequest } from '../../monitor/intake/drivers/modbus/modbus.js';
import { planRequests, type ModbusPoint } from '../../monitor/intake/drivers/modbus/points.js';

const testUsage = `Usage: raspimon devices test <id|name> [--seconds <s>] [--json] [--drivers <module>]

Runs the device's driver once, as the monitor would, and prints each reading with
whether the monitor would store it (a value that is not a safe integer, or a keyId
missing from keys, is rejected). Nothing is written. A polled driver is read once; a
streaming one (serial-line) is listened to for --seconds. Exit status 1 when the
monitor would skip the device or the driver fails. For a modbus device it also says how
many requests one poll costs (adjacent registers on one unit share a request).

  --seconds <s>             how long to wait for the driver (default 5)
  --json                    print the readings as JSON
  --drivers <module>        module exporting your custom drivers (see devices add)

${globalFlagsHelp}`;

interface TestedReading {
  keyId: unknown;
  /** As the driver reported it. */
  value: unknown;
  unit: string | undefined;
  /** The stored integer round(value × 10^decimals), when it would be stored. */
  raw?: number;
  /** What a person would read, e.g. `21.5 °C`. */
  text?: string;
  ts: string;
  stored: boolean;
  reason?: string;
}

/** Judges one reading as the monitor's intake does. Pure. */
function judge(reading: DriverReading, keys: ReadonlyMap<number, KeySpec>, now: number): TestedReading {
  const ts =
    reading.ts === undefined
      ? new Date(now)
      : reading.ts instanceof Date
        ? reading.ts
        : new Date(reading.ts * 1000);
  const base = {
    keyId: reading.keyId,
    value: reading.value,
    unit: keys.get(reading.keyId)?.unit,
    ts: ts.toISOString(),
  };
  const key = keys.get(reading.keyId);
  if (!key) return { ...base, stored: false, reason: `keyId ${describeValue(reading.keyId)} is not in keys` };
  const decimals = key.decimals ?? 0;
  const stored = storedValue(reading.value, decimals);
  if (stored === 'not-finite')
    return { ...base, stored: false, reason: `value ${describeValue(reading.value)} is not a finite number` };
  if (stored === 'not-safe')
    return {
      ...base,
      stored: false,
      reason: `round(${String(reading.value)} × 10^${decimals}) is not a safe integer: give key ${key.keyId} fewer decimals (keys set --decimals --rescale)`,
    };
  return { ...base, raw: stored, text: formatValue(stored, key), stored: true };
}

async function runOnce(context: CommandContext, seconds: number): Promise<void> {
  const registry = await context.registry();
  const { devices, keys } = await loadConfig(context, true);
  const doc = findDevice(devices, context.positionals[0]!, context.namespace());
  const label = deviceLabel(doc.id, doc.name);
  const config = validateConfig([doc], keys, registry);
  refuseIf(
    config.problems.filter((p) => p.collection === 'devices').map(describeProblem),
    `test ${label}`,
    'the monitor would skip it',
  );
  const spec = config.devices[0] ?? config.disabled[0]!;

  const readings: DriverReading[] = [];
  let failure: unknown;
  const arrived = new Signal();
  const say = (text: string): void => void context.io.stderr.write(`${label}: ${text}\n`);
  const logger: MonitorLogger = { debug: say, info: say, warning: say, error: say, alert: say };
  const scheduler = new Scheduler().start();
  const ms = Math.round(seconds * 1000);
  try {
    const driver = registry.get(spec.driver)!.create(spec.config, {
      device: spec,
      logger,
      emit: (batch) => {
        readings.push(...batch);
        arrived.notify();
      },
      fail: (error) => {
        failure ??= error;
        arrived.notify();
      },
      now: () => scheduler.now(),
      scheduler,
    });
    const step = async (what: string, run: () => unknown): Promise<void> => {
      const settled = run();
      if (!(await within(Promise.resolve(settled), ms)))
        throw new DriverError(`${label}: ${what} did not finish within ${seconds} s (--seconds)`);
      await settled;
    };
    try {
      await step('start()', () => driver.start?.());
      if (driver.read) await step('read()', async () => readings.push(...(await driver.read!())));
      // A streaming driver: listen until its first readings (or a failure), at most --seconds.
      else if (readings.length === 0 && failure === undefined) await within(arrived.wait(), ms);
    } finally {
      await within(Promise.resolve(driver.stop?.()), ms);
    }
  } catch (error) {
    failure ??= error;
  }
  const now = scheduler.now();
  await scheduler.stop();
  if (failure !== undefined) {
    if (failure instanceof DriverError && failure.message.startsWith(label)) throw failure;
    const why = failure instanceof DriverError ? failure.message : describeError(failure);
    throw new DriverError(`${label}: the driver ${spec.driver} failed: ${why}`, { cause: failure });
  }
  const rows = readings.map((r) => judge(r, config.keys, now));
  const refused = rows.filter((r) => !r.stored).length;
  const verdict = (): void => {
    if (refused > 0)
      throw new ReadingsRefusedError(
        `${label}: the monitor would refuse ${refused} of ${rows.length} reading(s) (see WOULD STORE); fix the driver config or the keys`,
      );
  };
  if (context.values.flag('json')) {
    context.print(formatJson(rows));
    verdict();
    return;
  }
  context.print(
    `${label}, driver ${spec.driver}: ${rows.length} reading(s); nothing was stored\n` +
      requestCost(spec.driver, spec.config) +
      formatTable(
        rows,
        [
          { header: 'KEY', value: (r) => String(r.keyId), right: true },
          { header: 'READ', value: (r) => String(r.value), right: true },
          { header: 'STORED', value: (r) => (r.raw === undefined ? '' : String(r.raw)), right: true },
          { header: 'SHOWN', value: (r) => r.text ?? '' },
          { header: 'TS', value: (r) => r.ts },
          { header: 'WOULD STORE', value: (r) => (r.stored ? 'yes' : `no: ${r.reason}`) },
        ],
        `(the driver produced no reading within ${seconds} s)`,
      ),
  );
  verdict();
}

/** What one poll of a modbus device costs on the bus, e.g. `2 requests per poll: unit 1 holding 0..9, …`. */
function requestCost(driver: string, config: Record<string, unknown>): string {
  if (driver !== 'modbus' || !Array.isArray(config.points)) return '';
  const requests = planRequests(config.points as ModbusPoint[]);
  const points = config.points.length;
  return `${requests.length} request(s) per poll for ${points} point(s): ${requests.map(describeRequest).join(', ')}\n`;
}

export const testCommand: Command = {
  words: ['devices', 'test'],
  summary: "run a device's driver once and print what it would store",
  usage: testUsage,
  flags: { seconds: { type: 'string' }, ...sharedFlags.json, ...sharedFlags.drivers },
  positionals: ['id|name'],
  async run(context) {
    const seconds = context.values.number('seconds') ?? 5;
    if (seconds <= 0)
      throw new CliUsageError(`--seconds must be a positive number, got ${seconds}`, context.usage);
    await runOnce(context, seconds);
  },
};
