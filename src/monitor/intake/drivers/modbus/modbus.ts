import type { ModbusRTU } from 'modbus-serial/ModbusRTU.js';
import { showValue } from '../../../config/validate.js';
import { checkNumber, checkString, unknownFields } from '../config-fields.js';
import { findPort, type SerialPortLister } from '../serial-line/serial-line.js';
import { DriverError } from '../../../errors.js';
import { loadModbusSerial, loadSerialPort, type ModuleImporter } from '../../../peers.js';
import type { DriverConfigProblem, DriverContext, DriverDefinition, DriverReading } from '../../../types.js';
import { ErrorSpell } from '../error-spell.js';
import { BusGoneError, BusPool, type BusSettings, type ModbusBus } from './bus.js';
import { checkPoints, decodePoint, planRequests, type ModbusPoint, type ModbusRequest } from './points.js';

/** Options of {@link createModbusDriver}. */
export interface ModbusDriverOptions {
  /**
   * Lists serial ports for vendorId/productId discovery.
   * @default SerialPort.list()
   */
  list?: SerialPortLister;
  /**
   * Imports a peer by name; a test replaces it to simulate a missing `modbus-serial`.
   * @default import(name)
   */
  importer?: ModuleImporter;
}

const knownFields = [
  'path',
  'vendorId',
  'productId',
  'baudRate',
  'parity',
  'dataBits',
  'stopBits',
  'timeoutSeconds',
  'points',
];

/**
 * Checks a `modbus` device config and fills its defaults. Pure; the requests a config costs
 * per poll are `planRequests(config.points).length`.
 */
export function validateModbusConfig(
  config: Record<string, unknown>,
): ReturnType<NonNullable<DriverDefinition['validateConfig']>> {
  const problems: DriverConfigProblem[] = [];
  unknownFields(config, knownFields, problems);
  const path = checkString(config.path, 'config.path', problems, false);
  const vendorId = checkString(config.vendorId, 'config.vendorId', problems, false);
  const productId = checkString(config.productId, 'config.productId', problems, false);
  const baudRate = config.baudRate ?? 9600;
  if (typeof baudRate !== 'number' || !Number.isSafeInteger(baudRate) || baudRate <= 0)
    problems.push({
      field: 'config.baudRate',
      message: `must be a positive integer (e.g. 9600 or 19200), got ${showValue(baudRate)}`,
    });
  const parity = config.parity ?? 'none';
  if (parity !== 'none' && parity !== 'even' && parity !== 'odd')
    problems.push({
      field: 'config.parity',
      message: `must be 'none', 'even' or 'odd', got ${showValue(parity)}`,
    });
  const dataBits = config.dataBits ?? 8;
  if (dataBits !== 5 && dataBits !== 6 && dataBits !== 7 && dataBits !== 8)
    problems.push({ field: 'config.dataBits', message: `must be 5, 6, 7 or 8, got ${showValue(dataBits)}` });
  const stopBits = config.stopBits ?? 1;
  if (stopBits !== 1 && stopBits !== 2)
    problems.push({ field: 'config.stopBits', message: `must be 1 or 2, got ${showValue(stopBits)}` });
  const timeoutSeconds = checkNumber(config.timeoutSeconds, 1, 'config.timeoutSeconds', problems);
  if (!(timeoutSeconds > 0))
    problems.push({
      field: 'config.timeoutSeconds',
      message: `must be > 0, got ${showValue(timeoutSeconds)}`,
    });
  const points = checkPoints(config.points, problems);
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    config: { path, vendorId, productId, baudRate, parity, dataBits, stopBits, timeoutSeconds, points },
    keyIds: [...new Set(points.map((p) => p.keyId))],
  };
}

/**
 * Creates the `modbus` driver (Modbus RTU over RS-485, through `modbus-serial`). Config:
 * `{ path?, vendorId?, productId?, baudRate = 9600, parity = 'none', dataBits = 8,
 * stopBits = 1, timeoutSeconds = 1, points: [{ keyId, unitId, register, kind, type,
 * wordOrder?, scale?, offset? }] }`. Devices on the same port share it: their requests are
 * queued, never interleaved. A failing slave is one error per spell for its device.
 *
 * @example
 * ```ts
 * new Monitor({ ..., drivers: { modbus: createModbusDriver({ list: async () => ports }) } })
 * ```
 */
