// Append-only on-disk spool of readings the database has not acknowledged yet. Each
// spill is one segment file written under a temporary name, fsync'd, then renamed, so
// a segment is either complete or absent; segments are named by the sequence number of
// their first reading and replayed in that order, and deleted once the database has
// acknowledged every reading in them.
//
// The spool has a byte limit, and a full disk is treated as the limit reached: room for a
// new segment is made by thinning the oldest segment (every second reading dropped,
// written to a `.thin` file and renamed over the segment) down to 1/16 of its readings,
// then the next oldest; once every segment is that thin, the oldest is dropped. So the
// newest readings are always kept whole and an outage longer than the spool holds keeps
// its older part at a lower resolution rather than losing it at once.
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';

/** A reading waiting to be written, with its client-side `_id` (24 hex digits). */
export interface PendingReading {
  /** Monotonic order of arrival; segments are named by their first reading's seq. */
  seq: number;
  oid: string;
  id: number;
  keyId: number;
  value: number;
  tsMs: number;
}

const prefix = 'readings-';
const suffix = '.ndjson';
const thinSuffix = '.thin';
/** A segment is thinned at most this many times (to 1/16) before older data is dropped. */
const maxThinLevel = 4;

function segmentName(seq: number): string {
  return `${prefix}${String(seq).padStart(16, '0')}${suffix}`;
}

function seqOf(name: string): number {
  return Number(name.slice(prefix.length, -suffix.length));
}

function serialise(readings: readonly PendingReading[]): string {
  let text = '';
  for (const r of readings)
    text += `{"seq":${r.seq},"oid":"${r.oid}","id":${r.id},"keyId":${r.keyId},"value":${r.value},"ts":${r.tsMs}}\n`;
  return text;
}

function isDiskFull(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}

/** What reading one segment gave: its readings and how many lines were unreadable. */
export interface SegmentContent {
  readings: PendingReading[];
  badLines: number;
}

/** Readings given up to keep the spool within its limit (or within a full disk). */
export interface SpoolLoss {
  /** Readings removed by thinning a segment. */
  thinned: number;
  /** Readings removed with whole segments. */
  dropped: number;
}

interface Segment {
  name: string;
  readings: number;
  bytes: number;
  /** Times it was thinned (unknown after a restart: 0). */
  level: number;
}

/** Segment files of not-yet-acknowledged readings in a directory. */
export class Spool {
  private readonly segments: Segment[] = [];
  private total = 0;
  private totalBytes = 0;
  /** Appends and removals run one at a time (a thinning must not race a removal). */
  private serial: Promise<unknown> = Promise.resolve();
  /** The segment being replayed: never thinned or dropped under the replay's feet. */
  private pinned: string | undefined;

  private constructor(
    readonly dir: string,
    /** Most bytes the segments may take together. */
    readonly limitBytes: number,
  ) {}

  /** Opens (creating) the spool directory and lists what a previous run left there. */
  static async open(dir: string, limitBytes = Number.POSITIVE_INFINITY): Promise<Spool> {
    await mkdir(dir, { recursive: true });
    const spool = new Spool(dir, limitBytes);
    const names: string[] = [];
    for (const name of await readdir(dir)) {
      if (!name.startsWith(prefix)) continue;
      // A crash between write and rename leaves a .tmp: salvage its complete lines.
      if (name.endsWith(suffix + '.tmp')) {
        const final = name.slice(0, -4);
        await rename(path.join(dir, name), path.join(dir, final));
        names.push(final);
      } else if (name.endsWith(suffix + thinSuffix)) {
        // A crash while thinning: the segment itself is still whole.
        await rm(path.join(dir, name), { force: true });
      } else if (name.endsWith(suffix)) names.push(name);
    }
    names.sort((a, b) => seqOf(a) - seqOf(b));
    for (const name of names) {
      const file = path.join(dir, name);
      const text = await readFile(file, 'utf8');
      const readings = text.split('\n').filter((l) => l !== '').length;
      const { size } = await stat(file);
      spool.segments.push({ name, readings, bytes: size, level: 0 });
      spool.total += readings;
      spool.totalBytes += size;
    }
    return spool;
  }

  /** Readings in all segments. */
  get size(): number {
    return this.total;
  }

  /** Bytes the segments take on disk. */
  get bytes(): number {
    return this.totalBytes;
  }

  /** Highest seq any segment starts with, so a new run continues after it. */
  get lastSeq(): number {
    const last = this.segments.at(-1);
    return last === undefined ? 0 : seqOf(last.name) + last.readings;
  }

  /** The segment to replay first, if any. */
  oldest(): string | undefined {
    return this.segments[0]?.name;
  }

  /**
   * Writes `readings` (in order) as one new durable segment, first thinning or dropping the
   * oldest segments when the limit (or a full disk) leaves no room. Resolves with what was
   * given up for it; rejects only when even an empty spool has no room (then nothing of
   * `readings` is on disk and nothing else was lost).
   */
  append(readings: readonly PendingReading[]): Promise<SpoolLoss> {
    return this.exclusive(() => this.appendNow(readings));
  }

