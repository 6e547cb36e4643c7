/** What the heap needs from an entry: its due time, a tie-breaker and its own slot. */
export interface HeapEntry {
  /** Due time in ms; smaller comes out first. */
  due: number;
  /** Insertion order, so entries due at the same instant come out first-in first-out. */
  seq: number;
  /** Position in the heap array, -1 while not queued. Maintained by the heap. */
  index: number;
}

function before(a: HeapEntry, b: HeapEntry): boolean {
  return a.due < b.due || (a.due === b.due && a.seq < b.seq);
}

/**
 * Binary min-heap ordered by (`due`, `seq`) that keeps each entry's `index`, so any
 * entry can be removed in O(log n) without a search.
 */
export class Heap<T extends HeapEntry> {
  readonly #items: T[] = [];

  get size(): number {
    return this.#items.length;
  }

  peek(): T | undefined {
    return this.#items[0];
  }

  push(entry: T): void {
    entry.index = this.#items.length;
    this.#items.push(entry);
    this.#up(entry.index);
  }

  pop(): T | undefined {
    const top = this.#items[0];
    if (top !== undefined) this.remove(top);
    return top;
  }

  /** Removes `entry` if it is queued here; returns whether it was. */
  remove(entry: T): boolean {
    const i = entry.index;
    if (i < 0 || this.#items[i] !== entry) return false;
    const last = this.#items.pop() as T;
    entry.index = -1;
    if (last !== entry) {
      this.#place(last, i);
      this.#down(i);
      this.#up(last.index);
    }
    return true;
  }

  /** Every queued entry, in no particular order (a live view: do not mutate). */
  values(): readonly T[] {
    return this.#items;
  }

  /** Restores heap order after the `due` of many entries changed in place. */
  rebuild(): void {
    for (let i = (this.#items.length >> 1) - 1; i >= 0; i--) this.#down(i);
  }

  /** Empties the heap, marking every entry as not queued. */
  clear(): void {
    for (const entry of this.#items) entry.index = -1;
    this.#items.length = 0;
  }

  #up(i: number): void {
    const items = this.#items;
    const entry = items[i] as T;
    while (i > 0) {
      const parentIndex = (i - 1) >> 1;
      const parent = items[parentIndex] as T;
      if (!before(entry, parent)) break;
      this.#place(parent, i);
      i = parentIndex;
    }
    this.#place(entry, i);
  }

  #down(i: number): void {
    const items = this.#items;
    const n = items.length;
    const entry = items[i] as T;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      let child = left;
      if (right < n && before(items[right] as T, items[left] as T)) child = right;
      const smaller = items[child] as T;
      if (!before(smaller, entry)) break;
      this.#place(smaller, i);
      i = child;
    }
    this.#place(entry, i);
  }

  /** Puts `entry` in slot `i`, keeping its `index` in step. */
  #place(entry: T, i: number): void {
    this.#items[i] = entry;
    entry.index = i;
  }
}
