// Hostile inputs (issue 10 "also check"): 10,000+ generated device/key documents and pyConf
// strings each. Validation never throws, never pollutes a prototype, and never accepts a
// document with a broken field: what it accepts is always well-formed.
import fc from 'fast-check';
import { Binary, Decimal128, Long, ObjectId } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { parsePyConf, validateConfig } from '../../../src/tools/index.js';
import { type DeviceSpec } from '../../../src/monitor/index.js';
import { buildRegistry } from '../../../src/monitor/intake/drivers/registry.js';
import { describeValue } from '../../../src/internal/index.js';

const drivers = buildRegistry();
const runs = Number(process.env.RASPIMON_PROPERTY_RUNS ?? 10_000);

/** Anything a document field may hold: JS values of every kind and BSON values from the driver. */
const hostileValue = fc.oneof(
  fc.anything({
    withBigInt: true,
    withDate: true,
    withMap: true,
    withSet: true,
    withTypedArray: true,
    withNullPrototype: true,
    withBoxedValues: true,
    withSparseArray: true,
    withObjectString: true,
    maxDepth: 2,
    maxKeys: 4,
  }),
  fc.constantFrom(
    Number.NaN,
    -0,
    Number.POSITIVE_INFINITY,
    Number.MAX_SAFE_INTEGER + 2,
    2 ** 31,
    '__proto__',
    'constructor',
    '\u0000',
    '\ud800',
    ' ',
    'x'.repeat(5000),
  ),
  fc.integer().map((n) => Long.fromNumber(n)),
  fc.double().map((n) => new Decimal128(String(Number.isFinite(n) ? n : 0))),
  fc.constant(new ObjectId()),
  fc.uint8Array({ maxLength: 8 }).map((bytes) => new Binary(bytes)),
);

const goodKeys = [
  { keyId: 1, unit: 'mC', description: 'temperature' },
  { keyId: 2, unit: '%' },
];

/** A document shaped like a device, each field either plausible or hostile. */
const deviceDoc = fc.record(
  {
    id: fc.oneof(fc.integer({ min: -2, max: 6 }), hostileValue),
    name: fc.oneof(fc.constantFrom('a', 'b', 'boiler', '', '  ', '__proto__'), hostileValue),
    description: fc.oneof(fc.string(), hostileValue),
    vendorId: fc.oneof(fc.constantFrom('0403', '6001', 'ABCD', '', 'zzzz', '04030'), hostileValue),
    productId: fc.oneof(fc.constantFrom('6001', ''), hostileValue),
    driver: fc.oneof(
      fc.constantFrom('file', 'system', 'serial-line', 'nope', '__proto__', 'constructor'),
      hostileValue,
    ),
    pyClass: fc.oneof(fc.constantFrom('file', 'system'), hostileValue),
    config: fc.oneof(
      fc.record({
        path: fc.oneof(fc.constant('/t'), hostileValue),
        keyId: fc.oneof(fc.constantFrom(1, 2, 3), hostileValue),
      }),
      fc.record({ keys: fc.dictionary(fc.string(), fc.oneof(fc.constantFrom(1, 2), hostileValue)) }),
      hostileValue,
    ),
    pyConf: fc.oneof(fc.constant("{'path': '/t', 'keyId': 1}"), fc.string(), hostileValue),
    interval: fc.oneof(fc.double(), fc.integer(), hostileValue),
    enabled: fc.oneof(fc.boolean(), hostileValue),
    ['__proto__']: hostileValue,
  },
  { requiredKeys: [] },
);

const keyDoc = fc.oneof(
  fc.record(
    {
      keyId: fc.oneof(fc.integer({ min: -1, max: 4 }), hostileValue),
      unit: fc.oneof(fc.constantFrom('mC', '%', ''), hostileValue),
      description: fc.oneof(fc.string(), hostileValue),
    },
    { requiredKeys: [] },
  ),
  hostileValue,
);

/** Plain checks (not expect(): 10,000 runs must stay fast); throws naming what broke. */
function check(ok: boolean, what: string, value?: unknown): void {
  if (!ok) throw new Error(`${what}: ${describeValue(value)}`);
}

