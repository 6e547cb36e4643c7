import { describe, expect, it } from 'vitest';
import { RaspimonRangeError, RaspimonTypeError } from '../../src/errors.js';
import {
  Backoff,
  Signal,
  checkBoolean,
  checkPositive,
  checkText,
  describeError,
  describeValue,
  isPlainObject,
  isThenable,
  within,
} from '../../src/internal/index.js';

describe('describeValue', () => {
  it('shows the value and its type, cut at 60 characters', () => {
    expect(describeValue('abc')).toBe('"abc" (string)');
    expect(describeValue(-1)).toBe('-1 (number)');
    expect(describeValue(NaN)).toBe('NaN (number)'); // not JSON's "null"
    expect(describeValue(-Infinity)).toBe('-Infinity (number)');
    expect(describeValue(null)).toBe('null (null)');
    expect(describeValue(undefined)).toBe('undefined (undefined)');
    expect(describeValue([1])).toBe('[1] (array)');
    expect(describeValue(new Date(0))).toBe('1970-01-01T00:00:00.000Z (Date)');
    expect(describeValue(() => 1)).toBe('a function');
    expect(describeValue('x'.repeat(100))).toHaveLength(60 + ' (string)'.length);
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(describeValue(circular)).toBe('[object Object] (object)');
  });
});

describe('describeError', () => {
  it('gives name and message on one line', () => {
    expect(describeError(new RangeError('a\n  b'))).toBe('RangeError: a b');
    expect(describeError('plain')).toBe('plain');
  });
});

describe('checkPositive', () => {
  it('returns the fallback for undefined and the value when valid', () => {
    expect(checkPositive('options.x', undefined, { fallback: 5 })).toBe(5);
    expect(checkPositive('options.x', 0.5)).toBe(0.5);
    expect(checkPositive('options.x', 0, { allowZero: true })).toBe(0);
  });
  it('names the option, the value and its type', () => {
    expect(() => checkPositive('options.x', '5')).toThrow(RaspimonTypeError);
    expect(() => checkPositive('options.x', '5')).toThrow('options.x must be a number, got "5" (string)');
    expect(() => checkPositive('--n', 1.5, { integer: true })).toThrow(RaspimonRangeError);
    expect(() => checkPositive('--n', 1.5, { integer: true })).toThrow(
      '--n must be a positive integer, got 1.5',
    );
    expect(() => checkPositive('s', -1, { unit: 'seconds' })).toThrow(
      's must be a positive finite number of seconds, got -1',
    );
    expect(() => checkPositive('s', Number.NaN)).toThrow(RaspimonRangeError);
    expect(() => checkPositive('s', Infinity)).toThrow(RaspimonRangeError);
    expect(() => checkPositive('s', undefined)).toThrow(RaspimonTypeError);
  });
});

describe('checkText and checkBoolean', () => {
  it('accept good values and refuse others by name', () => {
    expect(checkText('o.name', undefined, 'd')).toBe('d');
    expect(checkText('o.name', 'a')).toBe('a');
    expect(() => checkText('o.name', '')).toThrow('o.name must be a non-empty string, got "" (string)');
    expect(checkBoolean('o.flag', undefined, true)).toBe(true);
    expect(() => checkBoolean('o.flag', 'yes', true)).toThrow(RaspimonTypeError);
  });
});

describe('isPlainObject and isThenable', () => {
  it('tell records and thenables apart', () => {
    expect(isPlainObject({})).toBe(true);
    expect(isPlainObject(Object.create(null))).toBe(true);
    expect(isPlainObject([])).toBe(false);
    expect(isPlainObject(new Date())).toBe(false);
    expect(isPlainObject(null)).toBe(false);
    expect(isThenable(Promise.resolve())).toBe(true);
    expect(isThenable({ then: () => undefined })).toBe(true);
    expect(isThenable({ then: 1 })).toBe(false);
    expect(isThenable(null)).toBe(false);
  });
});

describe('Backoff', () => {
  it('doubles its ceiling per failure, stays in [min, max] and restarts after reset', () => {
    const top = new Backoff({ minSeconds: 1, maxSeconds: 10, random: () => 0.999999 });
    const waits = Array.from({ length: 6 }, () => Math.round(top.next()));
    expect(waits).toEqual([1, 2, 4, 8, 10, 10]);
    expect(top.failures).toBe(6);
    top.reset();
    expect(top.next()).toBe(1);
    const bottom = new Backoff({ minSeconds: 2, maxSeconds: 60, random: () => 0 });
    for (let i = 0; i < 10; i++) expect(bottom.next()).toBe(2);
  });
  it('spreads retries with jitter', () => {
    const backoff = new Backoff({ minSeconds: 1, maxSeconds: 1000 });
    for (let i = 0; i < 9; i++) backoff.next();
    const spread = Array.from({ length: 50 }, () => {
      const b = new Backoff({ minSeconds: 1, maxSeconds: 1000 });
      for (let i = 0; i < 9; i++) b.next();
      return b.next();
    });
    expect(new Set(spread.map(Math.round)).size).toBeGreaterThan(10);
    expect(Math.min(...spread)).toBeGreaterThanOrEqual(1);
    expect(Math.max(...spread)).toBeLessThanOrEqual(512);
  });
});

describe('within and Signal', () => {
  it('within resolves true when the promise settles and false at the bound', async () => {
    expect(await within(undefined, 10)).toBe(true);
    expect(await within(Promise.reject(new Error('x')), 1000)).toBe(true);
    expect(await within(new Promise(() => undefined), 20)).toBe(false);
  });
  it('Signal wakes every waiter at notify, and only then', async () => {
    const signal = new Signal();
    let woken = 0;
    const waits = [signal.wait(), signal.wait()].map((p) => p.then(() => (woken += 1)));
    await Promise.resolve();
    expect(woken).toBe(0);
    signal.notify();
    await Promise.all(waits);
    expect(woken).toBe(2);
  });
});
