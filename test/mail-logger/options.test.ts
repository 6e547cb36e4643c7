// MailLoggerServer.start options are checked like the Scheduler's and the Monitor's, and the
// CLI names its flags in the same messages.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MailLoggerServer } from '../../src/mail-logger/index.js';
import { resolveServerOptions } from '../../src/mail-logger/daemon/options.js';
import { CronPatternError, RaspimonRangeError, RaspimonTypeError } from '../../src/errors/index.js';
import { Scheduler } from '../../src/scheduler/index.js';
import { runCli, tempDir, writeCredentials } from './fixtures.js';

const credentials = { smtp: 'smtp://127.0.0.1:25', from: 'pi@example.org', to: 'team@example.org' };

describe('MailLoggerServer.start options', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    tmp = tempDir();
  });
  afterEach(() => tmp.remove());

  function start(extra: Record<string, unknown>): Promise<MailLoggerServer> {
    return MailLoggerServer.start({
      credentials,
      listen: 'tcp://:0',
      stateDir: path.join(tmp.dir, 'state'),
      log: () => undefined,
      ...extra,
    });
  }

  it('an unknown timeZone is a CronPatternError (ERR_INVALID_CRON), as in the Scheduler, naming the option and the value', async () => {
    expect(() => new Scheduler({ timeZone: 'Mars/Olympus_Mons' })).toThrow(CronPatternError);
    const failure = start({ timeZone: 'Mars/Olympus_Mons' });
    await expect(failure).rejects.toBeInstanceOf(CronPatternError);
    await expect(failure).rejects.toMatchObject({
      code: 'ERR_INVALID_CRON',
      message: expect.stringContaining('option timeZone "Mars/Olympus_Mons" is not an IANA time zone'),
    });
  });

  it('retry.maxSeconds below retry.minSeconds is refused with ERR_OUT_OF_RANGE, as in the Monitor', async () => {
    const failure = start({ retry: { minSeconds: 10, maxSeconds: 5 } });
    await expect(failure).rejects.toBeInstanceOf(RaspimonRangeError);
    await expect(failure).rejects.toMatchObject({
      code: 'ERR_OUT_OF_RANGE',
      message: 'option retry.maxSeconds (5) must be ≥ retry.minSeconds (10)',
    });
  });

  it('transport must be a transport or an options object; maxMailBytes, maxMailsPerDay and sendTimeoutSeconds are checked', async () => {
    await expect(start({ transport: 'smtp://x' })).rejects.toMatchObject({
      code: 'ERR_INVALID_ARG_TYPE',
      message: expect.stringContaining('option transport must be a transport with sendMail() or an object'),
    });
    await expect(start({ maxMailBytes: 5000 })).rejects.toMatchObject({
      code: 'ERR_OUT_OF_RANGE',
      message: expect.stringContaining('option maxMailBytes must be at least 10000 bytes'),
    });
    await expect(start({ maxMailsPerDay: 2.5 })).rejects.toMatchObject({
      code: 'ERR_OUT_OF_RANGE',
      message: 'option maxMailsPerDay must be a positive integer, got 2.5',
    });
    await expect(start({ sendTimeoutSeconds: -1 })).rejects.toMatchObject({
      code: 'ERR_OUT_OF_RANGE',
      message: 'option sendTimeoutSeconds must be a positive finite number of seconds, got -1',
    });
  });

  it('retry.minSeconds alone above 300 raises the default maxSeconds with it', async () => {
    // The daemon starts (a maxSeconds of 300 below minSeconds would be refused) ...
    const server = await start({ retry: { minSeconds: 600 } });
    await server.close();
    // ... and its retries wait between 600 s and the raised maximum; the default stays 300.
    expect(resolveServerOptions({ credentials: 'x', retry: { minSeconds: 600 } })).toMatchObject({
      retryMinSeconds: 600,
      retryMaxSeconds: 600,
    });
    expect(resolveServerOptions({ credentials: 'x' })).toMatchObject({
      retryMinSeconds: 1,
      retryMaxSeconds: 300,
    });
    expect(() =>
      resolveServerOptions({ credentials: 'x', retry: { minSeconds: 600, maxSeconds: 300 } }),
    ).toThrow(/retry.maxSeconds \(300\) must be ≥ retry.minSeconds \(600\)/);
  });

  it('refuses a bad socketMode, maxConnections, helloTimeoutSeconds or scheduler before touching the state dir, naming the option and the value', async () => {
    await expect(start({ socketMode: 0o1777 })).rejects.toThrow(
      'option socketMode must be a file mode from 0 to 0o777 (e.g. 0o660), got 0o1777',
    );
    await expect(start({ socketMode: '660' })).rejects.toBeInstanceOf(RaspimonTypeError);
    await expect(start({ maxConnections: 0 })).rejects.toMatchObject({
      code: 'ERR_OUT_OF_RANGE',
      message: 'option maxConnections must be a positive integer, got 0',
    });
    await expect(start({ helloTimeoutSeconds: -1 })).rejects.toBeInstanceOf(RaspimonRangeError);
    await expect(start({ scheduler: { now: () => 0 } })).rejects.toThrow(
      /option scheduler must be a started Scheduler .* without onceAfter, repeatCron, remove/,
    );
    expect(existsSync(path.join(tmp.dir, 'state'))).toBe(false);
  });
});

describe('CLI option errors name the flag', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    tmp = tempDir();
  });
  afterEach(() => tmp.remove());

  async function cli(...flags: string[]): Promise<{ code: number | null; output: string }> {
    const file = writeCredentials(tmp.dir, 'smtp://127.0.0.1:25');
    return runCli([file, '--state-dir', path.join(tmp.dir, 'state'), '--listen', 'tcp://:0', ...flags]);
  }

  it('--time-zone and --max-instant-mails: exit 2 with the flag, the value and the usage', async () => {
    const zone = await cli('--time-zone', 'Mars/Olympus_Mons');
    expect(zone.code).toBe(2);
    expect(zone.output).toContain('--time-zone "Mars/Olympus_Mons" is not an IANA time zone');
    expect(zone.output).not.toContain('option timeZone');
    expect(zone.output).toContain('Usage: raspimon-mail-logger');
    const mails = await cli('--max-instant-mails', '2.5');
    expect(mails.code).toBe(2);
    expect(mails.output).toContain('--max-instant-mails must be a positive integer, got 2.5');
    expect(mails.output).not.toContain('maxInstantMails');
  });
});
