// Disk full under the journal (issue 10 item 3), on a real tiny tmpfs: a write that fits only
// in part is neither taken as complete nor acknowledged; the clients keep their records, the
// daemon says so once, and recovers by itself when space returns.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MailLoggerClient } from '../../src/mail-logger/index.js';
import { SmtpSink, type SinkMessage } from '../helpers/smtp-sink.js';
import { waitFor } from '../helpers/wait.js';
import { daemonArgs, startDaemonProcess, tempDir, type Daemon } from './fixtures.js';

function recordIds(messages: readonly SinkMessage[]): Map<string, number> {
  const seen = new Map<string, number>();
  for (const m of messages)
    for (const match of m.text.matchAll(/\] (rec-\d+) /gm))
      seen.set(match[1]!, (seen.get(match[1]!) ?? 0) + 1);
  return seen;
}

/** Fills the filesystem of `dir` with a filler file; returns its path. */
function fill(dir: string): string {
  const filler = path.join(dir, 'filler');
  const chunk = Buffer.alloc(4096, 0x78);
  for (;;) {
    try {
      writeFileSync(filler, chunk, { flag: 'a' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOSPC') return filler;
      throw error;
    }
  }
}

describe('the daemon on a full disk (tmpfs of 256 KiB)', () => {
  let sink: SmtpSink;
  let tmp: ReturnType<typeof tempDir>;
  let mount: string;
  const daemons: Daemon[] = [];

  beforeAll(async () => {
    sink = await SmtpSink.start();
    tmp = tempDir();
    mount = path.join(tmp.dir, 'fs');
    mkdirSync(mount);
    // The suite runs as root (as CI does): a real filesystem that really runs out of space.
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mount]);
  });
  afterAll(async () => {
    for (const d of daemons)
      if (d.child.exitCode === null && d.child.signalCode === null) d.child.kill('SIGKILL');
    await Promise.all(daemons.map((d) => d.exited));
    execFileSync('umount', [mount]);
    await sink.close();
    tmp.remove();
  });

  it('fills up mid-burst: nothing is acknowledged that is not on disk, one line says so, it recovers when space returns, and after kill -9 every acknowledged record is mailed exactly once', async () => {
    const socketPath = path.join(tmp.dir, 'ml.sock');
    const stateDir = path.join(mount, 'state');
    const args = daemonArgs(
      tmp.dir,
      sink.url,
      { socketPath, stateDir },
      '--group-wait',
      '0.2',
      '--retry-max',
      '0.3',
    );
    await sink.down(); // nothing is mailed before the restart: the journal holds it all
    const first = await startDaemonProcess(args, socketPath, daemons);
    const logger = MailLoggerClient.open(`unix://${socketPath}`, { source: 'pi' });
    // Leave ~6 KiB free: the next batch (about 20 KiB) fits only in part.
    const filler = fill(mount);
    execFileSync('truncate', ['-s', `-${6 * 1024}`, filler]);
    const total = 200;
    for (let i = 0; i < total; i++) logger.alert(`rec-${i} ${'x'.repeat(60)}`);
    await expect(logger.flush({ timeoutSeconds: 1.5 })).rejects.toMatchObject({ code: 'ERR_FLUSH_TIMEOUT' });
    const held = logger.stats().buffered;
    expect(held).toBeGreaterThan(0); // not acknowledged: the client still holds them
    await waitFor(() => first.stderr().includes('disk full'), 5000, 'the disk-full line');
    expect(first.stderr().match(/disk full: cannot write the journal/g)).toHaveLength(1);

    rmSync(filler); // space returns
    await logger.flush({ timeoutSeconds: 10 });
    expect(logger.stats().buffered).toBe(0);
    await waitFor(() => first.stderr().includes('disk space is back'), 5000, 'the recovery line');
    expect(first.stderr().match(/disk full: cannot write the journal/g)).toHaveLength(1);
    await logger.close();

    first.child.kill('SIGKILL');
    await first.exited;
    await sink.up();
    const second = await startDaemonProcess(args, socketPath, daemons);
    await waitFor(() => recordIds(sink.messages).size === total, 30_000, 'every record mailed');
    // Stopped: nothing more can reach the sink, so the count is final.
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    expect([...recordIds(sink.messages).values()].every((n) => n === 1)).toBe(true);
  });
});