function wellFormed(device: DeviceSpec, keys: ReadonlyMap<number, unknown>): void {
  check(Number.isSafeInteger(device.id) && device.id >= 0, 'accepted id', device.id);
  check(typeof device.name === 'string' && device.name.trim() !== '', 'accepted name', device.name);
  check(typeof device.description === 'string', 'accepted description', device.description);
  check(drivers.has(device.driver), 'accepted driver', device.driver);
  const proto = Object.getPrototypeOf(device.config) as unknown;
  check(proto === Object.prototype || proto === null, 'accepted config', device.config);
  check(
    Number.isFinite(device.intervalSeconds) && device.intervalSeconds >= 0.01,
    'interval',
    device.intervalSeconds,
  );
  check(typeof device.enabled === 'boolean', 'enabled', device.enabled);
  for (const id of [device.vendorId, device.productId])
    check(id === undefined || /^[0-9a-f]{4}$/.test(id), 'accepted USB id', id);
  for (const keyId of device.keyIds ?? []) check(keys.has(keyId), 'keyId not in keys', keyId);
}

describe(`hostile configuration documents (${runs} generated inputs each)`, () => {
  it('validateConfig never throws, never pollutes Object.prototype, and everything it accepts is well-formed', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(deviceDoc, hostileValue), { maxLength: 4 }),
        fc.array(keyDoc, { maxLength: 3 }),
        (devices, keys) => {
          const result = validateConfig(devices, [...goodKeys, ...keys], drivers);
          const valid = [...result.devices, ...result.disabled];
          for (const device of valid) wellFormed(device, result.keys);
          for (const [keyId, key] of result.keys) {
            check(Number.isSafeInteger(keyId) && keyId >= 0, 'accepted keyId', keyId);
            check(typeof key.unit === 'string' && typeof key.description === 'string', 'accepted key', key);
          }
          if (valid.length < devices.length)
            check(
              result.problems.some((p) => p.collection === 'devices'),
              'a skipped device with no problem',
            );
          for (const p of result.problems) {
            check(
              p.message.length > 0 && p.message.length < 2000,
              'problem message length',
              p.message.length,
            );
            check(p.field.length > 0, 'problem field', p.field);
          }
          check(Object.keys(Object.prototype).length === 0, 'Object.prototype polluted');
          check(({} as Record<string, unknown>).polluted === undefined, 'Object.prototype polluted');
        },
      ),
      { numRuns: runs },
    );
  });

  it('a valid document with any one field replaced by garbage is never accepted, and the problem names that field', () => {
    const base = {
      id: 3,
      name: 'boiler',
      description: 'DS18B20',
      vendorId: '0403',
      productId: '6001',
      driver: 'file',
      config: { path: '/sys/t', keyId: 1 },
      interval: 10,
      enabled: true,
    };
    const garbage: Record<keyof typeof base, fc.Arbitrary<unknown>> = {
      id: fc.oneof(
        fc.integer({ max: -1 }),
        fc.double({ noInteger: true }),
        fc.string(),
        fc.constant(null),
        fc.constant(Long.fromNumber(3)),
      ),
      name: fc.oneof(
        fc.constantFrom('', '   '),
        fc.integer(),
        fc.constant(null),
        fc.array(fc.string(), { minLength: 1 }),
      ),
      description: fc.oneof(fc.integer(), fc.boolean(), fc.object()),
      vendorId: fc.oneof(
        fc.string().filter((s) => s !== '' && !/^(0x)?[0-9a-fA-F]{4}$/.test(s)),
        fc.integer(),
      ),
      productId: fc.oneof(fc.constantFrom('12345', 'xyz1'), fc.integer()),
      driver: fc.oneof(
        fc.string().filter((s) => !drivers.has(s)),
        fc.integer(),
        fc.constant(null),
      ),
      config: fc.oneof(
        fc.record({ path: fc.integer(), keyId: fc.constant(1) }),
        fc.record({ path: fc.constant('/t'), keyId: fc.constantFrom(-1, 1.5, 99) }),
        fc.constantFrom(42, true, [1, 2]),
        fc.string().filter((s) => !parsePyConf(s).ok),
      ),
      interval: fc.oneof(
        fc.double({ max: 0.009 }),
        fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY),
        fc.string(),
      ),
      enabled: fc.oneof(fc.integer(), fc.string()),
    };
    const fields = Object.keys(garbage) as Array<keyof typeof base>;
    fc.assert(
      fc.property(
        fc.constantFrom(...fields).chain((field) => garbage[field].map((value) => [field, value] as const)),
        ([field, value]) => {
          const result = validateConfig([{ ...base, [field]: value }], goodKeys, drivers);
          check(result.devices.length + result.disabled.length === 0, `accepted with ${field}`, value);
          const named = result.problems.map((p) => p.field);
          const prefix = field === 'config' ? 'config' : field;
          check(
            named.some((f) => f === field || f.startsWith(prefix)),
            `no problem names ${field}`,
            named,
          );
        },
      ),
      { numRuns: runs },
    );
    expect(validateConfig([base], goodKeys, drivers).devices).toHaveLength(1); // the base itself is valid
  });
});

