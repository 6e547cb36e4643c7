import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RecordBuffer, type BufferedRecord } from '../../../src/mail-logger/client/buffer.js';
import { MailLoggerClient, MailLoggerServer } from '../../../src/mail-logger/index.js';
import { MailLoggerError } from '../../../src/errors/index.js';
import type { Level } from '../../../src/mail-logger/levels.js';
import { RaspimonRangeError } from '../../../src/errors.js';
import { SmtpSink } from '../../helpers/smtp-sink.js';
import { ManualClock } from '../../../src/scheduler/index.js';
import { waitFor } from '../../helpers/wait.js';
import { sleep, tempDir } from '../fixtures.js';

function record(seq: number, level: Level): BufferedRecord {
  return {
    seq,
    time: 0,
    level,
    schedule: 'DAILY',
    msg: `${level}-${seq}`,
    ctxJson: undefined,
    dropCount: undefined,
    evicted: false,
  };
}

describe('RecordBuffer', () => {
  it('drops the least severe record (oldest first) when full and replays the rest in seq order', () => {
    const buffer = new RecordBuffer(3);
    expect(buffer.push(record(1, 'ERROR'))).toBe(0);
    expect(buffer.push(record(2, 'INFO'))).toBe(0);
    expect(buffer.push(record(3, 'INFO'))).toBe(0);
    expect(buffer.push(record(4, 'ALERT'))).toBe(1); // INFO-2 goes
    expect(buffer.push(record(5, 'WARNING'))).toBe(1); // INFO-3 goes
    expect(buffer.push(record(6, 'DEBUG'))).toBe(1); // the DEBUG itself is least severe
    expect(buffer.all().map((r) => r.msg)).toEqual(['ERROR-1', 'ALERT-4', 'WARNING-5']);
    buffer.ack(4);
    expect(buffer.all().map((r) => r.msg)).toEqual(['WARNING-5']);
    expect(buffer.size).toBe(1);
    expect(buffer.lowestSeq()).toBe(5);
  });
});

