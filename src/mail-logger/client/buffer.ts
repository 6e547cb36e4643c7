import type { Level, Schedule } from '../levels.js';

/** A record (or a drop notice) held by the client until the daemon acknowledges it. */
export interface BufferedRecord {
  seq: number;
  /** Epoch ms. */
  time: number;
  level: Level;
  schedule: Schedule;
  msg: string;
  ctxJson: string | undefined;
  /** For a drop notice: how many records it reports; undefined for a record. */
  dropCount: number | undefined;
  /** Set when the buffer dropped it to make room; writers skip it. */
  evicted: boolean;
}

/** FIFO with O(1) shift, compacting its array now and then. */
class Queue<T> {
  private items: T[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  peek(): T | undefined {
    return this.items[this.head];
  }

  at(index: number): T | undefined {
    return this.items[this.head + index];
  }

  shift(): T | undefined {
    const item = this.items[this.head];
    if (item === undefined) return undefined;
    this.head++;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
}

const NOTICES = 5;
const rank: Record<Level, number> = { DEBUG: 0, INFO: 1, WARNING: 2, ERROR: 3, ALERT: 4 };

/**
 * The client's bounded buffer of unacknowledged records: one FIFO per level (plus one for
 * drop notices, never evicted), so making room drops the oldest record of the least
 * severe level present in O(1).
 */
export class RecordBuffer {
  private readonly queues: Array<Queue<BufferedRecord>> = [0, 1, 2, 3, 4, 5].map(() => new Queue());
  private records = 0;

  constructor(private readonly maxRecords: number) {}

  /** Records held (drop notices not counted). */
  get size(): number {
    return this.records;
  }

  /** Adds a record; returns how many records were evicted to make room (0 or 1). */
  push(record: BufferedRecord): number {
    this.queues[rank[record.level]]!.push(record);
    this.records++;
    if (this.records <= this.maxRecords) return 0;
    for (let level = 0; level < NOTICES; level++) {
      const victim = this.queues[level]!.shift();
      if (victim !== undefined) {
        victim.evicted = true;
        this.records--;
        return 1;
      }
    }
    return 0;
  }

  pushNotice(notice: BufferedRecord): void {
    this.queues[NOTICES]!.push(notice);
  }

  /** Forgets everything up to and including `seq` (a cumulative ack). */
  ack(seq: number): void {
    for (let level = 0; level <= NOTICES; level++) {
      const queue = this.queues[level]!;
      for (let head = queue.peek(); head !== undefined && head.seq <= seq; head = queue.peek()) {
        queue.shift();
        if (level < NOTICES) this.records--;
      }
    }
  }

  /** Smallest seq still held, or Infinity when empty. */
  lowestSeq(): number {
    let lowest = Infinity;
    for (const queue of this.queues) {
      const head = queue.peek();
      if (head !== undefined && head.seq < lowest) lowest = head.seq;
    }
    return lowest;
  }

  /** Everything held, in seq order (for a resend after reconnect). */
  all(): BufferedRecord[] {
    const out: BufferedRecord[] = [];
    const cursors = this.queues.map(() => 0);
    for (;;) {
      let best = -1;
      let bestSeq = Infinity;
      for (let q = 0; q < this.queues.length; q++) {
        const item = this.queues[q]!.at(cursors[q]!);
        if (item !== undefined && item.seq < bestSeq) {
          best = q;
          bestSeq = item.seq;
        }
      }
      if (best === -1) return out;
      out.push(this.queues[best]!.at(cursors[best]!)!);
      cursors[best] = cursors[best]! + 1;
    }
  }
}
