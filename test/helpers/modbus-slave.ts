// A real Modbus RTU slave (modbus-serial's ServerSerial, answering every unit id) on a socat
// PTY pair, behind a relay on a second PTY pair that injects line faults into the slave's
// answers: silence, a bad CRC, a torn frame. The code under test opens `device`.
//
//   driver ── ptyA (device ⇄ peer) ── relay ── ptyB (peer ⇄ device) ── ServerSerial
import { SerialPort } from 'serialport';
import ModbusRTU from 'modbus-serial';
import { startPtyPair, type PtyPair } from './socat.js';
import { waitFor } from './wait.js';

/** A fault the slave side shows for one unit id. */
export type SlaveFault = 'none' | 'silent' | 'exception' | 'crc' | 'torn';

/** The slave's tables, by unit id then address (registers are unsigned 16-bit words). */
export interface SlaveTables {
  holding: Map<number, Map<number, number>>;
  input: Map<number, Map<number, number>>;
  coil: Map<number, Map<number, boolean>>;
  discrete: Map<number, Map<number, boolean>>;
}

export interface ModbusSlave {
  /** The PTY the driver opens (like /dev/ttyUSB0). */
  readonly device: string;
  readonly tables: SlaveTables;
  /** Writes words at `address` on `unitId`'s holding (or input) registers. */
  setRegisters(kind: 'holding' | 'input', unitId: number, address: number, words: readonly number[]): void;
  setBits(kind: 'coil' | 'discrete', unitId: number, address: number, bits: readonly boolean[]): void;
  /** Sets the fault shown for a unit id (`'exception'` answers exception 2, illegal data address). */
  setFault(unitId: number, fault: SlaveFault): void;
  /** Register reads the slave answered (any unit) and read requests (8-byte frames) the relay passed. */
  readonly counts: { answered: number; requests: number };
  /** Pulls the adapter: the driver-side PTY disappears. */
  unplug(): Promise<void>;
  /** Plugs it back, on a new device path (USB ids are how it is found again). */
  replug(): Promise<string>;
  close(): Promise<void>;
}

function table<T>(map: Map<number, Map<number, T>>, unit: number): Map<number, T> {
  let t = map.get(unit);
  if (!t) map.set(unit, (t = new Map()));
  return t;
}

function openPort(path: string): Promise<SerialPort> {
  const port = new SerialPort({ path, baudRate: 9600, autoOpen: false });
  return new Promise((resolve, reject) => port.open((e) => (e ? reject(e) : resolve(port))));
}

function closePort(port: SerialPort | undefined): Promise<void> {
  if (!port?.isOpen) return Promise.resolve();
  return new Promise((resolve) => port.close(() => resolve()));
}

/** Length of the RTU answer starting `frame`, or undefined while too short to tell. */
function answerLength(frame: Buffer): number | undefined {
  if (frame.length < 3) return undefined;
  const fc = frame[1]!;
  if (fc & 0x80) return 5;
  if (fc >= 1 && fc <= 4) return 3 + frame[2]! + 2;
  return 8;
}

/** Starts the slave, the relay and both PTY pairs; resolves once the slave listens. */
export async function startModbusSlave(): Promise<ModbusSlave> {
  const tables: SlaveTables = { holding: new Map(), input: new Map(), coil: new Map(), discrete: new Map() };
  const faults = new Map<number, SlaveFault>();
  const counts = { answered: 0, requests: 0 };
  let requestBytes = 0;
  const exception = (unit: number): void => {
    if (faults.get(unit) === 'exception')
      throw Object.assign(new Error('illegal data address'), { modbusErrorCode: 2 });
  };
  const words = (kind: 'holding' | 'input', address: number, length: number, unit: number): number[] => {
    exception(unit);
    counts.answered++;
    const t = table(tables[kind], unit);
    return Array.from({ length }, (_, i) => t.get(address + i) ?? 0);
  };
  const vector = {
    getHoldingRegister: (address: number, unit: number) => words('holding', address, 1, unit)[0]!,
    getMultipleHoldingRegisters: (address: number, length: number, unit: number) =>
      words('holding', address, length, unit),
    getInputRegister: (address: number, unit: number) => words('input', address, 1, unit)[0]!,
    getMultipleInputRegisters: (address: number, length: number, unit: number) =>
      words('input', address, length, unit),
    getCoil: (address: number, unit: number) => table(tables.coil, unit).get(address) ?? false,
    getDiscreteInput: (address: number, unit: number) => table(tables.discrete, unit).get(address) ?? false,
  };

  const slaveSide = await startPtyPair();
  const server = new ModbusRTU.ServerSerial(vector, {
    path: slaveSide.device,
    baudRate: 9600,
    unitID: 255,
  } as never);
  server.on('error', () => undefined);
  server.on('socketError', () => undefined);
  await waitFor(() => server.socks.size > 0, 5000, 'the Modbus slave to open its port');
  const slavePeer = await openPort(slaveSide.peer);

  let masterSide: PtyPair = await startPtyPair();
  let masterPeer: SerialPort | undefined = await openPort(masterSide.peer);
  let pending = Buffer.alloc(0);
  const wireMaster = (port: SerialPort): void => {
    port.on('data', (chunk: Buffer) => {
      // Every read request (FC 1–4) is 8 bytes; chunks may split or join them.
      requestBytes += chunk.length;
      counts.requests = Math.floor(requestBytes / 8);
      slavePeer.write(chunk);
    });
    port.on('error', () => undefined);
  };
  wireMaster(masterPeer);
  slavePeer.on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    for (;;) {
      const length = answerLength(pending);
      if (length === undefined || pending.length < length) return;
      const frame = Buffer.from(pending.subarray(0, length));
      pending = pending.subarray(length);
      const fault = faults.get(frame[0]!) ?? 'none';
      if (fault === 'silent') continue;
      if (fault === 'crc') frame[frame.length - 1]! ^= 0x5a;
      const out = fault === 'torn' ? frame.subarray(0, Math.ceil(frame.length / 2)) : frame;
      if (masterPeer?.isOpen) masterPeer.write(out);
    }
  });

  return {
    get device() {
      return masterSide.device;
    },
    tables,
    counts,
    setRegisters(kind, unitId, address, values) {
      const t = table(tables[kind], unitId);
      values.forEach((v, i) => t.set(address + i, v & 0xffff));
    },
    setBits(kind, unitId, address, bits) {
      const t = table(tables[kind], unitId);
      bits.forEach((b, i) => t.set(address + i, b));
    },
    setFault(unitId, fault) {
      faults.set(unitId, fault);
    },
    async unplug() {
      const port = masterPeer;
      masterPeer = undefined;
      await closePort(port);
      await masterSide.dispose();
    },
    async replug() {
      masterSide = await startPtyPair();
      masterPeer = await openPort(masterSide.peer);
      wireMaster(masterPeer);
      return masterSide.device;
    },
    async close() {
      await closePort(masterPeer);
      await masterSide.dispose();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await closePort(slavePeer);
      await slaveSide.dispose();
    },
  };
}
