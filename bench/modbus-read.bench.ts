// Readings/s through the modbus driver (one bus, 10 holding registers per request, the
// driver's read() as the monitor calls it) beside modbus-serial's client alone reading the
// same 10 registers, against the same real RTU slave on a socat PTY. Goal: ≥ 0.8 of the client.
import ModbusSerial from 'modbus-serial';
import type { ModbusRTU } from 'modbus-serial/ModbusRTU.js';
import { createModbusDriver, validateModbusConfig } from '../src/monitor/intake/drivers/modbus/modbus.js';
import { Scheduler } from '../src/scheduler/index.js';
import { startModbusSlave } from '../test/helpers/modbus-slave.js';
import { report, type Figure } from './lib/report.js';

const REQUESTS = Number(process.env.RASPIMON_BENCH_MODBUS_REQUESTS ?? 300);
const ROUNDS = 3;
const POINTS = 10;
// A CommonJS class: under ESM the default import is the class itself.
const Client = ModbusSerial as unknown as typeof ModbusRTU;
const silent = { debug() {}, info() {}, warning() {}, error() {}, alert() {} };
const slave = await startModbusSlave();
slave.setRegisters(
  'holding',
  1,
  0,
  Array.from({ length: POINTS }, (_, i) => i * 11),
);
const scheduler = new Scheduler().start();
const best = { driver: 0, client: 0 };
try {
  for (let round = 0; round < ROUNDS; round++) {
    // modbus-serial alone: one client, one unit, the same request over and over.
    const client = new Client();
    await client.connectRTUBuffered(slave.device, { baudRate: 9600 });
    client.setID(1);
    client.setTimeout(1000);
    let t = performance.now();
    for (let i = 0; i < REQUESTS; i++) await client.readHoldingRegisters(0, POINTS);
    best.client = Math.max(best.client, (REQUESTS * POINTS) / ((performance.now() - t) / 1000));
    await new Promise<void>((resolve) => client.close(() => resolve()));

    // raspimon's driver: 10 points planned into one request, queued on the shared bus, decoded.
    const check = validateModbusConfig({
      path: slave.device,
      points: Array.from({ length: POINTS }, (_, i) => ({
        keyId: i,
        unitId: 1,
        register: i,
        kind: 'holding',
      })),
    });
    if (!check.ok) throw new Error(JSON.stringify(check.problems));
    const device = {
      ...{ id: 1, name: 'meter', description: '', vendorId: undefined, productId: undefined },
      ...{ driver: 'modbus', config: check.config, intervalSeconds: 1, enabled: true, keyIds: undefined },
    };
    const driver = createModbusDriver().create(check.config, {
      device,
      logger: silent,
      emit: () => undefined,
      fail: () => undefined,
      now: () => scheduler.now(),
      scheduler,
    });
    await driver.start!();
    let readings = 0;
    t = performance.now();
    for (let i = 0; i < REQUESTS; i++) readings += (await driver.read!()).length;
    best.driver = Math.max(best.driver, readings / ((performance.now() - t) / 1000));
    await driver.stop!();
    if (readings !== REQUESTS * POINTS)
      throw new Error(`driver read ${readings} readings, expected ${REQUESTS * POINTS}`);
  }
  const figures: Figure[] = [
    {
      who: 'raspimon',
      metric: 'readings/s, 10 registers per request',
      value: Math.round(best.driver),
      unit: 'readings/s',
      lowerIsBetter: false,
    },
    {
      who: 'modbus-serial client alone',
      metric: 'readings/s, 10 registers per request',
      value: Math.round(best.client),
      unit: 'readings/s',
      lowerIsBetter: false,
    },
  ];
  report('modbus-read', figures);
  console.log(
    `\nratio raspimon / modbus-serial: ${(best.driver / best.client).toFixed(2)} (goal ≥ 0.8; best of ${ROUNDS} rounds of ${REQUESTS} requests)`,
  );
} finally {
  await scheduler.stop();
  await slave.close();
}
