// Fault tests against the real daemon process: kill -9 mid-burst, SMTP server down / 4xx,
// a journal that cannot be written.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MailLoggerClient } from '../../src/mail-logger/index.js';
import { SmtpSink } from '../helpers/smtp-sink.js';
import { waitFor } from '../helpers/wait.js';
import { MAX_IN_FLIGHT } from '../../src/mail-logger/delivery/mailer.js';
import {
  daemonArgs,
  killDaemons,
  recordIds,
  spawnDaemon,
  startDaemonProcess,
  tempDir,
  waitForSocket,
  type Daemon,
} from './fixtures.js';

/** Mail ids of the daemon's `mail <id> retry kind=instant` lines. */
function instantRetries(output: string): Set<string> {
  return new Set([...output.matchAll(/\bmail (\S+) retry kind=instant /g)].map((m) => m[1]!));
}

/**
 * Stops a daemon with SIGTERM and waits for its exit 0: after it nothing more can reach the
 * sink, so a count of mails is final (not merely what arrived in time on a slow machine).
 */
async function stopDaemon(daemon: Daemon): Promise<void> {
  daemon.child.kill('SIGTERM');
  expect(await daemon.exited).toBe(0);
}

describe('the daemon process under faults', () => {
  let sink: SmtpSink;
  let tmp: ReturnType<typeof tempDir>;
  let socketPath: string;
  let args: string[];
  const daemons: Daemon[] = [];
  let logger: MailLoggerClient | undefined;

  beforeEach(async () => {
    sink = await SmtpSink.start();
    tmp = tempDir();
    socketPath = path.join(tmp.dir, 'ml.sock');
    args = daemonArgs(
      tmp.dir,
      sink.url,
      { socketPath, stateDir: path.join(tmp.dir, 'state') },
      '--group-wait',
      '0.2',
      '--group-interval',
      '1',
      '--retry-max',
      '0.3',
    );
  });
  afterEach(async () => {
    await logger?.close({ timeoutSeconds: 0.5 });
    logger = undefined;
    await killDaemons(daemons);
    await sink.close();
    tmp.remove();
  });

  function startDaemon(): Promise<Daemon> {
    return startDaemonProcess(args, socketPath, daemons);
  }

  it('kill -9 mid-burst, then restart: every acknowledged record is mailed, each in exactly one mail (at most the 2 mails in flight re-sent whole)', async () => {
    const first = await startDaemon();
    logger = MailLoggerClient.open(`unix://${socketPath}`, { source: 'burst', maxBufferedRecords: 50_000 });
    const total = 6000;
    let acked = 0;
    let killed = false;
    for (let i = 0; i < total; i += 200) {
      for (let j = i; j < i + 200; j++) logger.error(`rec-${j}`);
      if (i === 2000) {
        first.child.kill('SIGKILL'); // while this batch is on its way
        killed = true;
        await first.exited;
        await startDaemon();
      }
      await logger.flush();
      if (!killed) acked = i + 200;
    }
    expect(acked).toBeGreaterThan(0);
    await waitFor(
      () => recordIds(sink.messages).size === total,
      180_000,
      () => mailedSoFar(recordIds(sink.messages), total, sink.messages.length, daemons),
    );
    await stopDaemon(daemons.at(-1)!);
    // A kill in the moment between the server's acceptance and the sent mark re-sends that
    // mail whole, with its Message-ID (see duplicates.test.ts); no record is in two mails.
    // The daemon has at most MAX_IN_FLIGHT (2) mails in flight, so one kill re-sends at most 2.
    const distinct = [...new Map(sink.messages.map((m) => [m.messageId, m])).values()];
    const seen = recordIds(distinct);
    const duplicates = [...seen.entries()].filter(([, n]) => n > 1);
    expect(duplicates).toEqual([]);
    expect(seen.size).toBe(total);
    expect(sink.messages.length - distinct.length).toBeLessThanOrEqual(MAX_IN_FLIGHT);
    // A hang guard: two daemon starts (tsx) and 6,000 records, slow beside the loaded CI pass.
  }, 300_000);

  it('acknowledged records survive kill -9 even when the client is gone too', async () => {
    const first = await startDaemon();
    // SMTP down: everything stays in the journal, nothing can be mailed before the kill.
    await sink.down();
    logger = MailLoggerClient.open(`unix://${socketPath}`, { source: 'gone' });
    for (let i = 0; i < 500; i++) logger.alert(`rec-${i}`);
    await logger.flush();
    await logger.close({ timeoutSeconds: 0 });
    logger = undefined;
    // The instant mail is composed (journaled) and fails to send.
    await waitFor(() => instantRetries(first.stderr()).size > 0, 20_000, 'a failed attempt logged');
    first.child.kill('SIGKILL');
    await first.exited;
    await sink.up();
    await startDaemon();
    await waitFor(() => recordIds(sink.messages).size === 500, 30_000, 'all records mailed');
    await stopDaemon(daemons.at(-1)!);
    expect([...recordIds(sink.messages).values()].every((n) => n === 1)).toBe(true);
  }, 120_000);

  it('SMTP server down, then 4xx, then up: every mail arrives, none twice; SIGTERM exits 0 and keeps unsent mails', async () => {
    const first = await startDaemon();
    await sink.down();
    logger = MailLoggerClient.open(`unix://${socketPath}`, { source: 'pi' });
    for (const [i, text] of ['rec-1', 'rec-2', 'rec-3'].entries()) {
      logger.alert(text);
      await logger.flush();
      // Separate mails: each is composed and its first attempt has failed before the next record.
      await waitFor(() => instantRetries(first.stderr()).size > i, 20_000, `mail ${i + 1} attempted`);
    }
    expect(first.stderr()).not.toContain('password');
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);

    await sink.up();
    sink.rejectWith(451);
    const second = await startDaemon();
    await waitFor(() => second.stderr().includes('451'), 5000, 'a 451 is retried');
    expect(sink.messages).toHaveLength(0);
    sink.rejectWith(null);
    await waitFor(() => recordIds(sink.messages).size === 3, 30_000, 'three records mailed');
    await stopDaemon(second);
    expect([...recordIds(sink.messages).values()]).toEqual([1, 1, 1]);
    expect(new Set(sink.messages.map((m) => m.messageId)).size).toBe(sink.messages.length);
  }, 120_000);

  it('a journal that cannot be written stops the daemon with exit status 1 and one line saying why (so systemd restarts it)', async () => {
    // A digest every second: its compaction opens the next journal generation, and a
    // directory in that place makes the open fail, even for root.
    args.push('--daily', '* * * * * *');
    const daemon = await startDaemon();
    mkdirSync(path.join(tmp.dir, 'state', 'journal-1.ndjson'));
    logger = MailLoggerClient.open(`unix://${socketPath}`, { source: 'pi' });
    logger.info('rec-1');
    await logger.flush();
    expect(await daemon.exited).toBe(1);
    const output = daemon.stderr();
    expect(output).toMatch(/fatal: \[ERR_JOURNAL_WRITE\] cannot write the journal in .*EISDIR.*stopping/);
    expect(output).toContain('raspimon-mail-logger: exiting with status 1: the journal cannot be written');
    // What was acknowledged and composed before the failure is still mailed on the way out.
    expect(recordIds(sink.messages).get('rec-1')).toBe(1);
    expect(existsSync(socketPath)).toBe(false);
  });

  it('a daemon.pid naming a live unrelated process (pid reuse after a power cut) does not block the start; a second daemon on the same state dir refuses, naming the first', async () => {
    const stateDir = path.join(tmp.dir, 'state');
    mkdirSync(stateDir, { recursive: true });
    const sleeper = spawn('sleep', ['60'], { stdio: 'ignore' });
    try {
      writeFileSync(path.join(stateDir, 'daemon.pid'), `${sleeper.pid}\n`);
      const first = await startDaemon();
      const otherSocket = path.join(tmp.dir, 'other.sock');
      const second = spawnDaemon(
        args.map((a) => (a === `unix://${socketPath}` ? `unix://${otherSocket}` : a)),
      );
      daemons.push(second);
      expect(await second.exited).toBe(2);
      expect(second.stderr()).toContain(
        `the state directory ${stateDir} is in use by another mail-logger daemon (pid ${first.child.pid})`,
      );
      expect(existsSync(otherSocket)).toBe(false);
      // The first one still works.
      logger = MailLoggerClient.open(`unix://${socketPath}`, { source: 'pi' });
      logger.alert('rec-1');
      await logger.flush();
      await waitFor(() => recordIds(sink.messages).get('rec-1') === 1, 5000, 'rec-1 mailed');
    } finally {
      sleeper.kill();
    }
  });

  it('a flood of idle connections under a low open-files limit (ulimit -n 100) neither ends the daemon nor blocks the journal; a good client is served once the flood ends', async () => {
    args.push('--daily', '* * * * * *'); // a digest and a compaction every second: files to open
    const daemon = spawn(
      'sh',
      [
        '-c',
        'ulimit -n 100 && exec "$0" "$@"',
        process.execPath,
        '--import',
        'tsx',
        'src/mail-logger/daemon/bin.ts',
        ...args,
      ],
      { cwd: path.resolve(import.meta.dirname, '../..'), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    daemon.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
    const exited = new Promise<number | null>((resolve) => daemon.on('exit', resolve));
    daemons.push({ child: daemon, stderr: () => output, exited });
    await waitForSocket(socketPath);
    logger = MailLoggerClient.open(`unix://${socketPath}`, { source: 'good' });
    logger.info('rec-0');
    await logger.flush();
    const flood: net.Socket[] = [];
    for (let i = 0; i < 300; i++) flood.push(net.connect({ path: socketPath }).on('error', () => undefined));
    logger.info('rec-1');
    // Digests (and their compactions, files to open) go on under the flood.
    await waitFor(() => output.includes('the most allowed: refusing new ones'), 30_000, 'the refusal');
    await waitFor(() => recordIds(sink.messages).size === 2, 30_000, 'rec-0 and rec-1 in digests');
    expect(daemon.exitCode).toBeNull();
    expect(output).toContain('the most allowed: refusing new ones');
    expect(output).not.toContain('fatal');
    for (const socket of flood) socket.destroy();
    logger.info('rec-2');
    await logger.flush({ timeoutSeconds: 10 });
    await waitFor(() => recordIds(sink.messages).size === 3, 10_000, 'three records in digests');
    expect([...recordIds(sink.messages).values()]).toEqual([1, 1, 1]);
  });
});

/** What a timed-out wait for every record saw: how many arrived, the first missing, the daemons' last words. */
function mailedSoFar(seen: Map<string, number>, total: number, mails: number, daemons: Daemon[]): string {
  const missing: number[] = [];
  for (let i = 0; i < total && missing.length < 10; i++) if (!seen.has(`rec-${i}`)) missing.push(i);
  const stderr = daemons.map(
    (d, i) => `daemon ${i + 1}: ${d.stderr().trim().split('\n').slice(-5).join(' | ')}`,
  );
  return `all records mailed (${seen.size} of ${total} in ${mails} mail(s); first missing: ${missing.join(', ')}; ${stderr.join('; ')})`;
}
