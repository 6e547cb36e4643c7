import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  accumulate,
  bucketStartMs,
  mergeInto,
  rollupDocument,
  rollupId,
} from '../../../src/monitor/storage/rollups/bucket-math.js';
import { MinuteWindow } from '../../../src/monitor/storage/rollups/minute-window.js';

const t0 = Date.UTC(2026, 10, 25, 0, 0, 0);

describe('bucket math', () => {
  it('aligns buckets to epoch multiples (UTC hours and days)', () => {
    expect(bucketStartMs(t0 + 3_599_999, 3600)).toBe(t0);
    expect(bucketStartMs(t0 + 3_600_000, 3600)).toBe(t0 + 3_600_000);
    expect(bucketStartMs(t0 + 86_399_999, 86_400)).toBe(t0);
    expect(bucketStartMs(t0 - 1, 60)).toBe(t0 - 60_000);
  });

  it('names a bucket "<id>:<keyId>:<start epoch s>" and shapes the contract document', () => {
    expect(rollupId(3, 7, t0)).toBe(`3:7:${t0 / 1000}`);
    const acc = accumulate([
      { value: 5, tsMs: t0 + 10 },
      { value: -2, tsMs: t0 + 5 },
    ])!;
    expect(rollupDocument(3, 7, t0, acc)).toEqual({
      _id: `3:7:${t0 / 1000}`,
      id: 3,
      keyId: 7,
      start: new Date(t0),
      count: 2,
      sum: 3,
      min: -2,
      max: 5,
    });
    expect(acc.first).toBe(-2);
    expect(acc.last).toBe(5);
  });

  it('merging two halves equals accumulating the whole (any split, any order)', () => {
    const reading = fc.record({
      value: fc.integer({ min: -1e9, max: 1e9 }),
      tsMs: fc.integer({ min: t0, max: t0 + 3_599_999 }),
    });
    fc.assert(
      fc.property(fc.array(reading, { minLength: 2, maxLength: 50 }), fc.nat(), (readings, cut) => {
        const k = 1 + (cut % (readings.length - 1));
        const left = accumulate(readings.slice(0, k))!;
        mergeInto(left, accumulate(readings.slice(k))!);
        const whole = accumulate(readings)!;
        expect({ ...left, first: undefined, last: undefined }).toEqual({
          ...whole,
          first: undefined,
          last: undefined,
        });
        expect(left.firstTs).toBe(whole.firstTs);
        expect(left.lastTs).toBe(whole.lastTs);
      }),
    );
  });
});

describe('MinuteWindow', () => {
  it('holds the last 1,440 minutes and forgets what falls out', () => {
    const w = new MinuteWindow();
    w.add(1, t0);
    w.add(2, t0 + 30_000);
    expect(w.mergeMinute(t0 / 60_000, undefined)).toMatchObject({
      count: 2,
      sum: 3,
      min: 1,
      max: 2,
      first: 1,
      last: 2,
    });
    w.add(9, t0 + 1439 * 60_000);
    expect(w.countAt(t0 / 60_000)).toBe(2);
    w.add(9, t0 + 1440 * 60_000);
    expect(w.countAt(t0 / 60_000)).toBe(0);
    expect(w.add(4, t0)).toBe(false);
  });

  it('equals a recomputation per minute for random readings, wide values included', () => {
    const reading = fc.record({
      value: fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.maxSafeInteger()),
      tsMs: fc.integer({ min: t0, max: t0 + 3 * 3_600_000 }),
    });
    fc.assert(
      fc.property(fc.array(reading, { maxLength: 300 }), (readings) => {
        const w = new MinuteWindow();
        for (const r of readings) w.add(r.value, r.tsMs);
        const byMinute = new Map<number, Array<{ value: number; tsMs: number }>>();
        for (const r of readings) {
          const m = Math.floor(r.tsMs / 60_000);
          byMinute.set(m, [...(byMinute.get(m) ?? []), r]);
        }
        for (const [m, list] of byMinute) {
          const expected = accumulate(list)!;
          const got = w.mergeMinute(m, undefined)!;
          expect([got.count, got.sum, got.min, got.max, got.firstTs, got.lastTs]).toEqual([
            expected.count,
            expected.sum,
            expected.min,
            expected.max,
            expected.firstTs,
            expected.lastTs,
          ]);
        }
      }),
    );
  });

  it('100 keys × 24 h of integer readings take ≤ 5 MB of typed arrays, as allocated (32 bytes per minute)', () => {
    // Measured, not recomputed: the bytes of every typed array the 100 filled windows hold,
    // against the figure the windows report (what the status page shows).
    const windows = Array.from({ length: 100 }, () => new MinuteWindow());
    for (const w of windows) for (let m = 0; m < 24 * 60; m++) w.add(m % 500, t0 + m * 60_000);
    const allocated = windows.reduce(
      (n, w) =>
        n +
        Object.values(w as object)
          .filter((v): v is ArrayBufferView => ArrayBuffer.isView(v))
          .reduce((bytes, v) => bytes + v.byteLength, 0),
      0,
    );
    expect(allocated).toBeGreaterThan(0);
    expect(allocated).toBeLessThanOrEqual(5_000_000);
    expect(windows.reduce((n, w) => n + w.bytes, 0)).toBe(allocated);
  });
});
