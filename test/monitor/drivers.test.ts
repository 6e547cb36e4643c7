import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildRegistry } from '../../src/monitor/drivers/registry.js';
import { DriverError, type DeviceSpec, type DriverContext } from '../../src/monitor/index.js';
import { recordingLogger, tempDir } from './support.js';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => (tmp = tempDir('raspimon-drivers-')));
afterEach(() => tmp.remove());

const registry = buildRegistry();

function create(driver: string, rawConfig: Record<string, unknown>): { read: () => Promise<unknown> } {
  const definition = registry.get(driver)!;
  const check = definition.validateConfig!(rawConfig);
  if (!check.ok) throw new Error(JSON.stringify(check.problems));
  const device: DeviceSpec = {
    id: 1,
    name: 'd',
    description: '',
    vendorId: undefined,
    productId: undefined,
    driver,
    config: check.config,
    intervalSeconds: 1,
    enabled: true,
    keyIds: check.keyIds,
  };
  const context = {
    device,
    logger: recordingLogger(),
    emit: () => undefined,
    fail: () => undefined,
    now: () => 0,
  } as unknown as DriverContext;
  const instance = definition.create(check.config, context);
  return { read: async () => instance.read!() };
}

describe('system driver', () => {
  it('reads temperature, load, memory, disk and uptime from injectable paths', async () => {
    const proc = path.join(tmp.dir, 'proc');
    mkdirSync(proc);
    writeFileSync(path.join(proc, 'loadavg'), '0.52 0.58 0.59 1/403 12345\n');
    writeFileSync(
      path.join(proc, 'meminfo'),
      'MemTotal:        3884360 kB\nMemFree:          100000 kB\nMemAvailable:    2512000 kB\n',
    );
    writeFileSync(path.join(proc, 'uptime'), '12345.67 45678.90\n');
    writeFileSync(path.join(tmp.dir, 'temp'), '48312\n');
    const driver = create('system', {
      keys: {
        cpuTemperature: 1,
        load1: 2,
        load15: 3,
        memTotal: 4,
        memAvailable: 5,
        diskFree: 6,
        diskTotal: 7,
        uptime: 8,
      },
      thermalPath: path.join(tmp.dir, 'temp'),
      procRoot: proc,
      diskPath: tmp.dir,
    });
    const readings = (await driver.read()) as Array<{ keyId: number; value: number }>;
    const byKey = Object.fromEntries(readings.map((r) => [r.keyId, r.value]));
    expect(byKey).toMatchObject({ 1: 48312, 2: 52, 3: 59, 4: 3884360, 5: 2512000, 8: 12346 });
    expect(byKey[7]).toBeGreaterThan(0);
    expect(byKey[6]).toBeGreaterThanOrEqual(0);
    expect(readings.every((r) => Number.isSafeInteger(r.value))).toBe(true);
  });

  it('reads only the metrics listed in keys', async () => {
    writeFileSync(path.join(tmp.dir, 'uptime'), '5.2 1.0\n');
    const driver = create('system', { keys: { uptime: 9 }, procRoot: tmp.dir, thermalPath: '/nonexistent' });
    expect(await driver.read()).toEqual([{ keyId: 9, value: 5 }]);
  });
});

describe('file driver', () => {
  it('reads a DS18B20-style temperature file with scale and offset; no number is a device error', async () => {
    const file = path.join(tmp.dir, 'temperature');
    writeFileSync(file, '21562\n');
    expect(await create('file', { path: file, keyId: 4 }).read()).toEqual([{ keyId: 4, value: 21562 }]);
    expect(await create('file', { path: file, keyId: 4, scale: 0.1, offset: -100 }).read()).toEqual([
      { keyId: 4, value: 2056 },
    ]);
    writeFileSync(file, 'not ready\n');
    await expect(create('file', { path: file, keyId: 4 }).read()).rejects.toBeInstanceOf(DriverError);
  });
});
