// MailLoggerServer's lifecycle: `closed` tells whether it stopped by close() or by itself.
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MailLoggerClient, MailLoggerServer } from '../../src/mail-logger/index.js';
import { MailLoggerError } from '../../src/errors/index.js';
import { SmtpSink } from '../helpers/smtp-sink.js';
import { tempDir } from './fixtures.js';

describe('MailLoggerServer.closed', () => {
  let sink: SmtpSink;
  let tmp: ReturnType<typeof tempDir>;
  let socketPath: string;
  let stateDir: string;
  const logged: string[] = [];

  beforeEach(async () => {
    sink = await SmtpSink.start();
    tmp = tempDir();
    socketPath = path.join(tmp.dir, 'ml.sock');
    stateDir = path.join(tmp.dir, 'state');
    logged.length = 0;
  });
  afterEach(async () => {
    await sink.close();
    tmp.remove();
  });

  function start(): Promise<MailLoggerServer> {
    return MailLoggerServer.start({
      credentials: { smtp: sink.url, from: 'pi@example.org', to: 'team@example.org' },
      listen: `unix://${socketPath}`,
      stateDir,
      // Instant records stay pending: the stop must not wait to compose them.
      groupWait: 60,
      groupSettle: 60,
      log: (line) => logged.push(line),
    });
  }

  it('resolves with null after close()', async () => {
    const server = await start();
    await server.close();
    await expect(server.closed).resolves.toBeNull();
  });

  it('resolves with ERR_JOURNAL_WRITE when the journal cannot be written: the server stops by itself, keeps what was acknowledged and mails what was composed', async () => {
    const server = await start();
    const logger = MailLoggerClient.open(`unix://${socketPath}`, { source: 'pi' });
    logger.info('tank 40 %');
    logger.alert('the pump stopped');
    await logger.flush();
    // Compacting opens the next journal generation: a directory in its place makes that
    // fail even for root, for whom permissions do not stop writes.
    mkdirSync(path.join(stateDir, 'journal-1.ndjson'));
    await expect(server.sendDigest('daily')).rejects.toMatchObject({ code: 'ERR_JOURNAL_WRITE' });
    const reason = await server.closed;
    expect(reason).toBeInstanceOf(MailLoggerError);
    expect(reason).toMatchObject({ code: 'ERR_JOURNAL_WRITE' });
    expect(reason!.message).toContain(`cannot write the journal in ${stateDir}`);
    expect(reason!.message).toContain('EISDIR');
    expect(logged.some((line) => line.includes('ERR_JOURNAL_WRITE') && line.includes('stopping'))).toBe(true);
    // The digest was journaled before the failure, so it is still mailed on the way out.
    const [digest] = await sink.waitFor(1);
    expect(digest!.subject).toBe('[Daily digest ×1] pi: 1 INFO');
    await server.close(); // already closed: resolves at once
    expect(existsSync(socketPath)).toBe(false);
    await logger.close({ timeoutSeconds: 0 });
  });
});
