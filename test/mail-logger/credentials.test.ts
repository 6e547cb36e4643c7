import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeSmtp, loadCredentialsFile } from '../../src/mail-logger/delivery/credentials.js';
import { CredentialsError } from '../../src/errors/index.js';
import { MailLoggerServer } from '../../src/mail-logger/index.js';
import { RaspimonError } from '../../src/errors.js';
import { SmtpSink } from '../helpers/smtp-sink.js';
import { runCli, tempDir, writeCredentials } from './fixtures.js';

const SECRET = 'hunter2-very-secret';

describe('credentials', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    tmp = tempDir();
  });
  afterEach(() => tmp.remove());

  it('refuses a file readable by group/others, naming the file and the fix', () => {
    const file = writeCredentials(tmp.dir, `smtp://robot:${SECRET}@127.0.0.1:25`, 0o644);
    chmodSync(file, 0o644);
    const error = (() => {
      try {
        loadCredentialsFile(file);
      } catch (e) {
        return e as CredentialsError;
      }
      throw new Error('no error');
    })();
    expect(error).toBeInstanceOf(CredentialsError);
    expect(error).toBeInstanceOf(RaspimonError);
    expect(error.code).toBe('ERR_CREDENTIALS_PERMISSIONS');
    expect(error.message).toContain(file);
    expect(error.message).toContain(`chmod 600 ${file}`);
    expect(error.message).toContain('0644');
    expect(error.message).not.toContain(SECRET);
  });

  it('refuses a missing file and malformed JSON without quoting the contents', () => {
    const missing = path.join(tmp.dir, 'nope');
    expect(() => loadCredentialsFile(missing)).toThrow(
      expect.objectContaining({ code: 'ERR_CREDENTIALS_MISSING' }),
    );
    const file = path.join(tmp.dir, 'bad');
    writeFileSync(file, `{"smtp": "smtp://robot:${SECRET}@host", "from": `, { mode: 0o600 });
    try {
      loadCredentialsFile(file);
      expect.unreachable();
    } catch (e) {
      expect((e as CredentialsError).code).toBe('ERR_CREDENTIALS_MALFORMED');
      expect((e as Error).message).toContain(`credentials file ${file} is not valid JSON`);
      expect((e as Error).message).not.toContain(SECRET);
    }
    writeFileSync(file, JSON.stringify({ smtp: `http://robot:${SECRET}@host`, from: 'a@b', to: 'c@d' }), {
      mode: 0o600,
    });
    expect(() => loadCredentialsFile(file)).toThrow(/"smtp" must start with smtp:\/\/ or smtps:\/\//);
    writeFileSync(file, JSON.stringify({ smtp: 'smtp://h', from: 'a@b', to: [] }), { mode: 0o600 });
    expect(() => loadCredentialsFile(file)).toThrow(/"to" must be an e-mail address or a non-empty list/);
  });

  it('refuses a FIFO at once (reading it would hang the start) and a directory', () => {
    const fifo = path.join(tmp.dir, 'fifo');
    execFileSync('mkfifo', ['-m', '600', fifo]);
    // Reading a FIFO with no writer blocks: that it returns at all shows it was not read.
    expect(() => loadCredentialsFile(fifo)).toThrow(
      expect.objectContaining({
        code: 'ERR_CREDENTIALS_NOT_FILE',
        message: expect.stringContaining(`credentials file ${fifo} is not a regular file (a FIFO)`),
      }),
    );
    expect(() => loadCredentialsFile(tmp.dir)).toThrow(
      expect.objectContaining({ code: 'ERR_CREDENTIALS_NOT_FILE' }),
    );
  });

  it("refuses a 0600 file owned by another user (like ssh), accepts one owned by the daemon's user", () => {
    const file = writeCredentials(tmp.dir, `smtp://robot:${SECRET}@127.0.0.1:25`);
    expect(loadCredentialsFile(file).from).toBe('pi@example.org');
    const uid = process.getuid!(); // the suite runs as root (as CI does): only root can give a file away
    const other = uid + 4321;
    chownSync(file, other, other);
    try {
      loadCredentialsFile(file);
      expect.unreachable();
    } catch (e) {
      expect((e as CredentialsError).code).toBe('ERR_CREDENTIALS_OWNER');
      expect((e as Error).message).toContain(
        `owned by uid ${other}, not by the daemon's user (uid ${uid}) or root`,
      );
      expect((e as Error).message).not.toContain(SECRET);
    }
  });

  it('"allowUnencryptedAuth" must be a boolean', () => {
    const file = path.join(tmp.dir, 'c');
    writeFileSync(
      file,
      JSON.stringify({ smtp: 'smtp://u:p@h', from: 'a@b', to: 'c@d', allowUnencryptedAuth: 'yes' }),
      { mode: 0o600 },
    );
    expect(() => loadCredentialsFile(file)).toThrow(/"allowUnencryptedAuth" must be true or false/);
  });

  it('masks the password when describing the SMTP server', () => {
    expect(describeSmtp(`smtps://robot%40example.org:${SECRET}@smtp.example.org:465`)).toBe(
      'smtps://robot@example.org@smtp.example.org:465',
    );
    expect(describeSmtp({ host: 'mail', port: 587, auth: { user: 'u', pass: SECRET } })).toBe(
      'smtp://u@mail:587',
    );
  });

  it('MailLoggerServer.start rejects with CredentialsError before touching the state dir', async () => {
    const file = writeCredentials(tmp.dir, 'smtp://127.0.0.1:25', 0o640);
    chmodSync(file, 0o640);
    await expect(
      MailLoggerServer.start({ credentials: file, stateDir: path.join(tmp.dir, 's'), listen: 'tcp://:0' }),
    ).rejects.toThrow(CredentialsError);
  });

  it('an SMTP auth failure is retried, logged without the password, and the mail is kept', async () => {
    const sink = await SmtpSink.start({ auth: { user: 'robot', pass: 'right' } });
    const logged: string[] = [];
    const server = await MailLoggerServer.start({
      credentials: {
        smtp: `smtp://robot:${SECRET}@127.0.0.1:${sink.port}`,
        from: 'pi@example.org',
        to: 'team@example.org',
        allowUnencryptedAuth: true, // the sink offers no STARTTLS
      },
      listen: `unix://${path.join(tmp.dir, 'ml.sock')}`,
      stateDir: path.join(tmp.dir, 'state'),
      groupWait: 0.05,
      retry: { minSeconds: 0.1, maxSeconds: 0.2 },
      log: (line) => logged.push(line),
    });
    const { MailLoggerClient } = await import('../../src/mail-logger/index.js');
    const logger = MailLoggerClient.open(server.address);
    logger.alert('auth test');
    await logger.flush();
    const deadline = Date.now() + 5000;
    while (!logged.some((l) => l.includes('EAUTH')) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    expect(logged.some((l) => l.includes('EAUTH'))).toBe(true);
    expect(logged.join('\n')).not.toContain(SECRET);
    expect(server.stats().outbox).toBe(1);
    await logger.close();
    await server.close();
    await sink.close();
  });
});

