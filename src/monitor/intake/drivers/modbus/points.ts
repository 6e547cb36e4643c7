// Pure core of the modbus driver: point validation, the request plan (adjacent registers on
// one unit and one table in one request) and value decoding. No I/O.
import { showValue } from '../../../config/validate.js';
import { checkKeyId, isPlainObject } from '../config-fields.js';
import type { DriverConfigProblem } from '../../../types.js';

/** Modbus data tables: holding/input registers (16-bit words), coils/discrete inputs (bits). */
export type ModbusKind = 'holding' | 'input' | 'coil' | 'discrete';
/** How a point's words become a number. */
export type ModbusType = 'int16' | 'uint16' | 'int32' | 'uint32' | 'float32' | 'bool';

/** One value read from a slave, as configured in a device's `config.points`. */
export interface ModbusPoint {
  /** The key the reading is stored under. */
  keyId: number;
  /** Slave address on the bus, 1..247. */
  unitId: number;
  /** Register or coil address, 0-based as on the wire (0..65535). */
  register: number;
  /** Which table: `'holding'` (FC3), `'input'` (FC4), `'coil'` (FC1), `'discrete'` (FC2). */
  kind: ModbusKind;
  /** `'bool'` for coils/discrete inputs; a 16- or 32-bit type for registers. */
  type: ModbusType;
  /**
   * Of a 32-bit value: `'big'` = high word first (the Modbus convention), `'little'` = low word first.
   * @default 'big'
   */
  wordOrder: 'big' | 'little';
  /**
   * Multiplies the raw value.
   * @default 1
   */
  scale: number;
  /**
   * Added after scaling.
   * @default 0
   */
  offset: number;
}

/** One read on the wire: a function code over a span of one unit's table. */
export interface ModbusRequest {
  unitId: number;
  kind: ModbusKind;
  /** First address read. */
  start: number;
  /** Registers (or bits) read. */
  count: number;
  /** The points this request answers, each with its position in the response. */
  points: ModbusPoint[];
}

const kinds: readonly ModbusKind[] = ['holding', 'input', 'coil', 'discrete'];
const types: readonly ModbusType[] = ['int16', 'uint16', 'int32', 'uint32', 'float32', 'bool'];
/** The protocol's limits per request (Modbus spec §6.1–6.4). */
const maxRegisters = 125;
const maxBits = 2000;

/** Words a point occupies: 2 for 32-bit types, else 1. */
export function pointWidth(point: Pick<ModbusPoint, 'type'>): number {
  return point.type === 'int32' || point.type === 'uint32' || point.type === 'float32' ? 2 : 1;
}

function isBitKind(kind: ModbusKind): boolean {
  return kind === 'coil' || kind === 'discrete';
}

/** Checks `config.points`; returns the normalised points (defaults filled) and every problem. */
export function checkPoints(value: unknown, problems: DriverConfigProblem[]): ModbusPoint[] {
  if (!Array.isArray(value) || value.length === 0) {
    problems.push({
      field: 'config.points',
      message: `must be a non-empty array of { keyId, unitId, register, kind, type }, got ${showValue(value)}`,
    });
    return [];
  }
  const points: ModbusPoint[] = [];
  value.forEach((raw: unknown, index) => {
    const field = `config.points[${index}]`;
    if (!isPlainObject(raw)) {
      problems.push({ field, message: `must be an object, got ${showValue(raw)}` });
      return;
    }
    const before = problems.length;
    const known = ['keyId', 'unitId', 'register', 'kind', 'type', 'wordOrder', 'scale', 'offset'];
    for (const name of Object.keys(raw))
      if (!known.includes(name))
        problems.push({
          field: `${field}.${name}`,
          message: `is not a known option; known: ${known.join(', ')}`,
        });
    const keyId = checkKeyId(raw.keyId, `${field}.keyId`, problems);
    const unitId = integerIn(raw.unitId, 1, 247, `${field}.unitId`, problems);
    const register = integerIn(raw.register, 0, 65535, `${field}.register`, problems);
    const kind = raw.kind as ModbusKind;
    if (!kinds.includes(kind))
      problems.push({
        field: `${field}.kind`,
        message: `must be one of ${kinds.join(', ')}, got ${showValue(raw.kind)}`,
      });
    const type = (raw.type ?? (isBitKind(kind) ? 'bool' : 'uint16')) as ModbusType;
    if (!types.includes(type))
      problems.push({
        field: `${field}.type`,
        message: `must be one of ${types.join(', ')}, got ${showValue(raw.type)}`,
      });
    else if (kinds.includes(kind) && isBitKind(kind) !== (type === 'bool'))
      problems.push({
        field: `${field}.type`,
        message: isBitKind(kind)
          ? `must be 'bool' for a ${kind} point, got ${showValue(type)}`
          : `'bool' is for coil and discrete points; a ${kind} register is int16, uint16, int32, uint32 or float32`,
      });
    const wordOrder = (raw.wordOrder ?? 'big') as ModbusPoint['wordOrder'];
    if (wordOrder !== 'big' && wordOrder !== 'little')
      problems.push({
        field: `${field}.wordOrder`,
        message: `must be 'big' or 'little', got ${showValue(wordOrder)}`,
      });
    const scale = finite(raw.scale, 1, `${field}.scale`, problems);
    const offset = finite(raw.offset, 0, `${field}.offset`, problems);
    if (problems.length === before && keyId !== undefined && unitId !== undefined && register !== undefined)
      points.push({ keyId, unitId, register, kind, type, wordOrder, scale, offset });
  });
  return points;
}

