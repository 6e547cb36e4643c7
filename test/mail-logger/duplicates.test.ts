// How often kill -9 makes the daemon send a mail twice (issue 10, "also found"). A mail is
// marked sent in its own small fsynced file right after the SMTP server accepts it; a kill
// between the server's "250 OK" and that fsync is the only way to a duplicate, and then
// the same Message-ID is sent again (a receiver can recognise it).
// RASPIMON_FAULT_FULL=1 runs 20 kills (the README figure); npm test runs 3.
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MailLoggerClient } from '../../src/mail-logger/index.js';
import { MAX_IN_FLIGHT } from '../../src/mail-logger/delivery/mailer.js';
import { recordFigure } from '../helpers/figures.js';
import { SmtpSink } from '../helpers/smtp-sink.js';
import { waitFor } from '../helpers/wait.js';
import { daemonArgs, killDaemons, sleep, startDaemonProcess, tempDir, type Daemon } from './fixtures.js';

const KILLS = process.env.RASPIMON_FAULT_FULL === '1' ? 20 : 3;

describe('kill -9 while mails are being sent', () => {
  let sink: SmtpSink;
  let tmp: ReturnType<typeof tempDir>;
  const daemons: Daemon[] = [];

  beforeEach(async () => {
    sink = await SmtpSink.start();
    tmp = tempDir();
  });
  afterEach(async () => {
    await killDaemons(daemons);
    await sink.close();
    tmp.remove();
  });

  it(`${KILLS} kills mid-burst: every acknowledged record is mailed, and a duplicate is only a whole mail re-sent with its Message-ID`, async () => {
    const socketPath = path.join(tmp.dir, 'ml.sock');
    const args = daemonArgs(
      tmp.dir,
      sink.url,
      { socketPath, stateDir: path.join(tmp.dir, 'state') },
      '--group-wait',
      '0.05',
      '--group-interval',
      '0.5',
      '--max-instant-mails',
      '1000',
    );
    const start = (): Promise<Daemon> => startDaemonProcess(args, socketPath, daemons);
    let daemon = await start();
    const logger = MailLoggerClient.open(`unix://${socketPath}`, { source: 'burst', tee: false });
    let next = 0;
    let stop = false;
    const producing = (async () => {
      while (!stop) {
        for (let i = 0; i < 10; i++) logger.error(`rec-${next++}`);
        await sleep(20);
      }
    })();
    for (let kill = 0; kill < KILLS; kill++) {
      // Kill while mails are being sent: once this daemon has had a mail accepted, plus a
      // random part of a group interval (a state first, so a slow machine kills no earlier).
      const before = sink.messages.length;
      await waitFor(() => sink.messages.length > before, 60_000, 'a mail sent by this daemon');
      await sleep(Math.random() * 500);
      daemon.child.kill('SIGKILL');
      await daemon.exited;
      daemon = await start();
    }
    stop = true;
    await producing;
    await logger.flush({ timeoutSeconds: 20 });
    await logger.close();
    const total = next;
    const ids = (): Map<string, number> => {
      const seen = new Map<string, number>();
      for (const m of sink.messages)
        for (const match of m.text.matchAll(/\] (rec-\d+)$/gm))
          seen.set(match[1]!, (seen.get(match[1]!) ?? 0) + 1);
      return seen;
    };
    await waitFor(() => ids().size === total, 180_000, 'every record mailed');
    // Stopped: nothing more can reach the sink, so the counts below are final.
    daemon.child.kill('SIGTERM');
    expect(await daemon.exited).toBe(0);
    const byMessageId = new Map<string, number>();
    for (const m of sink.messages) byMessageId.set(m.messageId, (byMessageId.get(m.messageId) ?? 0) + 1);
    const resent = [...byMessageId.values()].filter((n) => n > 1).length;
    const duplicateRecords = [...ids().values()].filter((n) => n > 1).length;
    console.log(
      `duplicates after ${KILLS} kill -9: ${resent} mail(s) re-sent with the same Message-ID, ` +
        `${duplicateRecords} of ${total} records delivered twice; ${sink.messages.length} mails`,
    );
    // A record twice is only ever inside a mail sent twice, whole.
    const distinct = new Map<string, string>();
    for (const m of sink.messages) distinct.set(m.messageId, m.text);
    const onceEach = new Map<string, number>();
    for (const text of distinct.values())
      for (const match of text.matchAll(/\] (rec-\d+)$/gm))
        onceEach.set(match[1]!, (onceEach.get(match[1]!) ?? 0) + 1);
    expect(onceEach.size).toBe(total);
    expect([...onceEach.values()].every((n) => n === 1)).toBe(true);
    // Each kill can catch the daemon between the server's 250 and the sent mark of each of
    // the MAX_IN_FLIGHT (2) mails it keeps in flight: those, and only those, go again.
    recordFigure({
      id: `duplicates.kill9-${KILLS}.resent`,
      label: `mails re-sent whole (same Message-ID) after ${KILLS} kill -9 mid-send; every record in exactly one distinct mail`,
      value: resent,
      unit: 'mails',
      bound: `≤ ${KILLS * MAX_IN_FLIGHT}`,
    });
    expect(resent).toBeLessThanOrEqual(KILLS * MAX_IN_FLIGHT);
  }, 600_000);
});
