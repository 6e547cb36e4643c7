// Damaged state files under the real daemon process (media corruption, as an SD card sees
// it): a byte of the journal set to NUL, a snapshot cut short. Nothing acknowledged that is
// still readable may be lost, and the damage is reported on stderr and by mail.
import { existsSync, readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MailLoggerClient } from '../../src/mail-logger/index.js';
import { recordFigure } from '../helpers/figures.js';
import { SmtpSink, type SinkMessage } from '../helpers/smtp-sink.js';
import { waitFor } from '../helpers/wait.js';
import {
  daemonArgs,
  killDaemons,
  sleep,
  spawnDaemon,
  tempDir,
  waitForSocket,
  type Daemon,
} from './fixtures.js';

/** How many distinct mails (by Message-ID) carry each `rec-N`. */
function recordIds(messages: readonly SinkMessage[]): Map<string, number> {
  const distinct = [...new Map(messages.map((m) => [m.messageId, m])).values()];
  const seen = new Map<string, number>();
  for (const m of distinct) {
    for (const match of m.text.matchAll(/\] (rec-\d+)\b/gm))
      seen.set(match[1]!, (seen.get(match[1]!) ?? 0) + 1);
  }
  return seen;
}

describe('damaged state files under the daemon process', () => {
  let sink: SmtpSink;
  let tmp: ReturnType<typeof tempDir>;
  let socketPath: string;
  let stateDir: string;
  let base: string[];
  const daemons: Daemon[] = [];

  beforeEach(async () => {
    sink = await SmtpSink.start();
    tmp = tempDir();
    socketPath = path.join(tmp.dir, 'ml.sock');
    stateDir = path.join(tmp.dir, 'state');
    base = daemonArgs(tmp.dir, sink.url, { socketPath, stateDir }, '--group-wait', '0.2');
  });
  afterEach(async () => {
    await killDaemons(daemons);
    await sink.close();
    tmp.remove();
  });

  async function startDaemon(extra: string[]): Promise<Daemon> {
    const daemon = spawnDaemon([...base, ...extra]);
    daemons.push(daemon);
    await waitFor(
      async () => {
        if (daemon.child.exitCode !== null)
          throw new Error(`daemon exited ${daemon.child.exitCode}: ${daemon.stderr()}`);
        return (
          existsSync(socketPath) &&
          (await waitForSocket(socketPath, 200).then(
            () => true,
            () => false,
          ))
        );
      },
      20_000,
      'the daemon listening',
    );
    return daemon;
  }

  /** 100 INFO records acknowledged (no digest yet: the cron is set to 1 January), then kill -9. */
  async function hundredAcknowledgedThenKill(): Promise<void> {
    const first = await startDaemon(['--daily', '0 0 1 1 *']);
    const logger = MailLoggerClient.open(`unix://${socketPath}`, { source: 'pi', tee: false });
    for (let i = 0; i < 100; i++) logger.info(`rec-${i} reading ${i * 7} mC`);
    await logger.flush({ timeoutSeconds: 10 });
    await logger.close({ timeoutSeconds: 1 });
    first.child.kill('SIGKILL');
    await first.exited;
  }

  it('one byte of journal line 12 set to NUL after kill -9: the other 99 acknowledged records are mailed exactly once; the damage is kept aside, logged and mailed', async () => {
    await hundredAcknowledgedThenKill();
    const journal = path.join(stateDir, 'journal-0.ndjson');
    const bytes = readFileSync(journal);
    const starts = [0];
    for (let i = bytes.indexOf(10); i !== -1 && i < bytes.length - 1; i = bytes.indexOf(10, i + 1))
      starts.push(i + 1);
    const line12 = bytes.toString('utf8', starts[11], starts[12]! - 1);
    const victim = /rec-\d+/.exec(line12)?.[0];
    expect(victim).toBeDefined();
    const at = starts[11]! + Math.floor(line12.length / 2);
    bytes[at] = 0;
    writeFileSync(journal, bytes);

    const second = await startDaemon(['--daily', '* * * * * *']); // a digest every second
    await waitFor(() => recordIds(sink.messages).size >= 99, 20_000, '99 records mailed').catch(
      (e: Error) => {
        throw new Error(`${e.message}: ${recordIds(sink.messages).size} mailed; ${second.stderr()}`);
      },
    );
    await sleep(1500); // a record mailed twice would show up by now
    const seen = recordIds(sink.messages);
    const kept = seen.size;
    recordFigure({
      id: 'journal.damaged-byte.kept',
      label: '100 acknowledged records, one byte of journal line 12 set to NUL after kill -9: records mailed',
      value: kept,
      unit: 'records',
      bound: '= 99',
    });
    expect(kept).toBe(99);
    expect(seen.has(victim!)).toBe(false);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
    // Reported on stderr, with the file and offset, and in a mail (an ALERT of the daemon's own).
    expect(second.stderr()).toMatch(new RegExp(`journal-0\\.ndjson.*offset ${starts[11]}`));
    const alert = sink.messages.find((m) => /damaged/.test(m.text) && m.subject.includes('ALERT'));
    expect(alert?.text).toContain('journal.corrupt');
    // The damaged bytes are kept aside, with their place.
    const corrupt = readFileSync(path.join(stateDir, 'journal.corrupt'), 'utf8');
    expect(corrupt).toContain(`"offset":${starts[11]}`);
    expect(corrupt).toContain(victim!);
    // Once folded into a snapshot the damage is not reported again at the next start.
    second.child.kill('SIGTERM');
    await second.exited;
    const alerts = sink.messages.filter((m) => /damaged/.test(m.text)).length;
    const third = await startDaemon(['--daily', '* * * * * *']);
    await sleep(1500);
    expect(third.stderr()).not.toMatch(/damaged/);
    expect(sink.messages.filter((m) => /damaged/.test(m.text))).toHaveLength(alerts);
  });

  it('snapshot.json cut short: the daemon starts from the previous generation, mails the 100 intact journal records and an ALERT naming where the damaged file went', async () => {
    // A digest and its compaction first, so a snapshot exists before the 100 records.
    const first = await startDaemon(['--daily', '* * * * * *']);
    const early = MailLoggerClient.open(`unix://${socketPath}`, { source: 'pi', tee: false });
    early.info('rec-1000 before the snapshot');
    await early.flush({ timeoutSeconds: 10 });
    await early.close({ timeoutSeconds: 1 });
    await waitFor(() => recordIds(sink.messages).has('rec-1000'), 10_000, 'the first digest mailed');
    await waitFor(() => existsSync(path.join(stateDir, 'snapshot.json')), 10_000, 'a snapshot');
    first.child.kill('SIGKILL');
    await first.exited;
    await hundredAcknowledgedThenKill();
    const snapshot = path.join(stateDir, 'snapshot.json');
    truncateSync(snapshot, Math.floor(readFileSync(snapshot).length / 2));

    const restarted = await startDaemon(['--daily', '* * * * * *']);
    await waitFor(() => recordIds(sink.messages).size >= 101, 20_000, 'the 100 later records mailed');
    await sleep(1500); // a record mailed twice would show up by now
    const seen = recordIds(sink.messages);
    const later = [...seen.keys()].filter((id) => id !== 'rec-1000');
    recordFigure({
      id: 'snapshot.cut-short.kept',
      label: 'snapshot.json cut short after kill -9: of 100 records acknowledged after it, mailed',
      value: later.length,
      unit: 'records',
      bound: '= 100',
    });
    expect(later).toHaveLength(100);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
    expect(restarted.child.exitCode).toBeNull();
    const moved = readdirSync(stateDir).find((name) => name.startsWith('snapshot.json.damaged-'));
    expect(moved).toBeDefined();
    expect(restarted.stderr()).toContain(moved!);
    const alert = sink.messages.find((m) => m.subject.includes('ALERT') && m.text.includes(moved!));
    expect(alert?.text).toContain('nothing acknowledged was lost');
  });
});