  private async appendNow(readings: readonly PendingReading[]): Promise<SpoolLoss> {
    const loss: SpoolLoss = { thinned: 0, dropped: 0 };
    if (readings.length === 0) return loss;
    const text = serialise(readings);
    const bytes = Buffer.byteLength(text);
    while (this.totalBytes + bytes > this.limitBytes && (await this.makeRoom(loss, false)));
    for (;;) {
      try {
        await this.write(readings[0]!.seq, text);
        break;
      } catch (error) {
        // A full disk is the limit reached early: make room as at the limit and try again.
        if (!isDiskFull(error) || !(await this.makeRoom(loss, true))) throw error;
      }
    }
    const name = segmentName(readings[0]!.seq);
    this.insertSorted({ name, readings: readings.length, bytes, level: 0 });
    this.total += readings.length;
    this.totalBytes += bytes;
    return loss;
  }

  /** Marks `name` as being replayed (or none): making room leaves it alone. */
  pin(name: string | undefined): void {
    this.pinned = name;
  }

  /** Reads one segment back; unparsable lines (a torn write) are skipped and counted. */
  async read(name: string): Promise<SegmentContent> {
    const text = await readFile(path.join(this.dir, name), 'utf8');
    const readings: PendingReading[] = [];
    let badLines = 0;
    for (const line of text.split('\n')) {
      if (line === '') continue;
      try {
        const r = JSON.parse(line) as Record<string, unknown>;
        const { seq, oid, id, keyId, value, ts } = r;
        if (
          typeof seq !== 'number' ||
          typeof oid !== 'string' ||
          typeof id !== 'number' ||
          typeof keyId !== 'number' ||
          typeof value !== 'number' ||
          typeof ts !== 'number'
        ) {
          badLines++;
          continue;
        }
        readings.push({ seq, oid, id, keyId, value, tsMs: ts });
      } catch {
        badLines++;
      }
    }
    return { readings, badLines };
  }

  /** Deletes a segment the database has acknowledged. */
  remove(name: string): Promise<void> {
    return this.exclusive(async () => {
      await rm(path.join(this.dir, name), { force: true });
      this.forget(name);
    });
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.serial.then(work, work);
    this.serial = run.catch(() => undefined);
    return run;
  }

  private async write(seq: number, text: string): Promise<void> {
    const file = path.join(this.dir, segmentName(seq));
    try {
      const handle = await open(file + '.tmp', 'w');
      try {
        await handle.writeFile(text);
        await handle.sync();
      } finally {
        await handle.close();
      }
    } catch (error) {
      // A partial temp file would only take the space we lack; the readings are still in memory.
      await rm(file + '.tmp', { force: true }).catch(() => undefined);
      throw error;
    }
    await rename(file + '.tmp', file);
    await this.syncDir();
  }

  /**
   * Frees space: thins the oldest segment not yet thinned `maxThinLevel` times, else drops
   * the oldest segment; a segment that cannot be rewritten for lack of space is dropped.
   * False when there is nothing left to free.
   */
  private async makeRoom(loss: SpoolLoss, diskFull: boolean): Promise<boolean> {
    const candidates = this.segments.filter((s) => s.name !== this.pinned);
    if (candidates.length === 0) return false;
    const thinnable = candidates.find((s) => s.level < maxThinLevel && s.readings > 1);
    if (thinnable) {
      try {
        await this.thin(thinnable, loss);
        return true;
      } catch (error) {
        if (!isDiskFull(error) && !diskFull) throw error;
      }
    }
    const target = thinnable ?? candidates[0]!;
    await rm(path.join(this.dir, target.name), { force: true });
    loss.dropped += target.readings;
    this.forget(target.name);
    return true;
  }

  private async thin(segment: Segment, loss: SpoolLoss): Promise<void> {
    const file = path.join(this.dir, segment.name);
    const { readings } = await this.read(segment.name);
    const kept = readings.filter((_, i) => i % 2 === 0);
    const text = serialise(kept);
    try {
      const handle = await open(file + thinSuffix, 'w');
      try {
        await handle.writeFile(text);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(file + thinSuffix, file);
    } catch (error) {
      await rm(file + thinSuffix, { force: true }).catch(() => undefined);
      throw error;
    }
    const bytes = Buffer.byteLength(text);
    loss.thinned += segment.readings - kept.length;
    this.total -= segment.readings - kept.length;
    this.totalBytes -= segment.bytes - bytes;
    segment.readings = kept.length;
    segment.bytes = bytes;
    segment.level++;
  }

  private forget(name: string): void {
    const index = this.segments.findIndex((s) => s.name === name);
    if (index < 0) return;
    const [segment] = this.segments.splice(index, 1);
    this.total -= segment!.readings;
    this.totalBytes -= segment!.bytes;
  }

  private insertSorted(segment: Segment): void {
    const seq = seqOf(segment.name);
    let i = this.segments.length;
    while (i > 0 && seqOf(this.segments[i - 1]!.name) > seq) i--;
    this.segments.splice(i, 0, segment);
  }

  private async syncDir(): Promise<void> {
    // Makes the rename durable; some filesystems refuse to fsync a directory: harmless.
    try {
      const dir = await open(this.dir, 'r');
      try {
        await dir.sync();
      } finally {
        await dir.close();
      }
    } catch {
      /* best effort */
    }
  }
}
