import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Level, MailLoggerClient, MailLoggerServer, Schedule } from '../../src/mail-logger/index.js';
import { SmtpSink } from '../helpers/smtp-sink.js';
import { waitFor } from '../helpers/wait.js';
import { tempDir } from './fixtures.js';

describe('mail logger end to end (real socket, real SMTP server)', () => {
  let sink: SmtpSink;
  let tmp: ReturnType<typeof tempDir>;
  let server: MailLoggerServer | undefined;
  let logger: MailLoggerClient | undefined;

  beforeEach(async () => {
    sink = await SmtpSink.start();
    tmp = tempDir();
  });
  afterEach(async () => {
    await logger?.close({ timeoutSeconds: 1 });
    await server?.close();
    await sink.close();
    tmp.remove();
  });

  async function start(extra: Partial<Parameters<typeof MailLoggerServer.start>[0]> = {}): Promise<string> {
    const listen = `unix://${path.join(tmp.dir, 'ml.sock')}`;
    server = await MailLoggerServer.start({
      credentials: { smtp: sink.url, from: 'pi@example.org', to: 'team@example.org' },
      listen,
      stateDir: path.join(tmp.dir, 'state'),
      groupWait: 0.2,
      log: () => undefined,
      ...extra,
    });
    return listen;
  }

  it("runs the seed's example: instant levels arrive in one grouped mail, INFO in the daily digest, DEBUG nowhere", async () => {
    const listen = await start();
    logger = MailLoggerClient.open(listen, { source: 'raspimon_dca632112233' });
    logger.config(logger.levels.DEBUG, logger.schedule.SILENTLY);
    logger.config(logger.levels.INFO, logger.schedule.DAILY);
    logger.config(logger.levels.ALERT, logger.schedule.INSTANTANEOUSLY);
    logger.config(logger.levels.WARNING, logger.schedule.INSTANTANEOUSLY);
    logger.config(logger.levels.ERROR, logger.schedule.INSTANTANEOUSLY);

    logger.debug('A message with traces and so on.');
    logger.info('Information of any kind.');
    logger.warning('Careful.');
    logger.alert('Something very bad happened.');
    logger.error('Something bad but recoverable.');
    await logger.flush();
    expect(logger.stats()).toMatchObject({ buffered: 0, dropped: 0, silenced: 1 });

    const [instant] = await sink.waitFor(1);
    expect(instant!.subject).toBe('[ALERT ×3] raspimon_dca632112233: Something very bad happened.');
    expect(instant!.text).toContain('Careful.');
    expect(instant!.text).toContain('Something bad but recoverable.');
    expect(instant!.text).not.toContain('Information of any kind.');
    expect(instant!.text).not.toContain('traces');
    expect(instant!.from).toBe('pi@example.org');
    expect(instant!.to).toBe('team@example.org');

    expect(await server!.sendDigest('daily')).toBe(true);
    const messages = await sink.waitFor(2);
    expect(messages[1]!.subject).toMatch(/^\[Daily digest ×1\] raspimon_dca632112233: 1 INFO/);
    expect(messages[1]!.text).toContain('Information of any kind.');
    expect(messages[1]!.html).toContain('Information of any kind.');
    expect(await server!.sendDigest('weekly')).toBe(false);
    expect(await server!.sendDigest('daily')).toBe(false);
    expect(sink.messages).toHaveLength(2);
  });

  it('exports Level and Schedule equal to logger.levels and logger.schedule', async () => {
    const listen = await start();
    logger = MailLoggerClient.open(listen);
    expect(logger.levels).toBe(Level);
    expect(logger.schedule).toBe(Schedule);
    expect(Object.keys(Level)).toEqual(['DEBUG', 'INFO', 'WARNING', 'ERROR', 'ALERT']);
    expect(Object.keys(Schedule)).toEqual(['SILENTLY', 'DAILY', 'WEEKLY', 'INSTANTANEOUSLY']);
  });

  it('creates the socket with mode 0660, and close() removes it and leaves no timer or handle behind', async () => {
    const resources = (): Record<string, number> => {
      const counts: Record<string, number> = {};
      for (const r of process.getActiveResourcesInfo()) counts[r] = (counts[r] ?? 0) + 1;
      return counts;
    };
    const before = resources();
    const listen = await start();
    const socketPath = listen.slice('unix://'.length);
    expect(statSync(socketPath).mode & 0o777).toBe(0o660);
    logger = MailLoggerClient.open(listen);
    logger.alert('one mail');
    await logger.flush();
    await sink.waitFor(1);
    await logger.close();
    logger = undefined;
    await server!.close();
    server = undefined;
    expect(existsSync(socketPath)).toBe(false);
    // Closed handles leave the list once the event loop has run their close callbacks.
    const released = (): boolean =>
      Object.entries(resources()).every(([kind, n]) => n <= (before[kind] ?? 0));
    await waitFor(released, 5000, 'every handle released');
    const after = resources();
    for (const [kind, n] of Object.entries(after)) expect(n, kind).toBeLessThanOrEqual(before[kind] ?? 0);
  });

  it('works over tcp:// on loopback', async () => {
    await start({ listen: 'tcp://127.0.0.1:0' });
    expect(server!.address).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
    logger = MailLoggerClient.open(server!.address, { source: 'tcp-client' });
    logger.alert('over tcp', { port: 1 });
    await logger.flush();
    const [mail] = await sink.waitFor(1);
    expect(mail!.subject).toBe('[ALERT] tcp-client: over tcp');
    expect(mail!.text).toContain('context: {"port":1}');
  });
});
