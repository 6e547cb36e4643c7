// The journal's line framing and its reading back of damaged files (pure), and the
// Journal's recovery from a damaged snapshot on a real directory.
import { readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  frameHeader,
  frameText,
  scanJournal,
  sessionSeed,
} from '../../../src/mail-logger/daemon/journal-frame.js';
import { Journal } from '../../../src/mail-logger/daemon/journal.js';
import { replay } from '../../../src/mail-logger/daemon/journal-files.js';
import { serializeRecord } from '../../../src/mail-logger/protocol.js';
import { DaemonState } from '../../../src/mail-logger/daemon/state.js';
import { tempDir } from '../fixtures.js';

function record(session: string, seq: number): string {
  const line = serializeRecord(seq, 1000 * seq, 'INFO', 'DAILY', `r${seq}`, undefined);
  const payload = Buffer.from(line.slice(0, -1));
  return `${frameHeader(payload, sessionSeed(session)).toString()}${payload.toString()}\n`;
}

/** A journal of two sessions: hello A, marker A, A1–A5, hello B, marker B, B1–B3, marker A, A6. */
function journal(): Buffer {
  let text = frameText(JSON.stringify({ k: 's', id: 'A', src: 'pi-a', pid: 1, at: 0 }));
  text += frameText(JSON.stringify({ k: 'c', id: 'A' }));
  for (let seq = 1; seq <= 5; seq++) text += record('A', seq);
  text += frameText(JSON.stringify({ k: 's', id: 'B', src: 'pi-b', pid: 2, at: 0 }));
  text += frameText(JSON.stringify({ k: 'c', id: 'B' }));
  for (let seq = 1; seq <= 3; seq++) text += record('B', seq);
  text += frameText(JSON.stringify({ k: 'c', id: 'A' }));
  text += record('A', 6);
  return Buffer.from(text);
}

function lineStarts(bytes: Buffer): number[] {
  const starts = [0];
  for (let i = bytes.indexOf(10); i !== -1 && i < bytes.length - 1; i = bytes.indexOf(10, i + 1))
    starts.push(i + 1);
  return starts;
}

function kept(bytes: Buffer): { msgs: string[]; scan: ReturnType<typeof replay> } {
  const state = new DaemonState();
  const scan = replay(bytes, state);
  return { msgs: state.pending.daily.map((r) => `${r.source}:${r.msg}`), scan };
}

const all = [
  'pi-a:r1',
  'pi-a:r2',
  'pi-a:r3',
  'pi-a:r4',
  'pi-a:r5',
  'pi-b:r1',
  'pi-b:r2',
  'pi-b:r3',
  'pi-a:r6',
];

describe('journal framing', () => {
  it('reads back every line of an intact journal', () => {
    const { msgs, scan } = kept(journal());
    expect(msgs).toEqual(all);
    expect(scan).toEqual({ keep: journal().length, bad: [], torn: 0 });
  });

  it('every single byte set to NUL loses at most the one line it hit, never a good line after it', () => {
    const bytes = journal();
    const starts = lineStarts(bytes);
    for (let at = 0; at < bytes.length; at++) {
      const damaged = Buffer.from(bytes);
      damaged[at] = 0;
      const { msgs, scan } = kept(damaged);
      const line = starts.findLastIndex((s) => s <= at);
      const text = bytes.toString('utf8', starts[line], starts[line + 1] ?? bytes.length);
      // A hit on a hello loses that session's records (they have no source); a hit on the
      // newline of a line is repaired by its length; any other hit loses that line only.
      const lost = all.filter((m) => !msgs.includes(m));
      if (text.includes('"k":"s"') && at !== (starts[line + 1] ?? bytes.length) - 1) {
        expect(lost.every((m) => m.startsWith(text.includes('"A"') ? 'pi-a' : 'pi-b'))).toBe(true);
      } else {
        expect(lost.length, `byte ${at} (line ${line + 1})`).toBeLessThanOrEqual(1);
        expect(msgs).toEqual(all.filter((m) => !lost.includes(m)));
      }
      expect(scan.bad.length + (scan.torn > 0 ? 1 : 0)).toBeLessThanOrEqual(1);
    }
  });

  it('a damaged session marker is recovered from the frames’ own checksums (no record goes to the wrong session)', () => {
    const bytes = journal();
    const starts = lineStarts(bytes);
    const damaged = Buffer.from(bytes);
    damaged[starts[8]! + 20] = 0x78; // the marker of B: its frames then follow A's marker
    const { msgs, scan } = kept(damaged);
    expect(msgs).toEqual(all);
    expect(scan.bad).toHaveLength(1);
    expect(scan.bad[0]).toMatchObject({ offset: starts[8], reason: 'checksum mismatch' });
  });

  it('a torn last line is cut (not reported as damage); a damaged complete last line is damage', () => {
    const bytes = journal();
    const torn = Buffer.concat([bytes, Buffer.from(record('A', 7).slice(0, 30))]);
    expect(kept(torn).scan).toEqual({ keep: bytes.length, bad: [], torn: 30 });
    const last = Buffer.from(bytes);
    last[last.length - 5] = 0;
    const { msgs, scan } = kept(last);
    expect(msgs).toEqual(all.slice(0, -1));
    expect(scan.torn).toBe(0);
    expect(scan.bad).toHaveLength(1);
  });

  it('reads journals of the bare-JSON format (before 0.3) and a mix of both, skipping a bad bare line', () => {
    const bare = [
      JSON.stringify({ k: 's', id: 'A', src: 'pi-a', pid: 1, at: 0 }),
      JSON.stringify({ k: 'c', id: 'A' }),
      ...[1, 2, 3].map((seq) =>
        serializeRecord(seq, 1000 * seq, 'INFO', 'DAILY', `r${seq}`, undefined).slice(0, -1),
      ),
    ].join('\n');
    const mixed = Buffer.from(`${bare}\n${record('A', 4)}`);
    expect(kept(mixed).msgs).toEqual(['pi-a:r1', 'pi-a:r2', 'pi-a:r3', 'pi-a:r4']);
    const starts = lineStarts(mixed);
    const damaged = Buffer.from(mixed);
    damaged[starts[3]! + 10] = 0;
    const { msgs, scan } = kept(damaged);
    expect(msgs).toEqual(['pi-a:r1', 'pi-a:r3', 'pi-a:r4']);
    expect(scan.bad).toEqual([{ offset: starts[3], bytes: starts[4]! - starts[3]!, reason: 'not JSON' }]);
  });

  it('scanJournal tells each good line’s session by its checksum', () => {
    const seen: Array<string | null> = [];
    scanJournal(journal(), [], (line) => {
      seen.push(line.session);
      const entry = JSON.parse(line.payload) as { k?: string; id?: string };
      if (entry.k === 'c') return { marker: entry.id! };
      if (entry.k === 's') return { hello: entry.id! };
      return undefined;
    });
    expect(seen).toEqual([null, null, 'A', 'A', 'A', 'A', 'A', null, null, 'B', 'B', 'B', null, 'A']);
  });
});

