import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InstanceLock } from '../../src/internal/instance-lock.js';

const repo = path.resolve(import.meta.dirname, '../..');

class HeldError extends Error {
  constructor(readonly pid: number | undefined) {
    super(`held by ${pid}`);
  }
}
const options = { name: 'test', held: (pid: number | undefined) => new HeldError(pid) };

describe('InstanceLock', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'raspimon-lock-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a second holder of one directory (also through a symlink), naming the holder’s pid, and is free again after release', async () => {
    const lock = await InstanceLock.acquire(dir, options);
    await expect(InstanceLock.acquire(dir, options)).rejects.toMatchObject({ pid: process.pid });
    const link = path.join(os.tmpdir(), `raspimon-lock-link-${process.pid}`);
    rmSync(link, { force: true });
    symlinkSync(dir, link);
    try {
      await expect(InstanceLock.acquire(link, options)).rejects.toBeInstanceOf(HeldError);
    } finally {
      rmSync(link, { force: true });
    }
    const other = path.join(dir, 'other');
    mkdirSync(other);
    const elsewhere = await InstanceLock.acquire(other, options); // another directory: another lock
    await lock.release();
    await lock.release(); // idempotent
    const again = await InstanceLock.acquire(dir, options);
    await again.release();
    await elsewhere.release();
  });

  it('is freed by the kernel when its holder is killed with SIGKILL: nothing stale is left', async () => {
    const script = `import { InstanceLock } from ${JSON.stringify(path.join(repo, 'src/internal/instance-lock.ts'))};
      await InstanceLock.acquire(${JSON.stringify(dir)}, { name: 'test', held: () => new Error('held') });
      process.stdout.write('held\\n'); setInterval(() => {}, 1000);`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: repo,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    await new Promise<void>((resolve) => child.stdout.on('data', () => resolve()));
    await expect(InstanceLock.acquire(dir, options)).rejects.toMatchObject({ pid: child.pid });
    child.kill('SIGKILL');
    await exited;
    const lock = await InstanceLock.acquire(dir, options);
    await lock.release();
  });
});
