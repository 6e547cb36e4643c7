// MailTransport: the public declarations need no @types/nodemailer (a dev dependency only,
// so users would silently get `any`), and a nodemailer Transporter still fits it.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import nodemailer from 'nodemailer';
import ts from 'typescript';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  MailLoggerClient,
  MailLoggerServer,
  type MailMessage,
  type MailTransport,
} from '../../../src/mail-logger/index.js';
import { SmtpSink } from '../../helpers/smtp-sink.js';
import { tempDir } from '../fixtures.js';

const repo = path.resolve(import.meta.dirname, '../../..');

/** The declaration files a user's compiler reads for `raspimon/mail-logger`, by path. */
function publicDeclarations(): Map<string, string> {
  const entry = path.join(repo, 'src/mail-logger/index.ts');
  const config = ts.readConfigFile(path.join(repo, 'tsconfig.json'), (file) => readFileSync(file, 'utf8'));
  const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, repo);
  const program = ts.createProgram([entry], {
    ...options,
    noEmit: false,
    declaration: true,
    emitDeclarationOnly: true,
    // Declarations only, without type-checking the whole of src (`npm run typecheck` does
    // that): the full check took over the 30 s test limit on a loaded machine.
    noCheck: true,
  });
  const emitted = new Map<string, string>();
  program.emit(undefined, (file, text) => emitted.set(path.resolve(file), text));
  // Follow relative imports from the entry point: only those files are the public surface.
  const reachable = new Map<string, string>();
  const queue = [entry.replace(/\.ts$/, '.d.ts')];
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    if (reachable.has(file)) continue;
    const text = emitted.get(file);
    if (text === undefined) throw new Error(`no declarations emitted for ${file}`);
    reachable.set(file, text);
    for (const match of text.matchAll(/(?:from |import\()['"](\.{1,2}\/[^'"]+)\.js['"]/g))
      queue.push(path.resolve(path.dirname(file), `${match[1]!}.d.ts`));
  }
  return reachable;
}

describe('MailTransport', () => {
  it('the public declarations of raspimon/mail-logger do not import nodemailer', () => {
    const files = publicDeclarations();
    expect(files.size).toBeGreaterThan(3);
    // Import statements only (a TSDoc example may mention nodemailer in a comment).
    const imports = /^\s*(?:import|export)\b[^;]*?from\s*['"]nodemailer['"]|import\(['"]nodemailer['"]\)/m;
    const importers = [...files].filter(([, text]) => imports.test(text)).map(([f]) => f);
    expect(importers).toEqual([]);
    const transport = [...files.values()].find((text) => text.includes('interface MailTransport'));
    expect(transport).toMatch(/sendMail\(message: MailMessage\): Promise<unknown>;/);
    // A hang guard, not a timing: creating the program is ~6 s of CPU on a quiet 2-core
    // machine and several times that beside the loaded CI pass (a CPU hog per core).
  }, 180_000);

  describe('a nodemailer Transporter passed as `transport`', () => {
    let sink: SmtpSink;
    let tmp: ReturnType<typeof tempDir>;
    beforeEach(async () => {
      sink = await SmtpSink.start();
      tmp = tempDir();
    });
    afterEach(async () => {
      await sink.close();
      tmp.remove();
    });

    it('type-checks as a MailTransport and carries every MailMessage field to the SMTP server', async () => {
      // Compile-time half of the test: `tsc --noEmit` fails if a Transporter stops fitting.
      const transport: MailTransport = nodemailer.createTransport(sink.url);
      const sent: MailMessage[] = [];
      const spy: MailTransport = {
        sendMail: (message) => {
          sent.push(message);
          return transport.sendMail(message);
        },
      };
      const listen = `unix://${path.join(tmp.dir, 'ml.sock')}`;
      const server = await MailLoggerServer.start({
        credentials: { smtp: 'smtp://unused.invalid', from: 'pi@example.org', to: 'team@example.org' },
        transport: spy,
        listen,
        stateDir: path.join(tmp.dir, 'state'),
        log: () => undefined,
      });
      const logger = MailLoggerClient.open(listen, { source: 'pi' });
      logger.alert('the pump stopped');
      await logger.flush();
      const [mail] = await sink.waitFor(1);
      await logger.close();
      await server.close();
      transport.close?.();
      expect(sent).toHaveLength(1);
      expect(Object.keys(sent[0]!).sort()).toEqual(
        [
          'date',
          'envelope',
          'from',
          'headers',
          'html',
          'messageId',
          'signal',
          'subject',
          'text',
          'to',
        ].sort(),
      );
      expect(mail!.subject).toBe('[ALERT] pi: the pump stopped');
      expect(mail!.messageId).toBe(sent[0]!.messageId);
      expect(mail!.headers.get('x-raspimon-mail-kind')).toBe('instant');
      expect(mail!.html).toContain('the pump stopped');
    });
  });
});
