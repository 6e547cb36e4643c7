import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { modulesLoadedBy, repo, srcUrl } from '../modules-loaded.js';

/** Every module URL Node resolves while `entry` (under src/) is imported as `m` and `use` runs. */
function modulesLoadedByEntry(entry: string, use: string): string[] {
  return modulesLoadedBy(`const m = await import(${srcUrl(entry)}); ${use}`);
}

const heavyPeers = /node_modules\/(nodemailer|mongodb|serialport|@serialport|prom-client)\//;

describe('what logging loads (checked with a module-resolution hook)', () => {
  it('raspimon/mail-logger with a MailLoggerClient opened loads no nodemailer, mongodb, serialport or prom-client', () => {
    const loaded = modulesLoadedByEntry(
      'mail-logger/index.ts',
      `const logger = m.MailLoggerClient.open('tcp://127.0.0.1:9'); logger.info('hello'); await logger.close({ timeoutSeconds: 0.1 });`,
    );
    expect(loaded.some((u) => u.includes('/src/mail-logger/client/client.ts'))).toBe(true);
    expect(loaded.some((u) => u.includes('node_modules/croner/'))).toBe(true); // the hook does see dependencies
    expect(loaded.filter((u) => heavyPeers.test(u))).toEqual([]);
  });

  it('raspimon/pino loads no nodemailer, mongodb, serialport or prom-client', () => {
    const loaded = modulesLoadedByEntry(
      'pino/index.ts',
      `if (typeof m.createPinoTransport !== 'function') throw new Error('no createPinoTransport');`,
    );
    expect(loaded.some((u) => u.includes('/src/pino/transport.ts'))).toBe(true);
    expect(loaded.filter((u) => heavyPeers.test(u))).toEqual([]);
  });

  it('the daemon loads nodemailer only when it builds its SMTP transport for a mail', () => {
    const loaded = modulesLoadedByEntry(
      'mail-logger/delivery/smtp-transport.ts',
      `const t = m.createPooledTransport({ smtp: 'smtp://127.0.0.1:9' }); t.close();`,
    );
    expect(loaded.filter((u) => heavyPeers.test(u))).toEqual([]);
    const sending = modulesLoadedByEntry(
      'mail-logger/delivery/smtp-transport.ts',
      `const t = m.createPooledTransport({ smtp: 'smtp://127.0.0.1:9' }, { pool: false, connectionTimeout: 500 });
       await t.sendMail({ from: 'a@example.org', to: ['b@example.org'], subject: 's', text: 't' }).catch(() => undefined);
       t.close();`,
    );
    expect(sending.some((u) => u.includes('node_modules/nodemailer/'))).toBe(true);
  });
});

describe('src/mail-logger/ folders', () => {
  /** The folders of src/mail-logger/ that the files of `folder` import from (type-only imports too). */
  function foldersImportedBy(folder: string): string[] {
    const dir = path.join(repo, 'src/mail-logger', folder);
    const found = new Set<string>();
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
      const text = readFileSync(path.join(dir, file), 'utf8');
      for (const [, spec] of text.matchAll(/from '(\.[^']+)'/g)) {
        const target = path.relative(path.join(repo, 'src/mail-logger'), path.resolve(dir, spec!));
        found.add(target.includes('/') ? target.split('/')[0]! : '.');
      }
    }
    return [...found].sort();
  }

  it('client/ imports nothing from daemon/ or delivery/ (only the shared levels, protocol and errors)', () => {
    const folders = foldersImportedBy('client');
    expect(folders).toContain('client');
    expect(folders.filter((f) => f === 'daemon' || f === 'delivery')).toEqual([]);
  });

  it('delivery/ imports nothing from daemon/ or client/ (the daemon drives delivery, not the reverse)', () => {
    const folders = foldersImportedBy('delivery');
    expect(folders).toContain('delivery');
    expect(folders.filter((f) => f === 'daemon' || f === 'client')).toEqual([]);
  });

  it('composition/ imports nothing from daemon/, delivery/ or client/ (the daemon journals what it composes, delivery sends it)', () => {
    const folders = foldersImportedBy('composition');
    expect(folders).toContain('composition');
    expect(folders.filter((f) => f === 'daemon' || f === 'delivery' || f === 'client')).toEqual([]);
  });
});
