import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createModbusDriver,
  validateModbusConfig,
} from '../../../../../src/monitor/intake/drivers/modbus/modbus.js';
import type { Driver, DriverReading } from '../../../../../src/monitor/index.js';
import type { Scheduler } from '../../../../../src/scheduler/index.js';
import { recordFigure } from '../../../../helpers/figures.js';
import { startModbusSlave, type ModbusSlave } from '../../../../helpers/modbus-slave.js';
import { realScheduler } from '../../../support.js';
import { deviceSpec, driverContext } from '../driver-context.js';

let slave: ModbusSlave;
let scheduler: Scheduler;
const running: Driver[] = [];

beforeAll(async () => {
  slave = await startModbusSlave();
  scheduler = realScheduler();
});

afterEach(async () => {
  for (const driver of running.splice(0)) await driver.stop?.();
  for (const unit of [1, 2, 3, 7]) slave.setFault(unit, 'none');
});

afterAll(async () => {
  await slave.close();
  await scheduler.stop();
});

function config(points: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  const check = validateModbusConfig({ path: slave.device, timeoutSeconds: 1, points, ...extra });
  if (!check.ok) throw new Error(JSON.stringify(check.problems));
  return check.config;
}

async function startDevice(
  definition: ReturnType<typeof createModbusDriver>,
  id: number,
  points: unknown[],
  extra: Record<string, unknown> = {},
) {
  const cfg = config(points, extra);
  const context = driverContext(deviceSpec(id, 'modbus', cfg), scheduler);
  const driver = definition.create(cfg, context);
  running.push(driver);
  await driver.start?.();
  return { driver, context, read: async () => (await driver.read!()) as DriverReading[] };
}

const byKey = (readings: readonly DriverReading[]): Record<number, number> =>
  Object.fromEntries(readings.map((r) => [r.keyId, r.value]));

