// Client sessions outlive any wall-clock age: a Pi that booted in 1970 and was stepped to the
// present by NTP, or a client connected for months, keeps every acknowledged record across
// compactions, kill -9 and clean restarts (issue 10 item 2).
import { cpSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MailLoggerClient, MailLoggerServer } from '../../../src/mail-logger/index.js';
import { DaemonState } from '../../../src/mail-logger/daemon/state.js';
import { ManualClock, Scheduler } from '../../../src/scheduler/index.js';
import { SmtpSink } from '../../helpers/smtp-sink.js';
import { waitFor } from '../../helpers/wait.js';
import { tempDir } from '../fixtures.js';

describe('client sessions across clock steps and restarts', () => {
  let sink: SmtpSink;
  let tmp: ReturnType<typeof tempDir>;
  let clock: ManualClock;
  let scheduler: Scheduler;
  const servers: MailLoggerServer[] = [];
  let logger: MailLoggerClient | undefined;

  beforeEach(async () => {
    sink = await SmtpSink.start();
    tmp = tempDir();
    clock = new ManualClock(new Date('1970-01-02T00:00:00Z')); // a Pi without RTC, before NTP
    scheduler = new Scheduler({ clock, timeZone: 'UTC' }).start();
  });
  afterEach(async () => {
    await logger?.close({ timeoutSeconds: 0.5 });
    logger = undefined;
    for (const server of servers.splice(0)) await server.close();
    await scheduler.stop();
    await sink.close();
    tmp.remove();
  });

  function start(name: string): Promise<MailLoggerServer> {
    return MailLoggerServer.start({
      credentials: { smtp: sink.url, from: 'pi@example.org', to: 'team@example.org' },
      listen: `unix://${path.join(tmp.dir, `${name}.sock`)}`,
      stateDir: path.join(tmp.dir, name),
      scheduler,
      timeZone: 'UTC',
      log: () => undefined,
    }).then((server) => {
      servers.push(server);
      return server;
    });
  }

  it('a session begun 56 years earlier by the daemon clock keeps its 50 acknowledged records through a compaction, a kill -9 and a clean restart', async () => {
    const server = await start('state');
    logger = MailLoggerClient.open(server.address, { source: 'pi' });
    logger.config(logger.levels.WARNING, logger.schedule.WEEKLY);
    logger.warning('hello from 1970');
    await logger.flush(); // the session's hello is stamped 1970-01-02
    clock.setWallTime(new Date('2026-06-01T07:00:00Z')); // NTP steps the clock
    expect(await server.sendDigest('weekly')).toBe(true); // and compacts: a snapshot is written
    for (let i = 0; i < 50; i++) logger.info(`rec-${i}`);
    await logger.flush();
    expect(server.stats().pendingDaily).toBe(50);

    // kill -9 now: a copy of the state directory is what it would leave on disk.
    cpSync(path.join(tmp.dir, 'state'), path.join(tmp.dir, 'crashed'), { recursive: true });
    const crashed = await start('crashed');
    expect(crashed.stats().pendingDaily).toBe(50);

    // A clean restart of the original daemon.
    await logger.close();
    logger = undefined;
    await server.close();
    const restarted = await start('state');
    expect(restarted.stats().pendingDaily).toBe(50);
    expect(await restarted.sendDigest('daily')).toBe(true);
    const isDaily = (subject: string): boolean => subject.startsWith('[Daily digest');
    await waitFor(() => sink.messages.some((m) => isDaily(m.subject)), 5000, 'the daily digest');
    const daily = sink.messages.filter((m) => isDaily(m.subject));
    expect(daily.map((m) => m.subject)).toEqual(['[Daily digest ×50] pi: 50 INFO']);
    for (let i = 0; i < 50; i++) expect(daily[0]!.text).toContain(`rec-${i}\n`);
  });
});

describe('DaemonState snapshots', () => {
  it('keep every connected session and the 1000 most recently greeted idle ones, whatever their stamps say', () => {
    const state = new DaemonState();
    for (let i = 0; i < 1500; i++)
      state.apply({ k: 's', id: `s${i}`, src: 'pi', pid: i, at: i % 2 === 0 ? 0 : 8.6e15 });
    state.apply({ k: 's', id: 's3', src: 'pi', pid: 3, at: 0 }); // greeted again: most recent now
    const { state: loaded } = DaemonState.fromSnapshot(state.toSnapshot(1, (id) => id === 's0'));
    const ids = [...loaded.sessions.keys()];
    expect(ids).toHaveLength(1001);
    expect(ids).toContain('s0'); // connected, oldest
    expect(ids).toContain('s3');
    expect(ids).not.toContain('s1');
    expect(ids).toContain('s1499');
  });

  it('count drops of sources named __proto__ and constructor like any other, through a snapshot', () => {
    const state = new DaemonState();
    state.apply({ k: 's', id: 'a', src: '__proto__', pid: 1, at: 0 });
    state.apply({ k: 's', id: 'b', src: 'constructor', pid: 2, at: 0 });
    state.apply({ k: 'd', id: 'a', f: { t: 'drop', seq: 1, time: 0, count: 7 } });
    state.apply({ k: 'd', id: 'b', f: { t: 'drop', seq: 1, time: 0, count: 5 } });
    const { state: loaded } = DaemonState.fromSnapshot(state.toSnapshot(1, () => true));
    expect(Object.entries(loaded.dropped)).toEqual([
      ['__proto__', 7],
      ['constructor', 5],
    ]);
    expect(loaded.hasDropped()).toBe(true);
  });
});
