// The modbus driver as a user meets it: `raspimon devices test` saying what a config costs,
// and a Monitor storing three unit ids of one bus in FerretDB.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Monitor } from '../../../../../src/monitor/index.js';
import { mongodbUri } from '../../../../helpers/mongo.js';
import { startModbusSlave, type ModbusSlave } from '../../../../helpers/modbus-slave.js';
import { waitFor } from '../../../../helpers/wait.js';
import { CliWorld } from '../../../../cli/support.js';
import { realScheduler, recordingLogger, tempDir } from '../../../support.js';

let slave: ModbusSlave;

beforeAll(async () => {
  slave = await startModbusSlave();
});

afterAll(async () => {
  await slave.close();
});

const meterPoints = [
  { keyId: 1, unitId: 1, register: 0, kind: 'input', type: 'float32' },
  { keyId: 2, unitId: 1, register: 2, kind: 'input', type: 'uint16' },
  { keyId: 3, unitId: 2, register: 100, kind: 'holding', type: 'int16' },
];

describe('modbus devices in the CLI and the monitor', () => {
  it('`raspimon devices test` reads a modbus device once and says how many requests one poll costs', async () => {
    const world = new CliWorld();
    try {
      for (const [key, unit] of [
        [1, 'V'],
        [2, 'W'],
        [3, 'dC'],
      ] as const)
        expect((await world.run(['keys', 'add', '--key', String(key), '--unit', unit])).code).toBe(0);
      const config = JSON.stringify({ path: slave.device, timeoutSeconds: 1, points: meterPoints });
      const add = [
        'devices',
        'add',
        '--id',
        '5',
        '--name',
        'meter',
        '--driver',
        'modbus',
        '--config',
        config,
      ];
      expect((await world.run(add)).code).toBe(0);
      slave.setRegisters('input', 1, 0, [0x4366, 0x8000, 1250]);
      slave.setRegisters('holding', 2, 100, [-45]);
      const result = await world.run(['devices', 'test', 'meter']);
      expect(result.stderr).toBe('');
      expect(result.stdout).toContain(
        '2 request(s) per poll for 3 point(s): unit 1 input 0..2, unit 2 holding 100\n',
      );
      const json = JSON.parse((await world.run(['devices', 'test', 'meter', '--json'])).stdout) as unknown[];
      expect(json).toEqual([
        expect.objectContaining({ keyId: 1, value: 230.5 }),
        expect.objectContaining({ keyId: 2, value: 1250, stored: true }),
        expect.objectContaining({ keyId: 3, value: -45, stored: true }),
      ]);
    } finally {
      await world.dispose();
    }
  });

  it('a monitor stores readings of three unit ids on one bus, as the slave changes them', async () => {
    const scheduler = realScheduler();
    const state = tempDir();
    const world = new CliWorld();
    const logger = recordingLogger();
    try {
      await world.db
        .collection('keys')
        .insertMany([1, 2, 3].map((keyId) => ({ keyId, unit: 'W', description: '' })));
      await world.db.collection('devices').insertMany(
        [1, 2, 3].map((unit) => ({
          id: unit,
          name: `inverter-${unit}`,
          driver: 'modbus',
          interval: 0.2,
          config: {
            path: slave.device,
            timeoutSeconds: 1,
            points: [{ keyId: unit, unitId: unit, register: 0, kind: 'holding' }],
          },
        })),
      );
      for (const unit of [1, 2, 3]) slave.setRegisters('holding', unit, 0, [unit * 1000]);
      const monitor = new Monitor({
        uri: mongodbUri(),
        namespace: world.namespace,
        scheduler,
        logger,
        stateDir: state.dir,
        flushSeconds: 0.05,
        pollSeconds: 3600,
      });
      await monitor.start();
      try {
        const values = async (id: number) =>
          (await world.db.collection('readings').find({ id }).toArray()).map((d) => d.value as number);
        await waitFor(
          async () => (await Promise.all([1, 2, 3].map(values))).every((v) => v.length > 0),
          10_000,
          'readings',
        );
        for (const unit of [1, 2, 3]) expect(new Set(await values(unit))).toEqual(new Set([unit * 1000]));
        slave.setRegisters('holding', 2, 0, [2002]);
        await waitFor(async () => (await values(2)).includes(2002), 10_000, 'the changed register');
        expect(logger.text('error')).toBe('');
      } finally {
        await monitor.stop();
      }
    } finally {
      await world.dispose();
      await scheduler.stop();
      state.remove();
    }
  });
});
