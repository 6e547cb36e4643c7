import { realpath } from 'node:fs/promises';
import type { SerialPort as SerialPortClass } from 'serialport';
import { showValue, normaliseUsbId } from '../../../config/validate.js';
import { DriverError } from '../../../errors.js';
import { loadSerialPort } from '../../../peers.js';
import type { DriverConfigProblem, DriverDefinition, DriverContext } from '../../../types.js';
import { checkKeyId, checkString, isPlainObject, unknownFields } from '../config-fields.js';
import { parseLine } from './line-format.js';

/** One serial port as `SerialPort.list()` describes it. */
export interface SerialPortInfo {
  /** Device node to open, e.g. `'/dev/ttyUSB0'` (Windows: `'COM3'`). */
  path: string;
  /** USB manufacturer string, e.g. `'FTDI'`, when the OS reports one. */
  manufacturer?: string | undefined;
  /** USB serial number of the adapter, when it has one. */
  serialNumber?: string | undefined;
  /** Plug-and-play id; on Linux the `/dev/serial/by-id/` name, e.g. `'usb-FTDI_FT232R_USB_UART_A50285BI-if00-port0'`. */
  pnpId?: string | undefined;
  /** Physical location (port/hub) as the OS reports it; unset on Linux. */
  locationId?: string | undefined;
  /** Hex, e.g. `'2341'` (Linux: lowercase; Windows: uppercase). */
  vendorId?: string | undefined;
  /** USB product id, hex, e.g. `'0043'` (Linux: lowercase; Windows: uppercase). */
  productId?: string | undefined;
}

/** Lists serial ports; the default is `SerialPort.list()` (which needs `udevadm`). */
export type SerialPortLister = () => Promise<readonly SerialPortInfo[]>;

/** Options of {@link createSerialLineDriver}. */
export interface SerialLineOptions {
  /**
   * Lists ports for vendorId/productId discovery.
   * @default SerialPort.list()
   */
  list?: SerialPortLister;
}

/** Picks the port whose USB ids match (compared lowercased; Windows reports uppercase). */
export function findPort(
  ports: readonly SerialPortInfo[],
  vendorId: string,
  productId: string,
): SerialPortInfo | undefined {
  const vendor = normaliseUsbId(vendorId);
  const product = normaliseUsbId(productId);
  return [...ports]
    .sort((a, b) => a.path.localeCompare(b.path))
    .find((p) => p.vendorId?.toLowerCase() === vendor && p.productId?.toLowerCase() === product);
}

const maxReportedLines = 5;
/** How often the device node is checked for an unplug, in seconds. */
const watchSeconds = 1;

/**
 * Creates the `serial-line` driver. Config `{ path?, vendorId?, productId?, baudRate = 9600,
 * keys?: { NAME: keyId } }`; without `path`, the port is found by vendorId/productId (from
 * the config, else the device document). When the port closes (unplugged), the driver
 * fails and the monitor reopens it with backoff.
 *
 * @example
 * ```ts
 * new Monitor({ ..., drivers: { 'serial-line': createSerialLineDriver({ list: async () => ports }) } })
 * ```
 */
export function createSerialLineDriver(options: SerialLineOptions = {}): DriverDefinition {
  return {
    validateConfig(config) {
      const problems: DriverConfigProblem[] = [];
      unknownFields(config, ['path', 'vendorId', 'productId', 'baudRate', 'keys'], problems);
      const path = checkString(config.path, 'config.path', problems, false);
      const vendorId = checkString(config.vendorId, 'config.vendorId', problems, false);
      const productId = checkString(config.productId, 'config.productId', problems, false);
      const baudRate = config.baudRate ?? 9600;
      if (typeof baudRate !== 'number' || !Number.isSafeInteger(baudRate) || baudRate <= 0) {
        problems.push({
          field: 'config.baudRate',
          message: `must be a positive integer (e.g. 9600 or 115200), got ${showValue(baudRate)}`,
        });
      }
      const keys: Record<string, number> = {};
      if (config.keys !== undefined) {
        if (!isPlainObject(config.keys))
          problems.push({
            field: 'config.keys',
            message: `must map line names to keyIds, got ${showValue(config.keys)}`,
          });
        else
          for (const [name, keyId] of Object.entries(config.keys)) {
            const id = checkKeyId(keyId, `config.keys.${name}`, problems);
            if (id !== undefined) keys[name] = id;
          }
      }
      if (problems.length > 0) return { ok: false, problems };
      // Without a keys map the device may send any "KEYID VALUE" line: no declared keyIds.
      const keyIds = config.keys === undefined ? undefined : Object.values(keys);
      return {
        ok: true,
        config: { path, vendorId, productId, baudRate, keys },
        ...(keyIds ? { keyIds } : {}),
      };
    },
    create(config, context) {
      return new SerialLineDriver(config, context, options.list);
    },
  };
}

