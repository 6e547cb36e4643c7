// Issue 10 item 9, the spool itself: a byte limit, and a full disk treated as the limit
// reached. The oldest readings are thinned, then dropped, with counts; the newest segment
// is always whole; nothing is ever half-written.
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Spool, type PendingReading } from '../../../src/monitor/storage/spool.js';
import { tempDir } from '../support.js';
import { mountTmpfs } from './tmpfs.js';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => (tmp = tempDir('raspimon-spool-limit-')));
afterEach(() => tmp.remove());

let seq = 0;
function batch(n: number): PendingReading[] {
  return Array.from({ length: n }, () => {
    const s = seq++;
    return {
      seq: s,
      oid: s.toString(16).padStart(24, '0'),
      id: 1,
      keyId: 1,
      value: s,
      tsMs: 1_700_000_000_000 + s,
    };
  });
}

async function allSeqs(spool: Spool): Promise<number[]> {
  const again = await Spool.open(spool.dir);
  const seqs: number[] = [];
  for (;;) {
    const name = again.oldest();
    if (name === undefined) return seqs;
    const content = await again.read(name);
    expect(content.badLines).toBe(0);
    seqs.push(...content.readings.map((r) => r.seq));
    await again.remove(name);
  }
}

describe('Spool byte limit', () => {
  it('stays within the limit while 120 segments arrive: the oldest thinned to 1/16, then dropped, the newest whole, counts exact', async () => {
    seq = 0;
    const segmentBytes = Buffer.byteLength(
      batch(1)
        .map((r) => JSON.stringify(r))
        .join(''),
    );
    seq = 0;
    const limit = segmentBytes * 50 * 3; // room for about three whole segments
    const spool = await Spool.open(tmp.dir, limit);
    let thinned = 0;
    let dropped = 0;
    for (let i = 0; i < 120; i++) {
      const loss = await spool.append(batch(50));
      thinned += loss.thinned;
      dropped += loss.dropped;
      expect(spool.bytes).toBeLessThanOrEqual(limit);
    }
    expect(thinned).toBeGreaterThan(0);
    expect(dropped).toBeGreaterThan(0);
    expect(spool.size + thinned + dropped).toBe(6000);
    const seqs = await allSeqs(spool);
    expect(seqs.length).toBe(spool.size);
    // The newest segment is whole and in order; what is left of the older ones is sparse.
    expect(seqs.slice(-50)).toEqual(Array.from({ length: 50 }, (_, i) => 5950 + i));
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    expect(new Set(seqs).size).toBe(seqs.length);
  });
});

describe('Spool on a full disk (tmpfs)', () => {
  let fs: ReturnType<typeof mountTmpfs>;
  beforeAll(() => (fs = mountTmpfs(256)));
  afterAll(() => fs.unmount());
  afterEach(() => {
    for (const name of readdirSync(fs.dir)) rmSync(path.join(fs.dir, name), { recursive: true, force: true });
  });

  it('a 256 kB disk with no byte limit: appends never fail while old data can be thinned; no torn or temp file left', async () => {
    seq = 0;
    const dir = path.join(fs.dir, 'spool');
    const spool = await Spool.open(dir);
    let lost = 0;
    for (let i = 0; i < 60; i++) {
      const loss = await spool.append(batch(200)); // ~17 kB each: the disk holds ~15
      lost += loss.thinned + loss.dropped;
    }
    expect(lost).toBeGreaterThan(0);
    expect(spool.size + lost).toBe(12_000);
    expect(readdirSync(dir).filter((n) => !n.endsWith('.ndjson'))).toEqual([]);
    const seqs = await allSeqs(spool);
    expect(seqs.length).toBe(spool.size);
    expect(seqs.slice(-200)).toEqual(Array.from({ length: 200 }, (_, i) => 11_800 + i));
  });

  it('a segment larger than the whole disk is refused, with nothing left on disk and nothing else lost', async () => {
    seq = 0;
    const dir = path.join(fs.dir, 'big');
    const spool = await Spool.open(dir);
    await spool.append(batch(10));
    await expect(spool.append(batch(5000))).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(readdirSync(dir)).toHaveLength(0); // the 10 were dropped trying to make room…
    expect(spool.size).toBe(0);
  });
});
