// nodemailer (~12 MB of heap) is loaded only where mail is sent: importing the client or the
// pino transport, or running an idle daemon, never loads it. Checked in a fresh process with
// a module-resolution hook that records every module Node resolves (ESM and CommonJS).
import { describe, expect, it } from 'vitest';
import { modulesLoadedBy, srcUrl as src } from '../modules-loaded.js';

const nodemailer = (loaded: string[]): string[] => loaded.filter((u) => /node_modules\/nodemailer\//.test(u));

describe('nodemailer is loaded only to send mail', () => {
  it('importing raspimon/mail-logger and logging through the client loads no nodemailer', () => {
    const loaded = modulesLoadedBy(`
      const { MailLoggerClient } = await import(${src('mail-logger/index.ts')});
      const logger = MailLoggerClient.open('unix:///nonexistent/raspimon-test.sock');
      logger.alert('nobody listens');
      await logger.close({ timeoutSeconds: 0 });
    `);
    expect(loaded.some((u) => u.includes('/src/mail-logger/client/client.ts'))).toBe(true);
    expect(loaded.some((u) => u.includes('node_modules/croner/'))).toBe(true); // the hook does see dependencies
    expect(nodemailer(loaded)).toEqual([]);
  });

  it('importing raspimon/pino and creating its transport loads no nodemailer', () => {
    const loaded = modulesLoadedBy(`
      const { createPinoTransport } = await import(${src('pino/index.ts')});
      const stream = await createPinoTransport({ transport: 'unix:///nonexistent/raspimon-test.sock' });
      stream.destroy();
    `);
    expect(loaded.some((u) => u.includes('/src/pino/transport.ts'))).toBe(true);
    expect(nodemailer(loaded)).toEqual([]);
  });

  it('a daemon that has mailed nothing yet loads no nodemailer; its first mail does', () => {
    const loaded = modulesLoadedBy(`
      const { mkdtempSync, rmSync } = await import('node:fs');
      const { tmpdir } = await import('node:os');
      const { MailLoggerServer, MailLoggerClient } = await import(${src('mail-logger/index.ts')});
      const dir = mkdtempSync(tmpdir() + '/raspimon-nm-');
      const server = await MailLoggerServer.start({
        credentials: { smtp: 'smtp://127.0.0.1:9', from: 'pi@example.org', to: 'team@example.org' },
        listen: 'unix://' + dir + '/ml.sock', stateDir: dir + '/state', log: () => undefined,
      });
      await new Promise((r) => setTimeout(r, 200)); // the hook's messages arrive
      if (seen.some((u) => u.includes('node_modules/nodemailer/'))) throw new Error('nodemailer loaded by an idle daemon');
      const logger = MailLoggerClient.open(server.address);
      logger.alert('mail me'); // port 9 refuses: the attempt still needs nodemailer
      await logger.close();
      await new Promise((r) => setTimeout(r, 1500));
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    `);
    expect(nodemailer(loaded).length).toBeGreaterThan(0);
  });
});
