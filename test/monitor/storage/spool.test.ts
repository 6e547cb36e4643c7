import { appendFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Spool, type PendingReading } from '../../../src/monitor/storage/spool.js';
import { tempDir } from '../support.js';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => (tmp = tempDir('raspimon-spool-')));
afterEach(() => tmp.remove());

function readings(fromSeq: number, n: number): PendingReading[] {
  return Array.from({ length: n }, (_, i) => ({
    seq: fromSeq + i,
    oid: (fromSeq + i).toString(16).padStart(24, '0'),
    id: 1,
    keyId: 2,
    value: 2 ** 40 + i,
    tsMs: 1_700_000_000_000 + i,
  }));
}

describe('Spool', () => {
  it('keeps segments in sequence order across reopen, and forgets removed ones', async () => {
    const spool = await Spool.open(tmp.dir);
    await spool.append(readings(200, 3));
    await spool.append(readings(100, 2)); // a failed in-flight batch, older than what was spilled
    const again = await Spool.open(tmp.dir);
    expect(again.size).toBe(5);
    const first = again.oldest()!;
    expect((await again.read(first)).readings.map((r) => r.seq)).toEqual([100, 101]);
    await again.remove(first);
    expect((await again.read(again.oldest()!)).readings).toEqual(readings(200, 3));
    expect(again.size).toBe(3);
    expect(again.lastSeq).toBe(203);
  });

  it('salvages a segment torn by a crash: complete lines are kept, the torn one is counted', async () => {
    const spool = await Spool.open(tmp.dir);
    await spool.append(readings(1, 2));
    const name = readdirSync(tmp.dir)[0]!;
    appendFileSync(path.join(tmp.dir, name), '{"seq":3,"oid":"00');
    writeFileSync(
      path.join(tmp.dir, 'readings-0000000000000009.ndjson.tmp'),
      JSON.stringify({ seq: 9, oid: 'a'.repeat(24), id: 1, keyId: 1, value: 5, ts: 1 }) + '\n',
    );
    const again = await Spool.open(tmp.dir);
    const content = await again.read(again.oldest()!);
    expect(content.readings).toHaveLength(2);
    expect(content.badLines).toBe(1);
    expect(readdirSync(tmp.dir).sort()).toEqual([name, 'readings-0000000000000009.ndjson']);
  });
});