/**
 * Groups points into requests: the same unit and table, sorted by address, merged while the
 * span stays contiguous (or overlapping) and within the protocol's per-request limit. A gap
 * starts a new request: reading unmapped registers can make a slave answer with exception 2.
 */
export function planRequests(points: readonly ModbusPoint[]): ModbusRequest[] {
  const sorted = [...points].sort(
    (a, b) => a.unitId - b.unitId || kinds.indexOf(a.kind) - kinds.indexOf(b.kind) || a.register - b.register,
  );
  const requests: ModbusRequest[] = [];
  let current: ModbusRequest | undefined;
  for (const point of sorted) {
    const end = point.register + (isBitKind(point.kind) ? 1 : pointWidth(point));
    const limit = isBitKind(point.kind) ? maxBits : maxRegisters;
    if (
      current &&
      current.unitId === point.unitId &&
      current.kind === point.kind &&
      point.register <= current.start + current.count &&
      Math.max(end, current.start + current.count) - current.start <= limit
    ) {
      current.count = Math.max(end, current.start + current.count) - current.start;
      current.points.push(point);
      continue;
    }
    current = {
      unitId: point.unitId,
      kind: point.kind,
      start: point.register,
      count: end - point.register,
      points: [point],
    };
    requests.push(current);
  }
  return requests;
}

/** Decodes one point from a register response (words as unsigned 16-bit numbers) or bit response. */
export function decodePoint(
  point: ModbusPoint,
  request: ModbusRequest,
  words: readonly number[] | readonly boolean[],
): number {
  const at = point.register - request.start;
  let raw: number;
  if (point.type === 'bool') raw = words[at] ? 1 : 0;
  else {
    const w = words as readonly number[];
    const first = w[at]!;
    if (pointWidth(point) === 1) raw = point.type === 'int16' ? (first << 16) >> 16 : first;
    else {
      const second = w[at + 1]!;
      const [high, low] = point.wordOrder === 'big' ? [first, second] : [second, first];
      const buffer = Buffer.alloc(4);
      buffer.writeUInt16BE(high, 0);
      buffer.writeUInt16BE(low, 2);
      raw =
        point.type === 'int32'
          ? buffer.readInt32BE(0)
          : point.type === 'uint32'
            ? buffer.readUInt32BE(0)
            : // float32 holds ~7 significant digits: drop the binary noise (230.1 reads 230.10000610).
              Number(buffer.readFloatBE(0).toPrecision(7));
    }
  }
  // toPrecision(12): 2301 rather than 2301.0000000000005 after a scale of 0.1 or 10.
  return Number((raw * point.scale + point.offset).toPrecision(12));
}

function integerIn(
  value: unknown,
  min: number,
  max: number,
  field: string,
  problems: DriverConfigProblem[],
): number | undefined {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= min && value <= max) return value;
  problems.push({ field, message: `must be an integer from ${min} to ${max}, got ${showValue(value)}` });
  return undefined;
}

function finite(value: unknown, fallback: number, field: string, problems: DriverConfigProblem[]): number {
  if (value === undefined) return fallback;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  problems.push({ field, message: `must be a finite number, got ${showValue(value)}` });
  return fallback;
}
