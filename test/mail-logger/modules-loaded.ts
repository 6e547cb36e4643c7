// What a fresh Node process loads, seen through a module-resolution hook: the tests that keep
// nodemailer, mongodb and serialport out of the client and raspimon/pino share it.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect } from 'vitest';

export const repo = path.resolve(import.meta.dirname, '../..');

/** `src/<file>` as a JSON string of its file URL, to import in a script. */
export function srcUrl(file: string): string {
  return JSON.stringify(pathToFileURL(path.join(repo, 'src', file)).href);
}

/**
 * Runs `body` (ESM, top-level await; `seen` holds the URLs resolved so far) in a fresh process
 * after installing a resolve hook (Node ≥ 20.6 runs `module.register` hooks for ESM and CommonJS
 * alike); returns every module URL resolved, plus the CommonJS cache.
 */
export function modulesLoadedBy(body: string): string[] {
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
    ${body}
    await new Promise((r) => setTimeout(r, 100));
    const cjs = Object.keys((await import('node:module')).createRequire(import.meta.url).cache);
    console.log(JSON.stringify([...seen, ...cjs]));
  `;
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: repo,
    encoding: 'utf8',
  });
  expect(result.status, result.stderr).toBe(0); // the client's own notes on stderr are expected
  return JSON.parse(result.stdout.trim().split('\n').pop()!) as string[];
}
