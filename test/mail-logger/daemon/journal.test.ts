import { execFileSync, spawn } from 'node:child_process';
import { appendFileSync, cpSync, mkdirSync, statSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Journal } from '../../../src/mail-logger/daemon/journal.js';
import { Store } from '../../../src/mail-logger/daemon/store.js';
import { serializeRecord } from '../../../src/mail-logger/protocol.js';
import type { JournalEvent } from '../../../src/mail-logger/daemon/state.js';
import { tempDir } from '../fixtures.js';

const options = {
  now: () => Date.now(),
  onFatal: (e: Error) => {
    throw e;
  },
};

function frames(from: number, to: number): Buffer[] {
  const out: Buffer[] = [];
  for (let seq = from; seq <= to; seq++)
    out.push(Buffer.from(serializeRecord(seq, 1000 * seq, 'INFO', 'DAILY', `r${seq}`, undefined)));
  return out;
}

describe('Journal', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    tmp = tempDir();
  });
  afterEach(() => tmp.remove());

  it('replays sessions, raw frames and mails after a crash, cuts a torn last line, and dedupes resent seqs', async () => {
    const live = path.join(tmp.dir, 'live');
    const { journal, state } = await Journal.open(live, options);
    const hello: JournalEvent = { k: 's', id: 'A', src: 'pi-a', pid: 7, at: 0 };
    journal.appendEvent(hello, () => state.apply(hello));
    journal.appendFrames('A', frames(1, 3));
    journal.appendEvent({ k: 's', id: 'B', src: 'pi-b', pid: 8, at: 0 });
    journal.appendFrames('B', frames(1, 2));
    journal.appendFrames('A', frames(3, 4)); // 3 is a resend: applied once
    await journal.sync();
    // No close(): a copy of the files now is what kill -9 leaves. Then a torn write at the tail.
    const dir = path.join(tmp.dir, 'state');
    cpSync(live, dir, { recursive: true });
    await journal.close();
    appendFileSync(path.join(dir, 'journal-0.ndjson'), '{"t":"rec","seq":5,"ti');
    const reopened = await Journal.open(dir, options);
    const daily = reopened.state.pending.daily;
    expect(daily.map((r) => `${r.source}:${r.msg}`)).toEqual([
      'pi-a:r1',
      'pi-a:r2',
      'pi-a:r3',
      'pi-b:r1',
      'pi-b:r2',
      'pi-a:r4',
    ]);
    expect(reopened.state.sessions.get('A')).toMatchObject({ lastSeq: 4, source: 'pi-a', pid: 7 });
    // Appending after the cut starts on a fresh line.
    reopened.journal.appendFrames('A', frames(5, 5));
    await reopened.journal.close();
    const third = await Journal.open(dir, options);
    expect(third.state.pending.daily.map((r) => r.msg).at(-1)).toBe('r5');
    await third.journal.close();
  });

  it('compaction writes a snapshot, starts a new generation and loses nothing', async () => {
    const dir = path.join(tmp.dir, 'state');
    const { journal, state } = await Journal.open(dir, options);
    const apply = (e: JournalEvent): void => void state.apply(e);
    const hello: JournalEvent = { k: 's', id: 'A', src: 'pi', pid: 1, at: Date.now() };
    journal.appendEvent(hello, () => apply(hello));
    const lines = frames(1, 10);
    journal.appendFrames('A', lines, () => {
      for (let seq = 1; seq <= 10; seq++)
        apply({
          k: 'r',
          id: 'A',
          f: { t: 'rec', seq, time: 1000 * seq, level: 'INFO', schedule: 'DAILY', msg: `r${seq}` },
        });
    });
    const mail: JournalEvent = {
      k: 'm',
      take: 'daily',
      upTo: 4,
      dropped: {},
      mail: { id: 'm1', kind: 'daily', subject: 's', text: 't', html: 'h', createdAt: 0 },
    };
    journal.appendEvent(mail, () => apply(mail));
    await journal.compact();
    journal.appendFrames('A', frames(11, 11));
    await journal.close();
    // The generation before the snapshot stays (here: the empty start and journal-0), so a
    // damaged snapshot can be rebuilt; the lock is released.
    expect(readdirSync(dir).sort()).toEqual(['journal-0.ndjson', 'journal-1.ndjson', 'snapshot.json']);
    for (const name of readdirSync(dir)) expect(statSync(path.join(dir, name)).mode & 0o777).toBe(0o600);
    const reopened = await Journal.open(dir, options);
    expect(reopened.state.pending.daily.map((r) => r.msg)).toEqual([
      'r5',
      'r6',
      'r7',
      'r8',
      'r9',
      'r10',
      'r11',
    ]);
    expect(reopened.state.outbox.map((m) => m.id)).toEqual(['m1']);
    // A second snapshot keeps the first as the previous generation, with the journal since it.
    await reopened.journal.compact();
    await reopened.journal.close();
    expect(readdirSync(dir).sort()).toEqual([
      'journal-1.ndjson',
      'journal-2.ndjson',
      'snapshot.json',
      'snapshot.prev.json',
    ]);
  });

  it('replays both generations when the daemon died after switching generation but before the snapshot was in place', async () => {
    const dir = path.join(tmp.dir, 'state');
    const { journal } = await Journal.open(dir, options);
    journal.appendEvent({ k: 's', id: 'A', src: 'pi', pid: 1, at: Date.now() });
    journal.appendFrames('A', frames(1, 2));
    await journal.close();
    // The new generation already has events; snapshot.json.tmp never got renamed.
    writeFileSync(path.join(dir, 'journal-1.ndjson'), `{"k":"c","id":"A"}\n${frames(3, 3)[0]!.toString()}`);
    writeFileSync(path.join(dir, 'snapshot.json.tmp'), '{"half": ');
    const reopened = await Journal.open(dir, options);
    expect(reopened.state.pending.daily.map((r) => r.msg)).toEqual(['r1', 'r2', 'r3']);
    reopened.journal.appendFrames('A', frames(4, 4));
    await reopened.journal.close();
    expect(readdirSync(dir).sort()).toEqual(['journal-0.ndjson', 'journal-1.ndjson']);
    const third = await Journal.open(dir, options);
    expect(third.state.pending.daily.map((r) => r.msg)).toEqual(['r1', 'r2', 'r3', 'r4']);
    await third.journal.close();
  });

  it('a daemon.pid naming a live unrelated process (pid reuse after a power cut) does not block; a second open of a held directory is refused with the holder’s pid', async () => {
    const dir = path.join(tmp.dir, 'state');
    const { journal } = await Journal.open(dir, options);
    await journal.close();
    const sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      writeFileSync(path.join(dir, 'daemon.pid'), `${sleeper.pid}\n`); // alive, not a daemon
      const first = await Journal.open(dir, options);
      const second = Journal.open(dir, options);
      await expect(second).rejects.toMatchObject({ code: 'ERR_STATE_LOCKED' });
      await expect(second).rejects.toThrow(`is in use by another mail-logger daemon (pid ${process.pid})`);
      await first.journal.close();
      const taken = await Journal.open(dir, options); // released by close()
      await taken.journal.close();
    } finally {
      sleeper.kill();
    }
  });
});