describe('Journal recovery from a damaged snapshot', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    tmp = tempDir();
  });
  afterEach(() => tmp.remove());

  const options = (log: string[]) => ({
    now: () => Date.UTC(2026, 0, 2, 3, 4, 5),
    onFatal: (e: Error) => {
      throw e;
    },
    log: (line: string) => log.push(line),
  });

  async function writeGenerations(dir: string): Promise<void> {
    const { journal, state } = await Journal.open(dir, options([]));
    const hello = { k: 's', id: 'A', src: 'pi', pid: 1, at: 0 } as const;
    journal.appendEvent(hello, () => state.apply(hello));
    for (let gen = 0; gen < 3; gen++) {
      const lines = [1, 2].map((i) =>
        Buffer.from(serializeRecord(gen * 2 + i, 0, 'INFO', 'DAILY', `r${gen * 2 + i}`, undefined)),
      );
      journal.appendFrames('A', lines, () => {
        for (const i of [1, 2])
          state.apply({
            k: 'r',
            id: 'A',
            f: {
              t: 'rec',
              seq: gen * 2 + i,
              time: 0,
              level: 'INFO',
              schedule: 'DAILY',
              msg: `r${gen * 2 + i}`,
            },
          });
      });
      await journal.compact();
    }
    await journal.close();
  }

  it('rebuilds from the previous snapshot and the journals since it; nothing lost; the damaged file is moved aside and reported once', async () => {
    const dir = path.join(tmp.dir, 'state');
    await writeGenerations(dir);
    expect(readdirSync(dir).sort()).toEqual([
      'journal-2.ndjson',
      'journal-3.ndjson',
      'snapshot.json',
      'snapshot.prev.json',
    ]);
    const snapshot = path.join(dir, 'snapshot.json');
    truncateSync(snapshot, 40);
    const log: string[] = [];
    const { journal, state } = await Journal.open(dir, options(log));
    expect(state.pending.daily.map((r) => r.msg)).toEqual(['r1', 'r2', 'r3', 'r4', 'r5', 'r6']);
    const alert = state.pending.instant.at(-1)!;
    expect(alert).toMatchObject({ level: 'ALERT', source: 'raspimon-mail-logger' });
    expect(alert.msg).toContain('snapshot.json.damaged-2026-01-02T03-04-05Z');
    expect(alert.msg).toContain('nothing acknowledged was lost');
    expect(log.join('\n')).toMatch(/snapshot damaged: .*moved to .*damaged-2026-01-02T03-04-05Z/);
    await journal.close();
    // The fresh snapshot holds the ALERT: the next start is quiet and has it once.
    const again = await Journal.open(dir, options([]));
    expect(again.state.pending.instant.filter((r) => r.level === 'ALERT')).toHaveLength(1);
    await again.journal.close();
  });

  it('a missing snapshot.json beside the previous one is rebuilt from it, with an ALERT saying so', async () => {
    const dir = path.join(tmp.dir, 'state');
    await writeGenerations(dir);
    rmSync(path.join(dir, 'snapshot.json'));
    const { journal, state } = await Journal.open(dir, options([]));
    expect(state.pending.daily.map((r) => r.msg)).toEqual(['r1', 'r2', 'r3', 'r4', 'r5', 'r6']);
    const alert = state.pending.instant.at(-1)!;
    expect(alert.msg).toContain('was missing');
    expect(alert.msg).toContain('nothing acknowledged was lost');
    await journal.close();
  });

  it('valid JSON of the wrong shape is damage too; with no previous generation left, the loss is said', async () => {
    const dir = path.join(tmp.dir, 'state');
    await writeGenerations(dir);
    writeFileSync(path.join(dir, 'snapshot.prev.json'), '{"v":1,"clean":true}');
    writeFileSync(path.join(dir, 'snapshot.json'), '[]');
    const { journal, state } = await Journal.open(dir, options([]));
    const alert = state.pending.instant.at(-1)!;
    expect(alert.msg).toContain('may be lost');
    await journal.close();
    expect(readFileSync(path.join(dir, 'snapshot.json'), 'utf8')).toContain('"v":1');
  });
});
