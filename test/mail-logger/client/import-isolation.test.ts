import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const repo = path.resolve(import.meta.dirname, '../../..');

describe('raspimon/mail-logger alone', () => {
  it('loads neither mongodb nor serialport (checked with a module-resolution hook)', () => {
    // The hook records every module URL Node resolves, ESM and CommonJS alike (Node ≥ 20.6
    // runs `module.register` hooks for both through the loader).
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
      const m = await import(${JSON.stringify(pathToFileURL(path.join(repo, 'src/mail-logger/index.ts')).href)});
      if (typeof m.MailLoggerClient?.open !== 'function') throw new Error('no MailLoggerClient');
      await new Promise((r) => setTimeout(r, 100));
      const cjs = Object.keys((await import('node:module')).createRequire(import.meta.url).cache);
      console.log(JSON.stringify({ seen, cjs }));
    `;
    const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: repo,
      encoding: 'utf8',
    });
    expect(result.stderr).toBe('');
    const { seen, cjs } = JSON.parse(result.stdout.trim().split('\n').pop()!) as {
      seen: string[];
      cjs: string[];
    };
    const loaded = [...seen, ...cjs];
    expect(loaded.some((u) => u.includes('/src/mail-logger/client/client.ts'))).toBe(true);
    expect(loaded.some((u) => u.includes('node_modules/croner'))).toBe(true); // the hook does see dependencies
    expect(
      loaded.filter((u) => /node_modules\/(mongodb|serialport|@serialport|prom-client)\//.test(u)),
    ).toEqual([]);
  });
});