describe('Journal on a read-only filesystem', () => {
  let tmp: ReturnType<typeof tempDir>;
  let mount: string;
  beforeAll(() => {
    tmp = tempDir();
    mount = path.join(tmp.dir, 'ro');
    mkdirSync(mount);
    // As root (as CI runs): a real tmpfs, with one state dir made before it goes read-only.
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mount]);
    mkdirSync(path.join(mount, 'existing'));
    execFileSync('mount', ['-o', 'remount,ro', mount]);
  });
  afterAll(() => {
    execFileSync('umount', [mount]);
    tmp.remove();
  });

  it('says EROFS plainly (Node’s recursive mkdir says ENOENT), for a new and for an existing state directory', async () => {
    const created = Journal.open(path.join(mount, 'a', 'b'), options);
    await expect(created).rejects.toMatchObject({ code: 'ERR_STATE_DIR' });
    await expect(created).rejects.toThrow(
      '(EROFS: the filesystem is mounted read-only; remount it read-write)',
    );
    const existing = Journal.open(path.join(mount, 'existing'), options);
    await expect(existing).rejects.toThrow('EROFS: the filesystem is mounted read-only');
  });
});

describe('Store', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    tmp = tempDir();
  });
  afterEach(() => tmp.remove());

  it('commit applies events only once they are on disk, in order, then runs the continuation', async () => {
    const applied: string[] = [];
    const store = await Store.open(path.join(tmp.dir, 'state'), {
      ...options,
      onApplied: (event) => applied.push(event.k),
    });
    const order: string[] = [];
    store.hello('A', 'pi', 1, (acked) => order.push(`welcome ${acked}`));
    expect(store.claim('A', 1)).toBe(true);
    expect(store.claim('A', 1)).toBe(false); // in flight: a resend is not claimed twice
    store.commitFrames(
      'A',
      frames(1, 1),
      [{ k: 'r', id: 'A', f: { t: 'rec', seq: 1, time: 1, level: 'INFO', schedule: 'DAILY', msg: 'r1' } }],
      () => order.push('ack 1'),
    );
    expect(store.state.sessions.size).toBe(0); // nothing applied before the fsync
    await store.sync();
    expect(order).toEqual(['welcome 0', 'ack 1']);
    expect(applied).toEqual(['s', 'r']);
    expect(store.state.pending.daily.map((r) => r.msg)).toEqual(['r1']);
    await store.close();
  });
});
