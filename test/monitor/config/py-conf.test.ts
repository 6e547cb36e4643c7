import { existsSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parsePyConf } from '../../../src/tools/index.js';

describe('parsePyConf', () => {
  it('reads JSON dicts', () => {
    expect(parsePyConf('{"path": "/dev/ttyUSB0", "baudRate": 9600, "keys": {"t": 1}}')).toEqual({
      ok: true,
      value: { path: '/dev/ttyUSB0', baudRate: 9600, keys: { t: 1 } },
    });
  });

  it('reads Python literal dicts: single quotes, True/False/None, tuples, trailing commas, comments', () => {
    const text =
      "{'path': '/sys/bus/w1/devices/28-0316/temperature', 'scale': 0.5, 'on': True, 'off': False, 'x': None, 'pair': (1, 2,), 'hex': 0x1F, -1: 'neg', } # done";
    expect(parsePyConf(text)).toEqual({
      ok: true,
      value: {
        path: '/sys/bus/w1/devices/28-0316/temperature',
        scale: 0.5,
        on: true,
        off: false,
        x: null,
        pair: [1, 2],
        hex: 31,
        '-1': 'neg',
      },
    });
  });

  it('handles escapes inside strings', () => {
    expect(parsePyConf(String.raw`{'a': 'it\'s', "b": "tab\there", 'c': '\x41\u00e9'}`)).toEqual({
      ok: true,
      value: { a: "it's", b: 'tab\there', c: 'Aé' },
    });
  });

  it.each([
    "__import__('os').system('touch /tmp/raspimon-pwned')",
    "{'path': __import__('os').system('touch /tmp/raspimon-pwned')}",
    "{'a': eval('1+1')}",
    "{'a': (lambda: 1)()}",
    "{'a': 1 + 1}",
    "{'a': open('/etc/passwd').read()}",
    "{'a': [x for x in range(3)]}",
    "{'a': os.environ}",
    "{'a': True.__class__}",
    "{'a': f'{1}'}",
    '{"a": 1}; require("child_process").execSync("touch /tmp/raspimon-pwned")',
    "exec('import os')",
  ])('treats code as a parse error, never runs it: %s', (text) => {
    const result = parsePyConf(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(/only literals|must be a dict|expected/);
    expect(existsSync('/tmp/raspimon-pwned')).toBe(false);
  });

  it('rejects non-dicts, unterminated input and excessive nesting with a reason', () => {
    expect(parsePyConf('[1, 2]')).toEqual({ ok: false, error: 'must be a dict ({...}), got a list' });
    expect(parsePyConf("{'a': 'open").ok).toBe(false);
    expect(parsePyConf('{'.repeat(100) + '}'.repeat(100)).ok).toBe(false);
    expect(parsePyConf("{'a': 1e999}").ok).toBe(false);
  });

  it('a "__proto__" key becomes an own property, never the prototype', () => {
    const result = parsePyConf('{"__proto__": {"polluted": 1}}');
    expect(result.ok && Object.hasOwn(result.value, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('round-trips any JSON object (property)', () => {
    const json = fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 4 }));
    fc.assert(
      fc.property(json, (value) => {
        const clean = JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
        const result = parsePyConf(JSON.stringify(clean));
        expect(result).toEqual({ ok: true, value: clean });
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on arbitrary text (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        const result = parsePyConf(text);
        expect(typeof result.ok).toBe('boolean');
      }),
      { numRuns: 1000 },
    );
  });
});
