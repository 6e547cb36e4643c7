// The last 24 h of one (device, key) as 1,440 minute buckets in typed arrays: a ring
// indexed by epoch minute mod 1440. `head` is the newest minute the ring holds; moving it
// forward clears the slots it passes, so a slot is valid iff head − 1440 < minute ≤ head.
// 32 bytes per minute (Int32 min/max/first/last, widened to Float64 on the first value
// outside Int32), so 100 keys × 24 h take 4.6 MB.
import type { Accumulator } from './bucket-math.js';

/** Minutes in the window. */
export const windowMinutes = 1440;
const minuteMs = 60_000;

type Values = Int32Array | Float64Array;

function fitsInt32(v: number): boolean {
  return v >= -2147483648 && v <= 2147483647;
}

export class MinuteWindow {
  private head = -Infinity;
  private readonly count = new Uint32Array(windowMinutes);
  private readonly sum = new Float64Array(windowMinutes);
  private min: Values = new Int32Array(windowMinutes);
  private max: Values = new Int32Array(windowMinutes);
  private first: Values = new Int32Array(windowMinutes);
  private last: Values = new Int32Array(windowMinutes);
  // ms offsets inside the minute (0..59,999) of the first and last reading.
  private readonly firstOff = new Uint16Array(windowMinutes);
  private readonly lastOff = new Uint16Array(windowMinutes);

  /** Newest minute held (epoch minute), or -Infinity when empty. */
  get headMinute(): number {
    return this.head;
  }

  /** Bytes of the typed arrays. */
  get bytes(): number {
    return (
      this.count.byteLength +
      this.sum.byteLength +
      this.min.byteLength +
      this.max.byteLength +
      this.first.byteLength +
      this.last.byteLength +
      this.firstOff.byteLength +
      this.lastOff.byteLength
    );
  }

  /** Moves the window so it ends at `minute`, clearing what falls out. */
  advance(minute: number): void {
    if (minute <= this.head) return;
    const from =
      this.head === -Infinity
        ? minute - windowMinutes + 1
        : Math.max(this.head + 1, minute - windowMinutes + 1);
    for (let m = from; m <= minute; m++) this.count[slot(m)] = 0;
    this.head = minute;
  }

  /** Adds a reading; false when it is older than the window (24 h behind its head). */
  add(value: number, tsMs: number): boolean {
    const minute = Math.floor(tsMs / minuteMs);
    if (minute > this.head) this.advance(minute);
    else if (minute <= this.head - windowMinutes) return false;
    if (!fitsInt32(value)) this.widen();
    const i = slot(minute);
    const offset = tsMs - minute * minuteMs;
    const n = this.count[i]!;
    if (n === 0) {
      this.count[i] = 1;
      this.sum[i] = value;
      this.min[i] = this.max[i] = this.first[i] = this.last[i] = value;
      this.firstOff[i] = this.lastOff[i] = offset;
      return true;
    }
    this.count[i] = n + 1;
    this.sum[i] = this.sum[i]! + value;
    if (value < this.min[i]!) this.min[i] = value;
    if (value > this.max[i]!) this.max[i] = value;
    if (offset < this.firstOff[i]!) {
      this.first[i] = value;
      this.firstOff[i] = offset;
    }
    if (offset >= this.lastOff[i]!) {
      this.last[i] = value;
      this.lastOff[i] = offset;
    }
    return true;
  }

  /** Whether `minute` is inside the window (held or known empty). */
  holds(minute: number): boolean {
    return minute <= this.head && minute > this.head - windowMinutes;
  }

  /** Readings in `minute` (0 outside the window). */
  countAt(minute: number): number {
    return this.holds(minute) ? this.count[slot(minute)]! : 0;
  }

  /** Adds the minute's bucket into `into` (or returns a new one); unchanged when empty. */
  mergeMinute(minute: number, into: Accumulator | undefined): Accumulator | undefined {
    if (!this.holds(minute)) return into;
    const i = slot(minute);
    const n = this.count[i]!;
    if (n === 0) return into;
    const base = minute * minuteMs;
    const firstTs = base + this.firstOff[i]!;
    const lastTs = base + this.lastOff[i]!;
    if (!into)
      return {
        count: n,
        sum: this.sum[i]!,
        min: this.min[i]!,
        max: this.max[i]!,
        first: this.first[i]!,
        firstTs,
        last: this.last[i]!,
        lastTs,
      };
    into.count += n;
    into.sum += this.sum[i]!;
    if (this.min[i]! < into.min) into.min = this.min[i]!;
    if (this.max[i]! > into.max) into.max = this.max[i]!;
    if (firstTs < into.firstTs) {
      into.first = this.first[i]!;
      into.firstTs = firstTs;
    }
    if (lastTs >= into.lastTs) {
      into.last = this.last[i]!;
      into.lastTs = lastTs;
    }
    return into;
  }

  /**
   * Count/min/max/avg of buckets of `minutes` minutes (epoch-aligned) over whole minutes
   * `[fromMinute, toMinute)`; buckets without readings are left out. The hot path of
   * `buckets()`: no intermediate objects.
   */
  bucketStats(
    fromMinute: number,
    toMinute: number,
    minutes: number,
  ): Array<{ start: Date; count: number; min: number; max: number; avg: number }> {
    const out: Array<{ start: Date; count: number; min: number; max: number; avg: number }> = [];
    const low = Math.max(fromMinute, this.head - windowMinutes + 1);
    const high = Math.min(toMinute, this.head + 1);
    const { count, sum, min, max } = this;
    for (let b = Math.floor(low / minutes) * minutes; b < high; b += minutes) {
      let n = 0;
      let total = 0;
      let lo = Infinity;
      let hi = -Infinity;
      const last = Math.min(b + minutes, high);
      for (let m = Math.max(b, low); m < last; m++) {
        const i = slot(m);
        const c = count[i]!;
        if (c === 0) continue;
        n += c;
        total += sum[i]!;
        if (min[i]! < lo) lo = min[i]!;
        if (max[i]! > hi) hi = max[i]!;
      }
      if (n > 0) out.push({ start: new Date(b * minuteMs), count: n, min: lo, max: hi, avg: total / n });
    }
    return out;
  }

  private widen(): void {
    if (this.min instanceof Float64Array) return;
    this.min = Float64Array.from(this.min);
    this.max = Float64Array.from(this.max);
    this.first = Float64Array.from(this.first);
    this.last = Float64Array.from(this.last);
  }
}

function slot(minute: number): number {
  return ((minute % windowMinutes) + windowMinutes) % windowMinutes;
}
