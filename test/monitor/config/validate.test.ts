import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../../src/tools/index.js';
import { buildRegistry } from '../../../src/monitor/intake/drivers/registry.js';

const drivers = buildRegistry({ custom: () => ({ read: () => [] }) });
const keys = [
  { keyId: 1, unit: 'mC', description: 'temperature' },
  { keyId: 2, unit: '%', description: 'humidity' },
];
const good = {
  id: 1,
  name: 'boiler',
  description: '',
  driver: 'file',
  config: { path: '/tmp/t', keyId: 1 },
  interval: 5,
};

describe('validateConfig', () => {
  it('normalises a good device: defaults, driver config defaults, referenced keyIds', () => {
    const { devices, problems } = validateConfig(
      [{ ...good, vendorId: '0403', productId: '6001', interval: undefined }],
      keys,
      drivers,
    );
    expect(problems).toEqual([]);
    expect(devices).toEqual([
      {
        id: 1,
        name: 'boiler',
        description: '',
        vendorId: '0403',
        productId: '6001',
        driver: 'file',
        config: { path: '/tmp/t', keyId: 1, scale: 1, offset: 0 },
        intervalSeconds: 10,
        enabled: true,
        keyIds: [1],
      },
    ]);
  });

  it('accepts the seed aliases pyClass/pyConf, with pyConf as a Python dict string', () => {
    const { devices, problems } = validateConfig(
      [{ id: 3, name: 'x', pyClass: 'serial-line', pyConf: "{'path': '/dev/ttyUSB0', 'keys': {'t': 1}}" }],
      keys,
      drivers,
    );
    expect(problems).toEqual([]);
    expect(devices[0]).toMatchObject({
      driver: 'serial-line',
      config: { path: '/dev/ttyUSB0', baudRate: 9600, keys: { t: 1 } },
      keyIds: [1],
    });
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['id not an integer', { ...good, id: 1.5 }, /^id: must be a non-negative integer, got 1.5 \(number\)/],
    ['id a string', { ...good, id: '1' }, /^id: .*"1" \(string\)/],
    ['name missing', { ...good, name: undefined }, /^name: must be a non-empty string/],
    [
      'unknown driver',
      { ...good, driver: 'nope' },
      /^driver: unknown driver "nope"; known: custom, file, modbus, mqtt, serial-line, system/,
    ],
    [
      'driver and pyClass disagree',
      { ...good, pyClass: 'system' },
      /^driver: and its alias pyClass are both set/,
    ],
    ['config not an object', { ...good, config: 42 }, /^config: must be an object or a dict string, got 42/],
    [
      'pyConf that is code',
      { ...good, config: undefined, pyConf: "__import__('os')" },
      /^pyConf: is not a JSON or Python-literal dict/,
    ],
    ['interval zero', { ...good, interval: 0 }, /^interval: must be a number of seconds/],
    ['interval a string', { ...good, interval: '10' }, /^interval: .*"10" \(string\)/],
    ['enabled not boolean', { ...good, enabled: 'yes' }, /^enabled: must be true or false/],
    ['vendorId not hex', { ...good, vendorId: 'zzzz' }, /^vendorId: must be 4 hex digits/],
    [
      'file config without path',
      { ...good, config: { keyId: 1 } },
      /^config.path: must be a non-empty string/,
    ],
    [
      'file config with a bad scale',
      { ...good, config: { path: '/t', keyId: 1, scale: 'x' } },
      /^config.scale: must be a finite number/,
    ],
    [
      'file config with an unknown option',
      { ...good, config: { path: '/t', keyId: 1, colour: 1 } },
      /^config.colour: is not a known option/,
    ],
    [
      'reference to an unknown keyId',
      { ...good, config: { path: '/t', keyId: 99 } },
      /^config: refers to keyId 99, which is not in the keys collection/,
    ],
    [
      'serial-line with a bad baudRate',
      { ...good, driver: 'serial-line', config: { path: '/dev/x', baudRate: -1 } },
      /^config.baudRate: must be a positive integer/,
    ],
    [
      'system with an unknown metric',
      { ...good, driver: 'system', config: { keys: { fanSpeed: 1 } } },
      /^config.keys.fanSpeed: is not a system metric/,
    ],
  ])('reports %s, naming the field, and skips the device', (_what, device, expected) => {
    const result = validateConfig([device, { ...good, id: 2, name: 'other' }], keys, drivers);
    expect(result.devices.map((d) => d.id)).toEqual([2]);
    const messages = result.problems.map((p) => `${p.field}: ${p.message}`);
    expect(messages.some((m) => expected.test(m))).toBe(true);
    expect(result.problems.every((p) => p.subject.startsWith('device'))).toBe(true);
  });

  it('skips every holder of a duplicated id or name and says so for each', () => {
    const result = validateConfig(
      [good, { ...good, name: 'b' }, { ...good, id: 5 }, { ...good, id: 6, name: 'ok' }],
      keys,
      drivers,
    );
    expect(result.devices.map((d) => d.id)).toEqual([6]);
    expect(result.problems.filter((p) => p.field === 'id')).toHaveLength(2);
    expect(result.problems.filter((p) => p.field === 'name')).toHaveLength(2);
  });

  it('reports bad and duplicated keys, and a device referring to a dropped key is skipped', () => {
    const result = validateConfig(
      [good],
      [{ keyId: 1, unit: 'mC' }, { keyId: 1, unit: 'C' }, { keyId: -1, unit: 'x' }, 'junk'],
      drivers,
    );
    expect(result.keys.size).toBe(0);
    expect(result.devices).toEqual([]);
    expect(result.problems.map((p) => p.subject)).toEqual(
      expect.arrayContaining(['key 1', 'key document #2', 'key document #3', 'device 1 "boiler"']),
    );
  });

  it('keeps a device with enabled: false apart', () => {
    const result = validateConfig([{ ...good, enabled: false }], keys, drivers);
    expect(result.devices).toEqual([]);
    expect(result.disabled.map((d) => d.id)).toEqual([1]);
  });

  it('never throws, and every document ends up valid or with a problem naming it (property)', () => {
    const anyDoc = fc.oneof(
      fc.anything(),
      fc.record(
        {
          id: fc.oneof(fc.integer({ min: -3, max: 5 }), fc.double(), fc.string(), fc.constant(null)),
          name: fc.oneof(fc.constantFrom('a', 'b', 'c', ''), fc.integer()),
          driver: fc.oneof(fc.constantFrom('file', 'system', 'serial-line', 'custom', 'nope'), fc.anything()),
          pyConf: fc.oneof(fc.string(), fc.constant("{'path': '/t', 'keyId': 1}")),
          config: fc.oneof(
            fc.anything(),
            fc.record({ path: fc.string(), keyId: fc.integer({ min: 0, max: 3 }) }),
          ),
          interval: fc.oneof(fc.double(), fc.integer(), fc.string()),
          enabled: fc.anything(),
          vendorId: fc.oneof(fc.constant('0403'), fc.string()),
        },
        { requiredKeys: [] },
      ),
    );
    fc.assert(
      fc.property(
        fc.array(anyDoc, { maxLength: 8 }),
        fc.array(fc.anything(), { maxLength: 3 }),
        (devices, extraKeys) => {
          const result = validateConfig(devices, [...keys, ...extraKeys], drivers);
          const valid = [...result.devices, ...result.disabled];
          expect(valid.length).toBeLessThanOrEqual(devices.length);
          if (valid.length < devices.length)
            expect(result.problems.some((p) => p.collection === 'devices')).toBe(true);
          for (const p of result.problems) expect(p.field.length > 0 && p.message.length > 0).toBe(true);
          expect(new Set(valid.map((d) => d.id)).size).toBe(valid.length);
          expect(new Set(valid.map((d) => d.name)).size).toBe(valid.length);
          for (const d of valid) {
            expect(Number.isSafeInteger(d.id) && d.id >= 0).toBe(true);
            expect(d.intervalSeconds).toBeGreaterThan(0);
            for (const keyId of d.keyIds ?? []) expect(result.keys.has(keyId)).toBe(true);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
