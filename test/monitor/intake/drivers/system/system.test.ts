import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseMeminfo, probeSystemMetrics } from '../../../../../src/monitor/intake/drivers/system/system.js';
import { makeFakePiHealth } from '../../../../helpers/fake-pi-health.js';
import { recordingLogger, tempDir } from '../../../support.js';
import { createDriver as create } from '../support.js';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => (tmp = tempDir('raspimon-drivers-')));
afterEach(() => tmp.remove());

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

describe('system driver: Pi health', () => {
  const throttleKeys = {
    throttledFlags: 10,
    underVoltage: 11,
    underVoltageOccurred: 12,
    frequencyCapped: 13,
    frequencyCappedOccurred: 14,
    throttled: 15,
    throttledOccurred: 16,
    softTempLimit: 17,
    softTempLimitOccurred: 18,
  };

  it('reads the firmware throttling flags from a fake sysfs get_throttled (under-voltage now and since boot)', async () => {
    // 0x50005: under-voltage now (bit 0) and since boot (16), throttled now (2) and since boot (18).
    const fake = makeFakePiHealth({ throttled: '50005' });
    try {
      const driver = create('system', {
        keys: throttleKeys,
        sysRoot: fake.sysRoot,
        vcgencmd: '/nonexistent',
      });
      const byKey = Object.fromEntries(
        ((await driver.read()) as Array<{ keyId: number; value: number }>).map((r) => [r.keyId, r.value]),
      );
      expect(byKey).toEqual({ 10: 0x50005, 11: 1, 12: 1, 13: 0, 14: 0, 15: 1, 16: 1, 17: 0, 18: 0 });
    } finally {
      fake.dispose();
    }
  });

  it('finds get_throttled under a Pi 5 soc node, and falls back to vcgencmd get_throttled', async () => {
    const pi5 = makeFakePiHealth({ throttled: '80008', pi5Layout: true });
    const vc = makeFakePiHealth({ vcgencmd: '20002' });
    try {
      const keys = { softTempLimit: 1, softTempLimitOccurred: 2, frequencyCapped: 3 };
      expect(await create('system', { keys, sysRoot: pi5.sysRoot }).read()).toEqual([
        { keyId: 3, value: 0 },
        { keyId: 1, value: 1 },
        { keyId: 2, value: 1 },
      ]);
      expect(await create('system', { keys, sysRoot: vc.sysRoot, vcgencmd: vc.vcgencmd }).read()).toEqual([
        { keyId: 3, value: 1 },
        { keyId: 1, value: 0 },
        { keyId: 2, value: 0 },
      ]);
    } finally {
      pi5.dispose();
      vc.dispose();
    }
  });

  it('reads network byte counters (one interface or all but lo) and the Wi-Fi signal', async () => {
    const fake = makeFakePiHealth({
      net: { lo: [999, 999], eth0: [1_000_000, 2_000], wlan0: [500, 700] },
      wireless: { wlan0: [55, -61] },
    });
    try {
      const all = create('system', {
        keys: { netRxBytes: 1, netTxBytes: 2, wifiSignal: 3, wifiQuality: 4 },
        procRoot: fake.procRoot,
      });
      expect(await all.read()).toEqual([
        { keyId: 1, value: 1_000_500 },
        { keyId: 2, value: 2_700 },
        { keyId: 3, value: -61 },
        { keyId: 4, value: 55 },
      ]);
      const eth0 = create('system', {
        keys: { netRxBytes: 1 },
        procRoot: fake.procRoot,
        netInterface: 'eth0',
      });
      expect(await eth0.read()).toEqual([{ keyId: 1, value: 1_000_000 }]);
    } finally {
      fake.dispose();
    }
  });

  it('a metric the machine lacks is skipped for that metric only, reported once, and probeSystemMetrics names it', async () => {
    const fake = makeFakePiHealth({ net: { eth0: [10, 20] } }); // no firmware, no Wi-Fi, no thermal zone
    try {
      writeFileSync(path.join(fake.procRoot, 'uptime'), '77.1 1.0\n');
      const logger = recordingLogger();
      const config = {
        keys: { uptime: 1, underVoltage: 2, wifiSignal: 3, netTxBytes: 4, cpuTemperature: 5 },
        procRoot: fake.procRoot,
        sysRoot: fake.sysRoot,
        vcgencmd: '/nonexistent/vcgencmd',
        thermalPath: path.join(fake.sysRoot, 'no-thermal'),
      };
      const driver = create('system', config, logger);
      expect(await driver.read()).toEqual([
        { keyId: 1, value: 77 },
        { keyId: 4, value: 20 },
      ]);
      expect(await driver.read()).toHaveLength(2);
      expect(logger.records).toHaveLength(1);
      expect(logger.records[0]!.message).toMatch(/skipped.*cpuTemperature.*underVoltage.*wifiSignal/);
      const probe = await probeSystemMetrics(config);
      expect(probe?.skipped.map((s) => s.metric)).toEqual(['cpuTemperature', 'underVoltage', 'wifiSignal']);
    } finally {
      fake.dispose();
    }
  });
});

describe('system driver parsing', () => {
  it('parses /proc/meminfo', () => {
    expect(
      parseMeminfo('MemTotal:        3884360 kB\nMemAvailable:    2000000 kB\n').get('MemAvailable'),
    ).toBe(2_000_000);
  });
});