class SerialLineDriver {
  private port: SerialPortClass | undefined;
  private stopped = false;
  private malformed = 0;
  private watchJob: string | undefined;

  constructor(
    private readonly config: Record<string, unknown>,
    private readonly context: DriverContext,
    private readonly list: SerialPortLister | undefined,
  ) {}

  async start(): Promise<void> {
    const { SerialPort, ReadlineParser } = await loadSerialPort();
    const path = await this.resolvePath(SerialPort);
    const port = new SerialPort({ path, baudRate: this.config.baudRate as number, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(error) : resolve())));
    this.port = port;
    const keys = this.config.keys as Record<string, number>;
    const lines = port.pipe(new ReadlineParser({ delimiter: '\n' }));
    lines.on('data', (line: string) => {
      const result = parseLine(line, keys);
      if (result.ok) {
        if (result.readings.length > 0) this.context.emit(result.readings);
        return;
      }
      this.malformed++;
      if (this.malformed <= maxReportedLines || this.malformed % 1000 === 0) {
        this.context.logger.warning(
          `malformed line from ${path} (${this.malformed} so far): ${result.reason}: ${JSON.stringify(line.slice(0, 80))}`,
          { malformedLines: this.malformed },
        );
      }
    });
    const gone = (error?: Error): void => {
      if (this.stopped || this.port !== port) return;
      this.port = undefined;
      if (this.watchJob !== undefined) this.context.scheduler.remove(this.watchJob);
      this.watchJob = undefined;
      if (port.isOpen) port.close(() => undefined);
      this.context.fail(
        new DriverError(
          `serial port ${path} closed${error ? `: ${error.message}` : ''}; reopening with backoff`,
          { cause: error },
        ),
      );
    };
    port.on('close', () => gone());
    port.on('error', (error: Error) => gone(error));
    // serialport is not told when a PTY's other side goes away, and not always when a USB
    // adapter is pulled: the device node vanishing (or pointing elsewhere) means unplugged.
    const opened = await realpath(path).catch(() => path);
    this.watchJob = this.context.scheduler.repeatEvery(watchSeconds, async () => {
      const now = await realpath(path).catch(() => undefined);
      if (now !== opened)
        gone(new Error(now === undefined ? 'device node is gone' : 'device node now points elsewhere'));
    });
  }

  /** Lines rejected since start. */
  get malformedLines(): number {
    return this.malformed;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.watchJob !== undefined) this.context.scheduler.remove(this.watchJob);
    this.watchJob = undefined;
    const port = this.port;
    this.port = undefined;
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
  }

  private async resolvePath(SerialPort: typeof SerialPortClass): Promise<string> {
    if (typeof this.config.path === 'string') return this.config.path;
    const vendorId = (this.config.vendorId as string | undefined) ?? this.context.device.vendorId;
    const productId = (this.config.productId as string | undefined) ?? this.context.device.productId;
    if (!vendorId || !productId) {
      throw new DriverError(
        'serial-line needs config.path, or vendorId and productId (in config or in the device document)',
      );
    }
    const ports = await (this.list ?? (() => SerialPort.list()))();
    const found = findPort(ports, vendorId, productId);
    if (!found) {
      throw new DriverError(
        `no serial port with vendorId ${vendorId} and productId ${productId}; found: ${ports.map((p) => `${p.path} (${p.vendorId ?? '?'}:${p.productId ?? '?'})`).join(', ') || 'none'}; is it plugged in?`,
      );
    }
    return found.path;
  }
}
