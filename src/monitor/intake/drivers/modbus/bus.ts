// One RS-485 bus = one serial port, shared by every modbus device on it (several unit ids,
// several raspimon devices). A Modbus RTU master may have one request in flight: requests
// are queued and run one by one, each bounded by its own device's timeout, so a silent
// slave delays the others by at most that timeout and never longer.
import { realpath } from 'node:fs/promises';
import type { ModbusRTU } from 'modbus-serial/ModbusRTU.js';
import { DriverError } from '../../../errors.js';
import type { ModbusRtuClass } from '../../../peers.js';

/** Serial line settings of a bus; every device on one port must agree on them. */
export interface BusSettings {
  baudRate: number;
  parity: 'none' | 'even' | 'odd';
  dataBits: 5 | 6 | 7 | 8;
  stopBits: 1 | 2;
}

/** The adapter is gone (unplugged, or its device node now points elsewhere). */
export class BusGoneError extends DriverError {}

/** Buses by device path, shared by the devices of one driver registry; ref-counted. */
export class BusPool {
  readonly #buses = new Map<string, { bus: ModbusBus; users: number }>();

  /** The bus on `path`, opened on first use; `release()` it when done. */
  acquire(path: string, settings: BusSettings, Modbus: ModbusRtuClass): ModbusBus {
    const entry = this.#buses.get(path);
    if (entry) {
      if (!sameSettings(entry.bus.settings, settings))
        throw new DriverError(
          `modbus port ${path} is already open with ${describeSettings(entry.bus.settings)}; this device asks for ${describeSettings(settings)}: give every device on one bus the same baudRate, parity, dataBits and stopBits`,
        );
      entry.users++;
      return entry.bus;
    }
    const bus = new ModbusBus(path, settings, Modbus);
    this.#buses.set(path, { bus, users: 1 });
    return bus;
  }

  /** Drops one user of `bus`; the last one closes the port. */
  async release(bus: ModbusBus): Promise<void> {
    const entry = this.#buses.get(bus.path);
    if (!entry || entry.bus !== bus) return bus.close();
    entry.users--;
    if (entry.users > 0) return;
    this.#buses.delete(bus.path);
    await bus.close();
  }
}

/** One serial port and its request queue. */
export class ModbusBus {
  #client: ModbusRTU | undefined;
  #opening: Promise<ModbusRTU> | undefined;
  /** What the path resolved to when the port was opened: a different answer means a replug. */
  #openedTarget: string | undefined;
  #tail: Promise<unknown> = Promise.resolve();
  #closed = false;
  /** Requests sent on this bus (for `devices test` and the bench). */
  requests = 0;

  constructor(
    readonly path: string,
    readonly settings: BusSettings,
    private readonly Modbus: ModbusRtuClass,
  ) {}

  /**
   * Runs `call` alone on the bus, addressed to `unitId`, with the response awaited at most
   * `timeoutMs`. Rejects with {@link BusGoneError} when the adapter is gone.
   */
  run<T>(unitId: number, timeoutMs: number, call: (client: ModbusRTU) => Promise<T>): Promise<T> {
    const turn = this.#tail.then(() => this.#runNow(unitId, timeoutMs, call));
    this.#tail = turn.catch(() => undefined);
    return turn;
  }

  async #runNow<T>(unitId: number, timeoutMs: number, call: (client: ModbusRTU) => Promise<T>): Promise<T> {
    if (this.#closed) throw new BusGoneError(`modbus port ${this.path} was closed`);
    const client = await this.#open();
    // serialport is not told when a PTY's other side goes away, and not always when a USB
    // adapter is pulled: the device node vanishing (or pointing elsewhere) means unplugged.
    const target = await realpath(this.path).catch(() => undefined);
    if (target !== this.#openedTarget || !client.isOpen) {
      await this.#drop();
      throw new BusGoneError(
        `modbus port ${this.path} is gone (${target === undefined ? 'device node missing' : 'device node changed or port closed'}); is the adapter plugged in?`,
      );
    }
    client.setID(unitId);
    client.setTimeout(timeoutMs);
    discardStaleBytes(client);
    this.requests++;
    return call(client);
  }

  #open(): Promise<ModbusRTU> {
    if (this.#client) return Promise.resolve(this.#client);
    this.#opening ??= (async () => {
      const client = new this.Modbus();
      try {
        this.#openedTarget = await realpath(this.path).catch(() => undefined);
        await client.connectRTUBuffered(this.path, { ...this.settings });
      } catch (error) {
        throw new BusGoneError(
          `cannot open modbus port ${this.path}: ${error instanceof Error ? error.message : String(error)}`,
          { cause: error },
        );
      } finally {
        this.#opening = undefined;
      }
      // A port closed under us (unplug seen by serialport) is reopened at the next request.
      client.on('close', () => {
        if (this.#client === client) this.#client = undefined;
      });
      this.#client = client;
      return client;
    })();
    return this.#opening;
  }

  async #drop(): Promise<void> {
    const client = this.#client;
    this.#client = undefined;
    if (client?.isOpen) await new Promise<void>((resolve) => client.close(() => resolve()));
  }

  /** Closes the port after the request in flight (if any) settles. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#tail;
    await this.#opening?.catch(() => undefined);
    await this.#drop();
  }
}

/**
 * Bytes already waiting before a request is sent are the rest of an earlier torn or late
 * frame (the master speaks first on a half-duplex bus): dropped, so they cannot be read as
 * the start of the next answer, which may belong to another device.
 */
function discardStaleBytes(client: ModbusRTU): void {
  const port = (client as unknown as { _port?: { _buffer?: Buffer } })._port;
  if (port && Buffer.isBuffer(port._buffer) && port._buffer.length > 0) port._buffer = Buffer.alloc(0);
}

function sameSettings(a: BusSettings, b: BusSettings): boolean {
  return (
    a.baudRate === b.baudRate &&
    a.parity === b.parity &&
    a.dataBits === b.dataBits &&
    a.stopBits === b.stopBits
  );
}

function describeSettings(s: BusSettings): string {
  return `${s.baudRate} baud ${s.dataBits}${s.parity[0]!.toUpperCase()}${s.stopBits}`;
}
