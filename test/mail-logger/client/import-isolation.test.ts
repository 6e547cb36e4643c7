import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const repo = path.resolve(import.meta.dirname, '../../..');

/**
 * Every module URL Node resolves while `entry` is imported in a fresh process, through a
 * module-resolution hook (Node ≥ 20.6 runs `module.register` hooks for ESM and CommonJS alike),
 * plus the CommonJS cache.
 */
function modulesLoadedBy(entry: string, use: string): string[] {
  const script = `
    import { register } from 'node:module';
    import { MessageChannel } from 'node:worker_threads';
    const { port1, port2 } = new MessageChannel();
    const seen = [];
    port1.on('message', (url) => seen.push(url));
    port1.unref();
    register('data:text/javascript,' + encodeURIComponent(
      'let port; export function initialize(d) { port = d.port; }' +
      'export async function resolve(s, c, next) { const r = await next(s, c); port.postMessage(r.url); return r; }'
    ), { data: { port: port2 }, transferList: [port2] });
    const m = await import(${JSON.stringify(pathToFileURL(path.join(repo, entry)).href)});
    ${use}
    await new Promise((r) => setTimeout(r, 100));
    const cjs = Object.keys((await import('node:module')).createRequire(import.meta.url).cache);
    console.log(JSON.stringify({ seen, cjs }));
  `;
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: repo,
    encoding: 'utf8',
  });
  expect(result.status, result.stderr).toBe(0);
  const { seen, cjs } = JSON.parse(result.stdout.trim().split('\n').pop()!) as {
    seen: string[];
    cjs: string[];
  };
  return [...seen, ...cjs];
}

const heavyPeers = /node_modules\/(nodemailer|mongodb|serialport|@serialport|prom-client)\//;

describe('what logging loads (checked with a module-resolution hook)', () => {
  it('raspimon/mail-logger with a MailLoggerClient opened loads no nodemailer, mongodb, serialport or prom-client', () => {
    const loaded = modulesLoadedBy(
      'src/mail-logger/index.ts',
      `const logger = m.MailLoggerClient.open('tcp://127.0.0.1:9'); logger.info('hello'); await logger.close({ timeoutSeconds: 0.1 });`,
    );
    expect(loaded.some((u) => u.includes('/src/mail-logger/client/client.ts'))).toBe(true);
    expect(loaded.some((u) => u.includes('node_modules/croner/'))).toBe(true); // the hook does see dependencies
    expect(loaded.filter((u) => heavyPeers.test(u))).toEqual([]);
  });

  it('raspimon/pino loads no nodemailer, mongodb, serialport or prom-client', () => {
    const loaded = modulesLoadedBy(
      'src/pino/index.ts',
      `if (typeof m.createPinoTransport !== 'function') throw new Error('no createPinoTransport');`,
    );
    expect(loaded.some((u) => u.includes('/src/pino/transport.ts'))).toBe(true);
    expect(loaded.filter((u) => heavyPeers.test(u))).toEqual([]);
  });

  it('the daemon loads nodemailer only when it builds its SMTP transport for a mail', () => {
    const loaded = modulesLoadedBy(
      'src/mail-logger/delivery/smtp-transport.ts',
      `const t = m.createPooledTransport({ smtp: 'smtp://127.0.0.1:9' }); t.close();`,
    );
    expect(loaded.filter((u) => heavyPeers.test(u))).toEqual([]);
    const sending = modulesLoadedBy(
      'src/mail-logger/delivery/smtp-transport.ts',
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
});
