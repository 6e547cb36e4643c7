import { afterEach, describe, expect, it } from 'vitest';
import { RaspimonError, RaspimonRangeError, RaspimonTypeError } from '../../src/errors.js';
import { ManualClock, Scheduler } from '../../src/scheduler/index.js';
import { startScheduler, stopStartedSchedulers } from './support.js';

afterEach(stopStartedSchedulers);

const started = () => startScheduler({ clock: new ManualClock() });

const noop = () => undefined;
// Casts stand for callers in plain JavaScript, which the types do not protect.
const as = <T>(value: unknown) => value as T;

describe('bad arguments throw at the call', () => {
  it.each([
    ['NaN', NaN],
    ['zero', 0],
    ['a negative number', -1],
    ['Infinity', Infinity],
  ])('seconds = %s → RaspimonRangeError naming the value', (_name, seconds) => {
    const scheduler = started();
    for (const method of ['onceAfter', 'onceOClock', 'repeatEvery', 'repeatOClock'] as const) {
      const call = () => scheduler[method](seconds, noop);
      expect(call).toThrow(RaspimonRangeError);
      expect(call).toThrow(
        new RegExp(
          `Scheduler\\.${method}: seconds must be a finite number of seconds > 0.*got ${String(seconds)}`,
        ),
      );
    }
    expect(scheduler.jobs()).toEqual([]);
  });

  it('seconds that is not a number → RaspimonTypeError', () => {
    const scheduler = started();
    expect(() => scheduler.onceAfter(as<number>('5'), noop)).toThrow(RaspimonTypeError);
    expect(() => scheduler.repeatEvery(as<number>('5'), noop)).toThrow(/got "5" \(string\)/);
  });

  it('a job that is not a function → RaspimonTypeError (also a TypeError and a RaspimonError)', () => {
    const scheduler = started();
    const call = () => scheduler.repeatEvery(1, as<() => void>('not a function'));
    expect(call).toThrow(TypeError);
    expect(call).toThrow(RaspimonError);
    expect(call).toThrow(/the job must be a function, got "not a function"/);
    expect(() => scheduler.onceWhen(new Date(), as<() => void>(undefined))).toThrow(RaspimonTypeError);
  });

  it('onceWhen with an invalid Date, NaN or a string → clear error', () => {
    const scheduler = started();
    expect(() => scheduler.onceWhen(new Date('nonsense'), noop)).toThrow(/Invalid Date/);
    expect(() => scheduler.onceWhen(NaN, noop)).toThrow(RaspimonRangeError);
    expect(() => scheduler.onceWhen(as<number>('2026-01-01'), noop)).toThrow(RaspimonTypeError);
  });

  it('onceWhen(Date.now() + 5000) (milliseconds) → RaspimonRangeError saying to pass seconds or a Date', () => {
    const scheduler = started();
    const call = () => scheduler.onceWhen(Date.now() + 5000, noop);
    expect(call).toThrow(RaspimonRangeError);
    expect(call).toThrow(/looks like epoch milliseconds.*year 5\d{4}.*pass seconds.*or a Date/);
    expect(() => scheduler.onceWhen(1.0000001e11, noop)).toThrow(/milliseconds/);
    expect(() => scheduler.onceWhen(-1e12, noop)).toThrow(/milliseconds/);
    expect(scheduler.jobs()).toEqual([]);
    // Epoch seconds up to 1e11 (the year 5138) and any Date are taken as they are.
    scheduler.onceWhen(1e11, noop);
    scheduler.onceWhen(Date.now() / 1000 + 5, noop);
    scheduler.onceWhen(new Date(8.64e15), noop);
    expect(scheduler.jobs()).toHaveLength(3);
  });

  it('remove with a non-string id → RaspimonTypeError', () => {
    const scheduler = started();
    expect(() => scheduler.remove(as<string>(42))).toThrow(RaspimonTypeError);
  });

  it('bad options → errors naming the option', () => {
    expect(() => new Scheduler({ clockCheck: 0 })).toThrow(/options\.clockCheck/);
    expect(() => new Scheduler({ clock: as<ManualClock>({ now: () => 0 }) })).toThrow(
      /options\.clock must implement Clock/,
    );
    expect(() => new Scheduler({ onError: as<() => void>('stderr') })).toThrow(/onError/);
    expect(() => new Scheduler({ timeZone: '' })).toThrow(/options\.timeZone/);
    expect(() => new Scheduler(as<object>('fast'))).toThrow(/options must be an object/);
  });

  it("the caller's options object is not modified", () => {
    const options = { clock: new ManualClock() };
    startScheduler(options);
    expect(Object.keys(options)).toEqual(['clock']);
  });
});

describe('ManualClock arguments', () => {
  it('advance() refuses negative or non-finite seconds; the constructor an invalid Date', () => {
    const clock = new ManualClock();
    expect(() => clock.advance(-1)).toThrow(RaspimonRangeError);
    expect(() => clock.advance(Infinity)).toThrow(/finite number ≥ 0/);
    expect(() => new ManualClock(new Date('x'))).toThrow(/invalid Date/);
  });

  it("setTimer refuses delays past setTimeout's limit, so a clock user must chunk them", () => {
    const clock = new ManualClock();
    expect(() => clock.setTimer(noop, 2 ** 31)).toThrow(/2147483647/);
  });
});