describe('MailLoggerClient', () => {
  let sink: SmtpSink;
  let tmp: ReturnType<typeof tempDir>;
  let listen: string;
  let server: MailLoggerServer | undefined;
  let logger: MailLoggerClient | undefined;

  beforeEach(async () => {
    sink = await SmtpSink.start();
    tmp = tempDir();
    listen = `unix://${path.join(tmp.dir, 'ml.sock')}`;
  });
  afterEach(async () => {
    await logger?.close({ timeoutSeconds: 0.5 });
    logger = undefined;
    await server?.close();
    server = undefined;
    await sink.close();
    tmp.remove();
  });

  function startServer(): Promise<MailLoggerServer> {
    return MailLoggerServer.start({
      credentials: { smtp: sink.url, from: 'pi@example.org', to: 'team@example.org' },
      listen,
      stateDir: path.join(tmp.dir, 'state'),
      groupWait: 0.1,
      log: () => undefined,
    });
  }

  it('uses $RASPIMON_MAIL_LOGGER when opened without a transport', async () => {
    server = await startServer();
    const saved = process.env.RASPIMON_MAIL_LOGGER;
    process.env.RASPIMON_MAIL_LOGGER = listen;
    try {
      logger = MailLoggerClient.open();
    } finally {
      if (saved === undefined) delete process.env.RASPIMON_MAIL_LOGGER;
      else process.env.RASPIMON_MAIL_LOGGER = saved;
    }
    logger.error('via env');
    await logger.flush();
    expect((await sink.waitFor(1))[0]!.subject).toMatch(/via env$/);
  });

  it('never throws from a log call, even with a circular context or a non-string message, and open() throws for a bad transport', async () => {
    server = await startServer();
    logger = MailLoggerClient.open(listen, { source: 'pi' });
    const circular: Record<string, unknown> = { a: 1 };
    circular.self = circular;
    expect(() => logger!.error('circular', circular)).not.toThrow();
    expect(() => logger!.error(12345 as unknown as string, { big: 10n })).not.toThrow();
    expect(() => logger!.alert('x'.repeat(200_000))).not.toThrow();
    await logger.flush();
    const [mail] = await sink.waitFor(1);
    expect(mail!.text).toContain('unserializable');
    expect(mail!.text).toContain('12345');
    expect(mail!.text).toContain('(truncated)');
    expect(() => MailLoggerClient.open('ftp://nope')).toThrow(RaspimonRangeError);
    expect(() => logger!.config('LOUD' as Level, logger!.schedule.DAILY)).toThrow(/unknown level "LOUD"/);
  });

  it('keeps records while the daemon is down, delivers them on start, and reports what the bounded buffer dropped', async () => {
    logger = MailLoggerClient.open(listen, { source: 'pi', maxBufferedRecords: 5 });
    for (let i = 0; i < 5; i++) logger.info(`info ${i}`);
    logger.alert('the pump stopped');
    logger.error('sensor lost');
    expect(logger.stats()).toMatchObject({ buffered: 5, dropped: 2, connected: false });
    const flushed = logger.flush();
    await sleep(300);
    server = await startServer();
    await flushed;
    const [mail] = await sink.waitFor(1);
    expect(mail!.subject).toBe('[ALERT ×2] pi: the pump stopped');
    expect(mail!.text).toContain('2 record(s) from pi were dropped');
    expect(await server.sendDigest('daily')).toBe(true);
    const digest = (await sink.waitFor(2))[1]!;
    expect(digest.subject).toBe('[Daily digest ×3] pi: 3 INFO');
    expect(digest.text).not.toContain('info 0');
    expect(digest.text).toContain('info 4');
  });

  it('flush({ timeoutSeconds }) rejects with ERR_FLUSH_TIMEOUT while no daemon answers; the records stay buffered and are mailed once one starts', async () => {
    const socketPath = listen.slice('unix://'.length);
    logger = MailLoggerClient.open(listen, { source: 'pi' });
    logger.alert('the pump stopped');
    logger.info('tank 40 %');
    logger.info('tank 38 %');
    const error: unknown = await logger.flush({ timeoutSeconds: 0.3 }).then(
      () => 'resolved',
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(MailLoggerError);
    expect(error).toMatchObject({ code: 'ERR_FLUSH_TIMEOUT' });
    const message = (error as Error).message;
    expect(message).toContain('3 record(s)');
    expect(message).toContain(`the daemon at ${socketPath} is not answering`);
    expect(message).toContain('sent when it is reachable again');
    expect(logger.stats()).toMatchObject({ buffered: 3, connected: false });
    expect(() => logger!.flush({ timeoutSeconds: -1 })).toThrow(RaspimonRangeError);
    expect(() => logger!.flush({ timeoutSeconds: '1' as unknown as number })).toThrow(
      /option timeoutSeconds must be a number/,
    );

    server = await startServer();
    await logger.flush({ timeoutSeconds: 10 });
    expect(logger.stats()).toMatchObject({ buffered: 0, connected: true });
    const [alert] = await sink.waitFor(1);
    expect(alert!.subject).toBe('[ALERT] pi: the pump stopped');
    expect(await server.sendDigest('daily')).toBe(true);
    expect((await sink.waitFor(2))[1]!.subject).toBe('[Daily digest ×2] pi: 2 INFO');
  });

  it('resends unacknowledged records after the daemon restarts, without duplicates', async () => {
    server = await startServer();
    logger = MailLoggerClient.open(listen, { source: 'pi' });
    logger.info('before restart');
    await logger.flush();
    await server.close();
    logger.info('while down');
    await sleep(200);
    server = await startServer();
    logger.info('after restart');
    await logger.flush();
    expect(await server.sendDigest('daily')).toBe(true);
    const [digest] = await sink.waitFor(1);
    expect(digest!.subject).toBe('[Daily digest ×3] pi: 3 INFO');
  });

  it('an idle client does not hold the process open; close() releases its socket and later log calls are ignored', async () => {
    server = await startServer();
    const pipes = (): number => process.getActiveResourcesInfo().filter((r) => r === 'PipeWrap').length;
    const baseline = pipes();
    logger = MailLoggerClient.open(listen);
    logger.warning('last words');
    await logger.flush();
    // The daemon's end of the connection only: an idle client's socket is unref'd, so it
    // does not keep the program alive.
    expect(pipes()).toBe(baseline + 1);
    await logger.close();
    expect(logger.stats()).toMatchObject({ buffered: 0, connected: false });
    logger.warning('after close');
    await expect(logger.flush()).resolves.toBeUndefined();
    // The daemon's end closes once it reads the client's FIN.
    await waitFor(() => pipes() === baseline, 5000, 'the connection released');
  });

  // Same sink, socket and clean-up as the tests above (the hooks of this describe).
  describe('tee and clock', () => {
    it('with the daemon down, tees the condition once with counts and each warning or worse (not INFO), and says when it is back', async () => {
      const lines: string[] = [];
      logger = MailLoggerClient.open(listen, { source: 'pi', tee: (line) => lines.push(line) });
      logger.info('tank 40 %');
      logger.error('sensor lost', { sensor: 3 });
      await waitFor(() => lines.length >= 2, 5000, 'the tee');
      for (let i = 0; i < 60; i++) logger.alert(`pump ${i}`);
      await sleep(600); // several reconnect attempts fail meanwhile
      const socketPath = listen.slice('unix://'.length);
      expect(lines[0]).toBe(
        `the daemon at ${socketPath} cannot be reached (ENOENT); 2 record(s) held, sent when it is back (is raspimon-mail-logger running?). Warnings and errors follow here meanwhile`,
      );
      expect(lines.filter((l) => l.includes('cannot be reached'))).toHaveLength(1);
      expect(lines[1]).toBe('[ERROR] sensor lost {"sensor":3}');
      expect(lines.some((l) => l.includes('tank'))).toBe(false);
      expect(lines.filter((l) => l.startsWith('[ALERT]'))).toHaveLength(49); // 50 shown per spell
      server = await MailLoggerServer.start({
        credentials: { smtp: sink.url, from: 'pi@example.org', to: 'team@example.org' },
        listen,
        stateDir: path.join(tmp.dir, 'state'),
        log: () => undefined,
      });
      await logger.flush({ timeoutSeconds: 10 });
      expect(lines.at(-1)).toBe(
        `the daemon at ${socketPath} is reachable again; sending 62 held record(s) (11 more warning(s)/error(s) were not shown here)`,
      );
      expect(lines).toHaveLength(52);
    });

    it('tee: false writes nothing; a bad tee or clock throws at open()', () => {
      expect(() => MailLoggerClient.open(listen, { tee: 'stdout' as 'stderr' })).toThrow(
        /option tee must be 'stderr', false or a function/,
      );
      expect(() => MailLoggerClient.open(listen, { clock: {} as { now(): number } })).toThrow(
        /option clock must have a now\(\) method/,
      );
      expect(() => MailLoggerClient.open(listen, { tee: false })).not.toThrow();
    });

    it('stamps records with the clock it is given (a ManualClock in 2031), as the digest shows', async () => {
      const clock = new ManualClock(new Date('2031-03-04T05:06:07Z'));
      server = await MailLoggerServer.start({
        credentials: { smtp: sink.url, from: 'pi@example.org', to: 'team@example.org' },
        listen,
        stateDir: path.join(tmp.dir, 'state'),
        timeZone: 'UTC',
        log: () => undefined,
      });
      logger = MailLoggerClient.open(listen, { source: 'pi', clock, tee: false });
      logger.info('tank 40 %');
      await logger.flush();
      expect(await server.sendDigest('daily')).toBe(true);
      const [digest] = await sink.waitFor(1);
      expect(digest!.text).toContain('2031-03-04');
      expect(digest!.text).toContain('05:06:07');
    });

    it('close({ timeoutSeconds }) is validated', async () => {
      logger = MailLoggerClient.open(listen, { tee: false });
      await expect(logger.close({ timeoutSeconds: -1 })).rejects.toThrow(RaspimonRangeError);
      await expect(logger.close({ timeoutSeconds: 'soon' as unknown as number })).rejects.toThrow(
        /option timeoutSeconds must be a number/,
      );
    });
  });
});
