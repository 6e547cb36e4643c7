// The instance lock is a listening Unix socket: it goes away with its process however that
// ends, so kill -9 (or a power cut, where nothing of the socket survives) leaves no stale lock.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tryInstanceLock, type InstanceLock } from '../../src/internal/index.js';
import { tempDir } from '../monitor/support.js';

const fixture = path.join(import.meta.dirname, 'fixtures', 'hold-lock.ts');
let tmp: ReturnType<typeof tempDir>;
const held: InstanceLock[] = [];
const children: ChildProcess[] = [];

beforeEach(() => (tmp = tempDir('raspimon-lock-')));
afterEach(async () => {
  for (const lock of held.splice(0)) await lock.release();
  for (const child of children.splice(0)) child.kill('SIGKILL');
  tmp.remove();
});

/** Starts a child that takes the lock; resolves with its first line and the child. */
function holder(dir: string, abstract: boolean): Promise<{ line: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture, dir, 'test', abstract ? '1' : '0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  return new Promise((resolve) => {
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      if (out.includes('\n')) resolve({ line: out.trim(), child });
    });
  });
}

async function kill9(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

describe.each([
  ['abstract socket (Linux)', true],
  ['socket file in the dir', false],
])('instance lock: %s', (_what, abstract) => {
  it('a second taker in another process is refused and told the holder; after kill -9 of the holder it is free at once', async () => {
    const first = await holder(tmp.dir, abstract);
    expect(first.line).toBe('held');
    const second = await holder(tmp.dir, abstract);
    expect(second.line).toMatch(/^refused /);
    const info = JSON.parse(second.line.slice('refused '.length)) as { pid: number; about: string };
    expect(info).toMatchObject({ pid: first.child.pid, about: 'fixture' });
    await kill9(first.child);
    if (!abstract) expect(existsSync(path.join(tmp.dir, 'test.lock'))).toBe(true); // left behind…
    const attempt = await tryInstanceLock({ dir: tmp.dir, name: 'test', abstract });
    expect(attempt.acquired).toBe(true); // …and replaced: nobody listened on it
    if (attempt.acquired) held.push(attempt.lock);
  });

  it('the same process is refused too, a different name is a different lock, and release() frees it', async () => {
    const a = await tryInstanceLock({ dir: tmp.dir, name: 'monitor', abstract, about: 'A', now: 1000 });
    expect(a.acquired).toBe(true);
    const b = await tryInstanceLock({ dir: tmp.dir, name: 'monitor', abstract });
    expect(b).toMatchObject({ acquired: false, holder: { pid: process.pid, since: 1000, about: 'A' } });
    const other = await tryInstanceLock({ dir: tmp.dir, name: 'daemon', abstract });
    expect(other.acquired).toBe(true);
    if (other.acquired) held.push(other.lock);
    if (a.acquired) await a.lock.release();
    const c = await tryInstanceLock({ dir: tmp.dir, name: 'monitor', abstract });
    expect(c.acquired).toBe(true);
    if (c.acquired) held.push(c.lock);
  });
});

describe('instance lock: one directory, many paths', () => {
  it('a symlink to the locked dir is the same lock (abstract sockets are keyed by device and inode)', async () => {
    const real = path.join(tmp.dir, 'state');
    mkdirSync(real);
    symlinkSync(real, path.join(tmp.dir, 'alias'));
    const a = await tryInstanceLock({ dir: real, name: 'monitor', abstract: true });
    expect(a.acquired).toBe(true);
    if (a.acquired) held.push(a.lock);
    const b = await tryInstanceLock({ dir: path.join(tmp.dir, 'alias'), name: 'monitor', abstract: true });
    expect(b.acquired).toBe(false);
  });

  it('a dir that is not a directory rejects (the caller reports it)', async () => {
    const file = path.join(tmp.dir, 'file');
    writeFileSync(file, '');
    await expect(tryInstanceLock({ dir: path.join(file, 'x'), name: 'monitor' })).rejects.toMatchObject({
      code: 'ENOTDIR',
    });
  });
});