describe('CLI', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    tmp = tempDir();
  });
  afterEach(() => tmp.remove());

  it('--help prints usage and exits 0', async () => {
    const { code, output } = await runCli(['--help']);
    expect(code).toBe(0);
    expect(output).toContain('Usage: raspimon-mail-logger [options] <credentials-file>');
    expect(output).toContain('--state-dir');
  });

  it('refuses to start with a world-readable credentials file (exit 2, message names the fix, no secret)', async () => {
    const file = writeCredentials(tmp.dir, `smtp://robot:${SECRET}@127.0.0.1:25`, 0o644);
    chmodSync(file, 0o644);
    const { code, output } = await runCli([
      file,
      '--state-dir',
      path.join(tmp.dir, 's'),
      '--listen',
      'tcp://:0',
    ]);
    expect(code).toBe(2);
    expect(output).toContain(`chmod 600 ${file}`);
    expect(output).not.toContain(SECRET);
  });

  it('--check sends a test mail and exits 0; exits 1 naming the server when it refuses', async () => {
    const sink = await SmtpSink.start({ auth: { user: 'robot', pass: SECRET } });
    const relay = { allowUnencryptedAuth: true }; // the sink offers no STARTTLS
    const good = writeCredentials(tmp.dir, sink.url, 0o600, relay);
    const ok = await runCli([good, '--check']);
    expect(ok.output).toContain(`test mail accepted by smtp://robot@127.0.0.1:${sink.port}`);
    expect(ok.code).toBe(0);
    expect((await sink.waitFor(1))[0]!.subject).toBe('raspimon-mail-logger test mail');
    const badDir = tempDir();
    const bad = writeCredentials(
      badDir.dir,
      `smtp://robot:wrong-${SECRET}@127.0.0.1:${sink.port}`,
      0o600,
      relay,
    );
    const refused = await runCli([bad, '--check']);
    expect(refused.code).toBe(1);
    expect(refused.output).toContain('EAUTH');
    expect(refused.output).not.toContain(`wrong-${SECRET}`);
    badDir.remove();
    await sink.close();
  });

  it('--check names a missing STARTTLS at install time (exit 1), before any password is sent', async () => {
    const sink = await SmtpSink.start({ auth: { user: 'robot', pass: SECRET } });
    const file = writeCredentials(tmp.dir, sink.url);
    const { code, output } = await runCli([file, '--check']);
    expect(code).toBe(1);
    expect(output).toContain(`the SMTP server smtp://robot@127.0.0.1:${sink.port} could not set up TLS`);
    expect(output).not.toContain(SECRET);
    expect(sink.auths).toEqual([]);
    await sink.close();
  });
});

describe('start-up errors', () => {
  it('names an unusable state directory and an occupied socket with MailLoggerError codes', async () => {
    const tmp = tempDir();
    const { MailLoggerError } = await import('../../src/errors/index.js');
    const file = path.join(tmp.dir, 'not-a-dir');
    writeFileSync(file, 'x');
    const credentials = { smtp: 'smtp://127.0.0.1:25', from: 'pi@example.org', to: 'team@example.org' };
    const failure = MailLoggerServer.start({
      credentials,
      stateDir: path.join(file, 'state'),
      listen: 'tcp://:0',
      log: () => undefined,
    });
    await expect(failure).rejects.toBeInstanceOf(MailLoggerError);
    await expect(failure).rejects.toMatchObject({ code: 'ERR_STATE_DIR' });
    const listen = `unix://${path.join(tmp.dir, 'ml.sock')}`;
    const first = await MailLoggerServer.start({
      credentials,
      stateDir: path.join(tmp.dir, 'a'),
      listen,
      log: () => undefined,
    });
    await expect(
      MailLoggerServer.start({
        credentials,
        stateDir: path.join(tmp.dir, 'b'),
        listen,
        log: () => undefined,
      }),
    ).rejects.toMatchObject({
      code: 'ERR_ADDRESS_IN_USE',
      message: expect.stringContaining('another daemon already listens'),
    });
    // The refused daemon left the running one's socket alone.
    const { MailLoggerClient } = await import('../../src/mail-logger/index.js');
    const logger = MailLoggerClient.open(listen);
    logger.info('still reachable');
    await logger.flush();
    await logger.close();
    await first.close();
    tmp.remove();
  });
});
