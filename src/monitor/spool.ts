// Append-only on-disk spool of readings the database has not acknowledged yet. Each
// spill is one segment file written under a temporary name, fsync'd, then renamed, so
// a segment is either complete or absent; segments are named by the sequence number of
// their first reading and replayed in that order, and deleted once the database has
// acknowledged every reading in them.
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
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

function segmentName(seq: number): string {
  return `${prefix}${String(seq).padStart(16, '0')}${suffix}`;
}

function seqOf(name: string): number {
  return Number(name.slice(prefix.length, -suffix.length));
}

/** What reading one segment gave: its readings and how many lines were unreadable. */
export interface SegmentContent {
  readings: PendingReading[];
  badLines: number;
}

/** Segment files of not-yet-acknowledged readings in a directory. */
export class Spool {
  private readonly segments: string[] = [];
  private readonly counts = new Map<string, number>();
  private total = 0;

  private constructor(readonly dir: string) {}

  /** Opens (creating) the spool directory and lists what a previous run left there. */
  static async open(dir: string): Promise<Spool> {
    await mkdir(dir, { recursive: true });
    const spool = new Spool(dir);
    for (const name of await readdir(dir)) {
      if (!name.startsWith(prefix)) continue;
      // A crash between write and rename leaves a .tmp: salvage its complete lines.
      if (name.endsWith(suffix + '.tmp')) {
        const final = name.slice(0, -4);
        await rename(path.join(dir, name), path.join(dir, final));
        spool.segments.push(final);
      } else if (name.endsWith(suffix)) spool.segments.push(name);
    }
    spool.segments.sort((a, b) => seqOf(a) - seqOf(b));
    for (const name of spool.segments) {
      const text = await readFile(path.join(dir, name), 'utf8');
      const lines = text.split('\n').filter((l) => l !== '').length;
      spool.counts.set(name, lines);
      spool.total += lines;
    }
    return spool;
  }

  /** Readings in all segments. */
  get size(): number {
    return this.total;
  }

  /** Highest seq any segment starts with, so a new run continues after it. */
  get lastSeq(): number {
    const last = this.segments.at(-1);
    return last === undefined ? 0 : seqOf(last) + (this.counts.get(last) ?? 0);
  }

  /** The segment to replay first, if any. */
  oldest(): string | undefined {
    return this.segments[0];
  }

  /** Writes `readings` (in order) as one new durable segment. */
  async append(readings: readonly PendingReading[]): Promise<void> {
    if (readings.length === 0) return;
    const name = segmentName(readings[0]!.seq);
    const file = path.join(this.dir, name);
    let text = '';
    for (const r of readings)
      text += `{"seq":${r.seq},"oid":"${r.oid}","id":${r.id},"keyId":${r.keyId},"value":${r.value},"ts":${r.tsMs}}\n`;
    const handle = await open(file + '.tmp', 'w');
    try {
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(file + '.tmp', file);
    await this.syncDir();
    this.insertSorted(name);
    this.counts.set(name, readings.length);
    this.total += readings.length;
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
  async remove(name: string): Promise<void> {
    await rm(path.join(this.dir, name), { force: true });
    const index = this.segments.indexOf(name);
    if (index >= 0) this.segments.splice(index, 1);
    this.total -= this.counts.get(name) ?? 0;
    this.counts.delete(name);
  }

  private insertSorted(name: string): void {
    const seq = seqOf(name);
    let i = this.segments.length;
    while (i > 0 && seqOf(this.segments[i - 1]!) > seq) i--;
    this.segments.splice(i, 0, name);
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
