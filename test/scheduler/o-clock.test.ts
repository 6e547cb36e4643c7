import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dueAfterBackwardStep, nextSlotAfter, secondsToMs } from '../../src/scheduler/o-clock.js';

const epochMs = fc.integer({ min: 0, max: 4_102_444_800_000 }); // 1970 … 2100

describe('o-clock arithmetic', () => {
  it('secondsToMs removes float noise but keeps real fractions', () => {
    expect(secondsToMs(0.3)).toBe(300);
    expect(secondsToMs(0.25)).toBe(250);
    expect(secondsToMs(7)).toBe(7000);
    expect(secondsToMs(1 / 3)).toBeCloseTo(333.3333333, 6);
  });

  it('nextSlotAfter returns the first multiple strictly after now (whole-ms periods)', () => {
    fc.assert(
      fc.property(epochMs, fc.integer({ min: 1, max: 90 * 86_400_000 }), (now, period) => {
        const slot = nextSlotAfter(now, period);
        expect(slot).toBeGreaterThan(now);
        expect(slot - period).toBeLessThanOrEqual(now);
        expect(slot % period).toBe(0);
      }),
      { numRuns: 2000 },
    );
  });

  it('nextSlotAfter keeps a repeating job on its start + k·period grid (drift-free)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1e9, noNaN: true }),
        fc.double({ min: 0.001, max: 1e7, noNaN: true }),
        fc.double({ min: 0, max: 1e9, noNaN: true }),
        (origin, period, elapsed) => {
          const now = origin + elapsed;
          const due = nextSlotAfter(now, period, origin);
          const k = Math.round((due - origin) / period);
          expect(due).toBeGreaterThan(now);
          expect(origin + (k - 1) * period).toBeLessThanOrEqual(now);
          expect(due).toBe(origin + k * period);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('nextSlotAfter with fractional-second periods lands on exact multiples (0.25 s)', () => {
    fc.assert(
      fc.property(epochMs, fc.constantFrom(0.25, 0.5, 0.1, 0.2, 1.5, 7), (now, seconds) => {
        const period = secondsToMs(seconds);
        const slot = nextSlotAfter(now, period);
        expect(slot).toBeGreaterThan(now);
        expect(slot - period).toBeLessThanOrEqual(now);
        expect(slot % period).toBe(0);
      }),
      { numRuns: 2000 },
    );
  });

  it('dueAfterBackwardStep never picks the slot that came less than half a period ago', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 86_400_000 }), // period
        fc.integer({ min: 1, max: 1_000_000 }), // planned slot index
        fc.integer({ min: 0, max: 5 }), // how many slots back the step lands
        fc.integer({ min: 0, max: 86_400_000 }), // ms since the last slot
        (period, plannedIndex, back, since) => {
          const planned = plannedIndex * period;
          const lastSlot = planned - period;
          const candidate = planned - back * period;
          const due = dueAfterBackwardStep(candidate, planned, lastSlot, since, period);
          expect([candidate, planned]).toContain(due);
          if (since < period / 2) expect(due).not.toBe(lastSlot);
          if (since >= period / 2) expect(due).toBe(candidate);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