export function createModbusDriver(options: ModbusDriverOptions = {}): DriverDefinition {
  const pool = new BusPool();
  return {
    validateConfig: validateModbusConfig,
    create(config, context) {
      return new ModbusDriver(config, context, pool, options);
    },
  };
}

class ModbusDriver {
  private readonly requests: ModbusRequest[];
  private readonly spell: ErrorSpell;
  private bus: ModbusBus | undefined;
  private Modbus: Awaited<ReturnType<typeof loadModbusSerial>> | undefined;

  constructor(
    private readonly config: Record<string, unknown>,
    private readonly context: DriverContext,
    private readonly pool: BusPool,
    private readonly options: ModbusDriverOptions,
  ) {
    this.requests = planRequests(config.points as ModbusPoint[]);
    this.spell = new ErrorSpell(context.logger, 'failed requests');
  }

  async start(): Promise<void> {
    // Fails fast (and clearly) when the optional peers are missing: retried with backoff.
    this.Modbus = await loadModbusSerial(this.options.importer);
  }

  async read(): Promise<DriverReading[]> {
    const bus = await this.acquire();
    if (!bus) return [];
    const timeoutMs = (this.config.timeoutSeconds as number) * 1000;
    // A unit that did not answer is not asked again in this poll: a silent slave costs one
    // timeout per poll, not one per request (and the bus is free sooner for the others).
    const silent = new Set<number>();
    const ask = async (client: ModbusRTU, request: ModbusRequest): Promise<number[] | boolean[]> => {
      if (silent.has(request.unitId)) throw new SkippedError(request.unitId);
      try {
        return await readOrTell(client, request);
      } catch (error) {
        if ((error as { name?: unknown }).name === 'TransactionTimedOutError') silent.add(request.unitId);
        throw error;
      }
    };
    const outcomes = await Promise.all(
      this.requests.map((request) =>
        bus
          .run(request.unitId, timeoutMs, (client) => ask(client, request))
          .then(
            (values) => ({ request, values, error: undefined }),
            (error: unknown) => ({ request, values: undefined, error }),
          ),
      ),
    );
    const readings: DriverReading[] = [];
    let failed = false;
    for (const { request, values, error } of outcomes) {
      if (values) {
        for (const point of request.points)
          readings.push({ keyId: point.keyId, value: decodePoint(point, request, values) });
        continue;
      }
      failed = true;
      const { kind, text } = classify(error);
      this.spell.fail(kind, `modbus ${describeRequest(request)} on ${bus.path}: ${text}`);
      if (error instanceof BusGoneError) await this.dropBus();
    }
    if (!failed) this.spell.ok();
    return readings;
  }

  async stop(): Promise<void> {
    await this.dropBus();
  }

  private async acquire(): Promise<ModbusBus | undefined> {
    if (this.bus) return this.bus;
    try {
      const path = await this.resolvePath();
      this.bus = this.pool.acquire(
        path,
        this.settings(),
        this.Modbus ?? (await loadModbusSerial(this.options.importer)),
      );
      return this.bus;
    } catch (error) {
      const { kind, text } = classify(error);
      this.spell.fail(kind === 'error' ? 'unplugged' : kind, `modbus: ${text}`);
      return undefined;
    }
  }

  private async dropBus(): Promise<void> {
    const bus = this.bus;
    this.bus = undefined;
    if (bus) await this.pool.release(bus);
  }

  private settings(): BusSettings {
    const { baudRate, parity, dataBits, stopBits } = this.config as unknown as BusSettings;
    return { baudRate, parity, dataBits, stopBits };
  }