describe('modbus driver against a real RTU slave on a socat PTY', () => {
  it('reads every point type and word order from the registers the test writes, in one request per contiguous span', async () => {
    // float32 230.5 = 0x4366 0x8000; int32 -123456 = 0xFFFE 0x1DC0; uint32 4000000000 = 0xEE6B 0x2800
    slave.setRegisters('holding', 1, 100, [0xfffe, 0x1dc0, 0x2800, 0xee6b, 0x4366, 0x8000, 0xff85, 65000]);
    slave.setRegisters('input', 1, 0, [2301, 0x8000, 0x4366]);
    slave.setBits('coil', 1, 10, [true, false, true]);
    slave.setBits('discrete', 1, 0, [false, true]);
    const { read } = await startDevice(createModbusDriver(), 1, [
      { keyId: 1, unitId: 1, register: 100, kind: 'holding', type: 'int32' },
      { keyId: 2, unitId: 1, register: 102, kind: 'holding', type: 'uint32', wordOrder: 'little' },
      { keyId: 3, unitId: 1, register: 104, kind: 'holding', type: 'float32', scale: 10 },
      { keyId: 4, unitId: 1, register: 106, kind: 'holding', type: 'int16' },
      { keyId: 5, unitId: 1, register: 107, kind: 'holding', type: 'uint16', scale: 2, offset: -1 },
      { keyId: 6, unitId: 1, register: 0, kind: 'input', type: 'uint16', scale: 0.1 },
      { keyId: 7, unitId: 1, register: 1, kind: 'input', type: 'float32', wordOrder: 'little' },
      { keyId: 8, unitId: 1, register: 10, kind: 'coil' },
      { keyId: 9, unitId: 1, register: 12, kind: 'coil', type: 'bool' },
      { keyId: 10, unitId: 1, register: 1, kind: 'discrete' },
    ]);
    const before = slave.counts.requests;
    expect(byKey(await read())).toEqual({
      1: -123456,
      2: 4_000_000_000,
      3: 2305,
      4: -123,
      5: 129_999,
      6: 230.1,
      7: 230.5,
      8: 1,
      9: 1,
      10: 1,
    });
    // holding 100..107, input 0..2, coil 10, coil 12 (11 is a gap: not read), discrete 1.
    expect(slave.counts.requests - before).toBe(5);
    slave.setRegisters('holding', 1, 106, [5]);
    expect(byKey(await read())[4]).toBe(5);
  });

  it('shares one port between devices on three unit ids; a silent, excepting, bad-CRC or torn slave costs only its own device, once per spell, and reading resumes', async () => {
    const definition = createModbusDriver();
    for (const unit of [1, 2, 3]) slave.setRegisters('holding', unit, 0, [unit * 100, unit * 100 + 1]);
    const devices = await Promise.all(
      [1, 2, 3].map((unit) =>
        startDevice(definition, unit, [
          { keyId: unit * 10, unitId: unit, register: 0, kind: 'holding' },
          { keyId: unit * 10 + 1, unitId: unit, register: 1, kind: 'holding' },
        ]),
      ),
    );
    const readAll = () => Promise.all(devices.map((d) => d.read()));
    // Concurrent reads of three devices on one port: each gets its own answers, never another's.
    for (let round = 0; round < 3; round++)
      expect((await readAll()).map(byKey)).toEqual([
        { 10: 100, 11: 101 },
        { 20: 200, 21: 201 },
        { 30: 300, 31: 301 },
      ]);

    for (const fault of ['silent', 'exception', 'crc', 'torn'] as const) {
      slave.setFault(2, fault);
      for (let round = 0; round < 3; round++) {
        const results = (await readAll()).map(byKey);
        expect(results[0]).toEqual({ 10: 100, 11: 101 });
        expect(results[1]).toEqual({});
        expect(results[2]).toEqual({ 30: 300, 31: 301 });
      }
      slave.setFault(2, 'none');
      slave.setRegisters('holding', 2, 0, [222]);
      expect(byKey(await devices[1]!.read())).toEqual({ 20: 222, 21: 201 });
      slave.setRegisters('holding', 2, 0, [200]);
    }
    const log = devices[1]!.context.logger;
    const errors = log.records.filter((r) => r.level === 'error').map((r) => r.message);
    // One error per spell (the first failed request), one recovery line with the counts.
    recordFigure({
      id: 'modbus.slave-faults.error-lines',
      label: 'error lines for 4 fault spells (silent, exception, bad CRC, torn) of 3 failed requests each',
      value: errors.length,
      unit: 'lines',
      bound: '= 4',
    });
    expect(errors).toHaveLength(4);
    expect(errors[0]).toMatch(/unit 2 holding 0\.\.1 .*no answer within timeoutSeconds/);
    expect(errors[1]).toMatch(/exception 2 \(illegal data address\)/);
    expect(errors[2]).toMatch(/bad CRC/);
    expect(errors[3]).toMatch(/torn frame: \d+ byte\(s\) of an answer, then silence/);
    const recoveries = log.records.filter((r) => r.level === 'info').map((r) => r.message);
    expect(recoveries).toEqual([
      'recovered after 3 failed requests (timeout 3)',
      'recovered after 3 failed requests (exception 3)',
      'recovered after 3 failed requests (crc 3)',
      'recovered after 3 failed requests (torn 3)',
    ]);
    expect(devices[0]!.context.logger.text('error')).toBe('');
    expect(devices[2]!.context.logger.text('error')).toBe('');
  });

  it('a silent unit costs one timeout per poll: its other requests in that poll are not sent', async () => {
    slave.setRegisters('holding', 3, 0, [1, 0, 3]);
    const { read, context } = await startDevice(createModbusDriver(), 3, [
      { keyId: 1, unitId: 3, register: 0, kind: 'holding' },
      { keyId: 2, unitId: 3, register: 2, kind: 'holding' },
      { keyId: 3, unitId: 3, register: 0, kind: 'coil' },
    ]);
    let before = slave.counts.requests;
    expect(byKey(await read())).toEqual({ 1: 1, 2: 3, 3: 0 });
    expect(slave.counts.requests - before).toBe(3);
    slave.setFault(3, 'silent');
    before = slave.counts.requests;
    expect(await read()).toEqual([]);
    expect(slave.counts.requests - before).toBe(1);
    slave.setFault(3, 'none');
    expect(byKey(await read())).toEqual({ 1: 1, 2: 3, 3: 0 });
    expect(context.logger.text('info')).toBe('recovered after 3 failed requests (timeout 1, skipped 2)');
  });

  it('an unplugged adapter is one error per spell; after the replug the port is found again by its USB ids and reading resumes by itself', async () => {
    slave.setRegisters('input', 7, 5, [42]);
    let listing = [{ path: slave.device, vendorId: '0403', productId: '6001', manufacturer: 'FTDI' }];
    const definition = createModbusDriver({ list: async () => listing });
    const { read, context } = await startDevice(
      definition,
      7,
      [{ keyId: 70, unitId: 7, register: 5, kind: 'input' }],
      {
        path: undefined,
        vendorId: '0403',
        productId: '6001',
      },
    );
    expect(byKey(await read())).toEqual({ 70: 42 });
    await slave.unplug();
    listing = [];
    for (let i = 0; i < 4; i++) expect(await read()).toEqual([]);
    const unplugErrors = context.logger.records.filter((r) => r.level === 'error').length;
    recordFigure({
      id: 'modbus.unplug.error-lines',
      label: 'error lines while the RS-485 adapter was unplugged for 4 polls',
      value: unplugErrors,
      unit: 'lines',
      bound: '= 1',
    });
    expect(unplugErrors).toBe(1);
    expect(context.logger.text('error')).toMatch(
      /gone|cannot open modbus port|no serial port with vendorId 0403/,
    );
    const replugged = await slave.replug();
    listing = [{ path: replugged, vendorId: '0403', productId: '6001', manufacturer: 'FTDI' }];
    slave.setRegisters('input', 7, 5, [43]);
    expect(byKey(await read())).toEqual({ 70: 43 });
    expect(context.logger.text('info')).toMatch(/recovered after 4 failed requests \(unplugged 4\)/);
  });
});

describe('modbus config validation', () => {
  it('names each bad field once, and fills the defaults', () => {
    const bad = validateModbusConfig({
      path: '/dev/ttyUSB0',
      parity: 'mark',
      stopBits: 3,
      points: [
        { keyId: 1, unitId: 0, register: 1, kind: 'holding', type: 'int16' },
        { keyId: 2, unitId: 1, register: 1, kind: 'coil', type: 'int16' },
        { keyId: 3, unitId: 1, register: 70000, kind: 'table' },
      ],
    });
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.problems.map((p) => p.field)).toEqual([
      'config.parity',
      'config.stopBits',
      'config.points[0].unitId',
      'config.points[1].type',
      'config.points[2].register',
      'config.points[2].kind',
    ]);
    const good = validateModbusConfig({
      path: '/dev/ttyUSB0',
      points: [{ keyId: 1, unitId: 1, register: 0, kind: 'input' }],
    });
    expect(good).toMatchObject({
      ok: true,
      config: { baudRate: 9600, parity: 'none', dataBits: 8, stopBits: 1, timeoutSeconds: 1 },
      keyIds: [1],
    });
  });
});