/** A Python literal rendering of a JSON value, with the seed's quirks (single quotes, True/None, tuples, trailing commas). */
function toPython(value: unknown, rng: fc.Random | undefined): string {
  if (value === null) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number') return Object.is(value, -0) ? '0' : String(value);
  if (typeof value === 'string')
    return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
  if (Array.isArray(value)) return `[${value.map((v) => toPython(v, rng)).join(', ')}]`;
  const entries = Object.entries(value as Record<string, unknown>).map(
    ([k, v]) => `${toPython(k, rng)}: ${toPython(v, rng)}`,
  );
  return `{${entries.join(', ')}${entries.length > 0 ? ',' : ''}}`;
}

/** Code that eval() would run: never data. */
const code = fc.oneof(
  fc.constantFrom(
    "__import__('os').system('id')",
    "open('/etc/shadow').read()",
    "{'a': __import__('os')}",
    "{'a': 1 + 1}",
    "{'a': (lambda: 1)()}",
    "{'a': [x for x in range(3)]}",
    "{'a': os.environ}",
    "{'a': 'b'.upper()}",
    "{**{'a': 1}}",
    "{'a': not True}",
    "{'a': f'{1}'}",
    "{'a': b'\\x00'}",
    "{'a': 1}; import os",
    "{'a': -x}",
  ),
  fc
    .tuple(fc.constantFrom('os', 'sys', 'eval', 'exec', 'print', 'x'), fc.string({ maxLength: 5 }))
    .map(([name, arg]) => `{'k': ${name}(${JSON.stringify(arg)})}`),
);

describe(`hostile pyConf strings (${runs} generated inputs each)`, () => {
  it('parsePyConf never throws on any text, and what it accepts is a plain dict of data', () => {
    const text = fc.oneof(
      fc.string({ maxLength: 200, unit: 'binary' }),
      fc.string({
        maxLength: 300,
        unit: fc.constantFrom(...'{}[]()\'",:\\ 0123456789.-+eETrueFalsNon_x#\n\t'.split('')),
      }),
      fc.integer({ min: 1, max: 100 }).map((n) => '{"a": '.repeat(n) + '1' + '}'.repeat(n)),
      fc.integer({ min: 1, max: 100 }).map((n) => '['.repeat(n)),
      fc.constantFrom('{"__proto__": {"polluted": 1}}', "{'constructor': {'prototype': {'polluted': 1}}}"),
    );
    fc.assert(
      fc.property(text, (input) => {
        const result = parsePyConf(input);
        if (result.ok) {
          expect(
            typeof result.value === 'object' && result.value !== null && !Array.isArray(result.value),
          ).toBe(true);
          expect(() => JSON.stringify(result.value)).not.toThrow();
        } else expect(result.error.length).toBeGreaterThan(0);
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }),
      { numRuns: runs },
    );
  });

  it('a Python-literal dict of any JSON data parses to that data', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 3 })), (value) => {
        const text = toPython(value, undefined);
        const result = parsePyConf(text);
        check(
          result.ok && JSON.stringify(result.value) === JSON.stringify(value),
          `${text} parsed as`,
          result,
        );
      }),
      { numRuns: Math.ceil(runs / 5) },
    );
  });

  it('code (calls, names, operators, comprehensions, imports) is always refused, never run', () => {
    fc.assert(
      fc.property(code, (input) => {
        check(!parsePyConf(input).ok, 'code accepted', input);
      }),
      { numRuns: runs },
    );
  });
});