  private async resolvePath(): Promise<string> {
    if (typeof this.config.path === 'string') return this.config.path;
    const vendorId = (this.config.vendorId as string | undefined) ?? this.context.device.vendorId;
    const productId = (this.config.productId as string | undefined) ?? this.context.device.productId;
    if (!vendorId || !productId)
      throw new DriverError(
        'modbus needs config.path, or vendorId and productId (in config or in the device document)',
      );
    const list =
      this.options.list ?? (async () => (await loadSerialPort(this.options.importer)).SerialPort.list());
    const ports = await list();
    const found = findPort(ports, vendorId, productId);
    if (!found)
      throw new BusGoneError(
        `no serial port with vendorId ${vendorId} and productId ${productId}; found: ${ports.map((p) => `${p.path} (${p.vendorId ?? '?'}:${p.productId ?? '?'})`).join(', ') || 'none'}; is the RS-485 adapter plugged in?`,
      );
    return found.path;
  }
}

/** Reads a request; a timeout with part of an answer received is told apart as a torn frame. */
async function readOrTell(client: ModbusRTU, request: ModbusRequest): Promise<number[] | boolean[]> {
  try {
    return await readRequest(client, request);
  } catch (error) {
    const pending = (client as unknown as { _port?: { _buffer?: Buffer } })._port?._buffer;
    if ((error as { name?: unknown }).name === 'TransactionTimedOutError' && pending && pending.length > 0)
      throw new TornFrameError(pending.length);
    throw error;
  }
}

/** Not sent: its unit timed out earlier in the same poll. */
class SkippedError extends DriverError {
  constructor(readonly unitId: number) {
    super(`not sent: unit ${unitId} did not answer earlier in this poll`);
  }
}

/** Part of an answer arrived, then silence past the timeout. */
class TornFrameError extends DriverError {
  constructor(readonly received: number) {
    super(`torn frame: ${received} byte(s) of an answer, then silence`);
  }
}

async function readRequest(client: ModbusRTU, request: ModbusRequest): Promise<number[] | boolean[]> {
  const { start, count } = request;
  switch (request.kind) {
    case 'holding':
      return (await client.readHoldingRegisters(start, count)).data;
    case 'input':
      return (await client.readInputRegisters(start, count)).data;
    case 'coil':
      return (await client.readCoils(start, count)).data;
    case 'discrete':
      return (await client.readDiscreteInputs(start, count)).data;
  }
}

/** `unit 3 holding 100..109`: a request as a person reads it in a log line. */
export function describeRequest(request: ModbusRequest): string {
  const end = request.start + request.count - 1;
  return `unit ${request.unitId} ${request.kind} ${request.start}${end > request.start ? `..${end}` : ''}`;
}

const exceptionNames: Record<number, string> = {
  1: 'illegal function',
  2: 'illegal data address',
  3: 'illegal data value',
  4: 'slave device failure',
  6: 'slave device busy',
  10: 'gateway path unavailable',
  11: 'gateway target failed to respond',
};

/** Sorts a failed request into the kinds counted per spell. */
function classify(error: unknown): { kind: string; text: string } {
  const e = error as { name?: unknown; message?: unknown; modbusCode?: unknown } | undefined;
  const message = typeof e?.message === 'string' ? e.message : String(error);
  if (error instanceof BusGoneError) return { kind: 'unplugged', text: message };
  if (error instanceof SkippedError) return { kind: 'skipped', text: message };
  if (error instanceof TornFrameError)
    return { kind: 'torn', text: `${message} (interference, or a slave reset mid-answer?)` };
  if (typeof e?.modbusCode === 'number')
    return {
      kind: 'exception',
      text: `exception ${e.modbusCode} (${exceptionNames[e.modbusCode] ?? 'unknown'}); check the unit id, register address and kind`,
    };
  if (e?.name === 'TransactionTimedOutError')
    return {
      kind: 'timeout',
      text: 'no answer within timeoutSeconds (slave off, wrong unitId, baud rate or wiring?)',
    };
  if (/CRC/i.test(message))
    return { kind: 'crc', text: 'answer with a bad CRC (noise on the line, missing termination or bias?)' };
  return { kind: 'error', text: message };
}
