// raspimon/pino: real pino writing through the transport to a real mail-logger daemon
// and SMTP server, in-process and in pino's worker thread.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import pino from 'pino';
import { build } from 'tsup';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RaspimonRangeError } from '../../src/errors.js';
import { MailLoggerServer } from '../../src/mail-logger/index.js';
import defaultExport, { createPinoTransport, mapLevel, toMailRecord } from '../../src/pino/index.js';
import { SmtpSink } from '../helpers/smtp-sink.js';

const repo = path.resolve(import.meta.dirname, '../..');

describe('pino transport against a real daemon', () => {
  let sink: SmtpSink;
  let dir: string;
  let listen: string;
  let server: MailLoggerServer;

  beforeEach(async () => {
    sink = await SmtpSink.start();
    dir = mkdtempSync(path.join(tmpdir(), 'raspimon-pino-'));
    listen = `unix://${path.join(dir, 's.sock')}`;
    server = await MailLoggerServer.start({
      credentials: { smtp: sink.url, from: 'pi@example.org', to: 'team@example.org' },
      listen,
      stateDir: path.join(dir, 'state'),
      groupWait: 0.1,
      log: () => undefined,
    });
  });
  afterEach(async () => {
    await server.close();
    await sink.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('maps every pino level: warn/error/fatal mailed at once, info and debug in the digest, fields as context', async () => {
    const stream = createPinoTransport({
      transport: listen,
      source: 'boiler-app',
      schedules: { DEBUG: 'DAILY' },
    });
    const logger = pino({ level: 'trace' }, stream);
    logger.trace('trace line');
    logger.debug({ step: 2 }, 'debug line');
    logger.info({ sensor: 3 }, 'probe read');
    logger.warn('water is getting hot');
    logger.error({ err: new Error('EIO on /dev/ttyUSB0') }, 'serial read failed');
    logger.fatal({ pump: 'main' }, 'pump stopped');
    stream.end();
    await once(stream, 'finish');

    const [instant] = await sink.waitFor(1);
    expect(instant!.subject).toBe('[ALERT ×3] boiler-app: pump stopped');
    expect(instant!.text).toContain('== WARNING (1) ==');
    expect(instant!.text).toContain('water is getting hot');
    expect(instant!.text).toContain('== ERROR (1) ==');
    expect(instant!.text).toContain('serial read failed');
    expect(instant!.text).toMatch(
      /context: \{"err":\{"type":"Error","message":"EIO on \/dev\/ttyUSB0","stack":"Error: EIO/,
    );
    expect(instant!.text).toContain('context: {"pump":"main"}');
    expect(instant!.text).not.toMatch(/hostname|"pid"|"time"/);

    expect(await server.sendDigest('daily')).toBe(true);
    const digest = (await sink.waitFor(2))[1]!;
    expect(digest.subject).toBe('[Daily digest ×3] boiler-app: 1 INFO, 2 DEBUG');
    expect(digest.text).toContain('probe read');
    expect(digest.text).toContain('context: {"sensor":3}');
    expect(digest.text).toContain('trace line');
    expect(digest.text).toContain('context: {"step":2}');
  });

  it('options.levels remaps a pino level (info → WARNING mails it at once)', async () => {
    const stream = createPinoTransport({ transport: listen, source: 'app', levels: { info: 'WARNING' } });
    pino(stream).info('door opened');
    await stream.flush();
    const [mail] = await sink.waitFor(1);
    expect(mail!.subject).toBe('[WARNING] app: door opened');
    stream.end();
    await once(stream, 'close');
  });

  it('forwards a line that is not JSON as an INFO record with its text', async () => {
    const stream = createPinoTransport({ transport: listen, source: 'app' });
    stream.write('plain text from something else\n{"level":30,"msg":"split ');
    stream.write('across chunks"}\n');
    await stream.flush();
    expect(await server.sendDigest('daily')).toBe(true);
    const [digest] = await sink.waitFor(1);
    expect(digest!.subject).toBe('[Daily digest ×2] app: 2 INFO');
    expect(digest!.text).toContain('plain text from something else');
    expect(digest!.text).toContain('split across chunks');
    stream.end();
    await once(stream, 'close');
  });

  it('ends within closeTimeoutSeconds when the daemon is unreachable, so the app can exit', async () => {
    const stream = createPinoTransport({
      transport: `unix://${path.join(dir, 'nobody.sock')}`,
      closeTimeoutSeconds: 0.2,
    });
    pino(stream).error('nobody listens');
    await stream.flush();
    stream.end();
    await once(stream, 'close');
    expect(stream.destroyed).toBe(true);
    expect(sink.messages).toEqual([]);
  });

  describe('in pino’s worker thread', () => {
    let bundleDir: string;
    let target: string;

    // The worker imports the target itself, outside vitest's TypeScript loader, so it
    // needs JavaScript: bundle src/pino (as tsup would, without touching dist/) into a
    // directory inside the repo so its bare imports resolve from node_modules.
    beforeAll(async () => {
      bundleDir = mkdtempSync(path.join(repo, 'node_modules', '.raspimon-pino-test-'));
      target = path.join(bundleDir, 'pino.js');
      await build({
        config: false,
        entry: { pino: path.join(repo, 'src/pino/index.ts') },
        outDir: bundleDir,
        format: ['esm'],
        platform: 'node',
        target: 'node20',
        silent: true,
      });
    });
    afterAll(() => {
      rmSync(bundleDir, { recursive: true, force: true });
    });

    it('pino.transport({ target }) loads the default export and mails what the app logs', async () => {
      const transport = pino.transport({ target, options: { transport: listen, source: 'worker-app' } });
      const logger = pino(transport);
      logger.error({ deviceId: 7 }, 'sensor 7 lost');
      await new Promise<void>((resolve, reject) =>
        logger.flush((error) => (error ? reject(error) : resolve())),
      );
      const [mail] = await sink.waitFor(1);
      expect(mail!.subject).toBe('[ERROR] worker-app: sensor 7 lost');
      expect(mail!.text).toContain('context: {"deviceId":7}');
      transport.end();
      await once(transport, 'close');
    });
  });
});

describe('pino line mapping', () => {
  it('maps standard labels and numbers, custom numeric levels to the standard level below, and options win', () => {
    // pino's six standard levels, by label and by number, in the same order.
    const standard = ['DEBUG', 'DEBUG', 'INFO', 'WARNING', 'ERROR', 'ALERT'];
    expect(['trace', 'debug', 'info', 'warn', 'error', 'fatal'].map((l) => mapLevel(l, {}))).toEqual(
      standard,
    );
    expect([10, 20, 30, 40, 50, 60, 45, 5, 99].map((n) => mapLevel(n, {}))).toEqual([
      ...standard,
      'WARNING',
      'DEBUG',
      'ALERT',
    ]);
    expect(mapLevel(35, { '35': 'ALERT' })).toBe('ALERT');
    expect(mapLevel(30, { info: 'ERROR' })).toBe('ERROR');
    expect(mapLevel('audit', { audit: 'WARNING' })).toBe('WARNING');
  });

  it('keeps the fields as context without pid/hostname/time/level, and falls back to err.message', () => {
    const line = { level: 50, time: 1, pid: 2, hostname: 'pi', msg: 'boom', device: 3 };
    expect(toMailRecord(line, {})).toEqual({ level: 'ERROR', message: 'boom', context: { device: 3 } });
    expect(toMailRecord({ level: 30, time: 1, msg: 'bare' }, {})).toEqual({
      level: 'INFO',
      message: 'bare',
      context: undefined,
    });
    expect(toMailRecord({ level: 60, err: { message: 'disk full' } }, {}).message).toBe('disk full');
    expect(toMailRecord({ level: 30, message: 'custom key' }, {}, 'message').message).toBe('custom key');
  });

  it('is the module’s default export too (what pino’s worker calls), and rejects bad options at the call', () => {
    expect(defaultExport).toBe(createPinoTransport);
    expect(() => createPinoTransport({ levels: { warn: 'LOUD' as 'ALERT' } })).toThrow(RaspimonRangeError);
    expect(() => createPinoTransport({ levels: { warn: 'LOUD' as 'ALERT' } })).toThrow(
      /options\.levels\.warn must be one of DEBUG, INFO, WARNING, ERROR, ALERT, got "LOUD"/,
    );
    expect(() => createPinoTransport({ closeTimeoutSeconds: -1 })).toThrow(/closeTimeoutSeconds/);
  });
});
