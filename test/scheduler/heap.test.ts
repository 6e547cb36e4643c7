import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Heap, type HeapEntry } from '../../src/scheduler/heap.js';

describe('Heap', () => {
  it('pops in (due, seq) order after any mix of pushes and removals', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ due: fc.integer({ min: 0, max: 50 }), drop: fc.boolean() }), { maxLength: 300 }),
        (specs) => {
          const heap = new Heap<HeapEntry>();
          const entries = specs.map((s, seq) => ({ due: s.due, seq, index: -1 }));
          for (const e of entries) heap.push(e);
          const kept = entries.filter((e, i) => {
            if (!specs[i]!.drop) return true;
            expect(heap.remove(e)).toBe(true);
            expect(heap.remove(e)).toBe(false);
            return false;
          });
          const popped: HeapEntry[] = [];
          for (let e = heap.pop(); e !== undefined; e = heap.pop()) popped.push(e);
          const expected = [...kept].sort((a, b) => a.due - b.due || a.seq - b.seq);
          expect(popped).toEqual(expected);
          expect(popped.every((e) => e.index === -1)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('rebuild restores order after due times change in place', () => {
    const heap = new Heap<HeapEntry>();
    const entries = Array.from({ length: 100 }, (_, seq) => ({ due: seq, seq, index: -1 }));
    for (const e of entries) heap.push(e);
    for (const e of entries) e.due = 1000 - e.due;
    heap.rebuild();
    expect(heap.pop()?.seq).toBe(99);
    expect(heap.peek()?.seq).toBe(98);
    expect(heap.size).toBe(99);
  });
});
