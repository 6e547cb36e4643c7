import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mongodbUri, uniqueDbName } from '../helpers/mongo.js';
import { openDb, tempDir } from './support.js';
import { waitFor } from '../helpers/wait.js';

const fixture = path.join(import.meta.dirname, 'fixtures', 'monitor-lifecycle.ts');
let state: ReturnType<typeof tempDir>;
let conn: Awaited<ReturnType<typeof openDb>>;

beforeEach(async () => {
  state = tempDir();
  conn = await openDb(mongodbUri(), uniqueDbName('life_'));
  await conn.db.collection('keys').insertOne({ keyId: 1, unit: 'n' });
  await conn.db.collection('devices').insertOne({ id: 1, name: 'tick', driver: 'tick', interval: 0.05 });
});
afterEach(async () => {
  await conn.db.dropDatabase();
  await conn.close();
  state.remove();
});

function run(mode: string): {
  stdout: () => string;
  exit: Promise<{ code: number | null; signal: string | null }>;
  kill: (s: NodeJS.Signals) => void;
} {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', fixture, mongodbUri(), conn.db.databaseName, state.dir, mode],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  const exit = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { stdout: () => out, exit, kill: (s) => child.kill(s) };
}

describe('monitor process lifecycle', () => {
  it('stop() leaves no socket, timer or file handle open: the process exits by itself', async () => {
    const child = run('stop');
    const { code } = await child.exit;
    expect(code).toBe(0);
    const { now, later } = JSON.parse(child.stdout().trim()) as { now: string[]; later: string[] };
    expect(later, `right after stop: ${now.join(', ')}`).toEqual([]);
  }, 20_000);

  it('with handleSignals(), SIGTERM stops and flushes, then ends the process by the same signal', async () => {
    const child = run('signal');
    await waitFor(() => child.stdout().includes('ready'), 15_000, 'the child to write readings');
    child.kill('SIGTERM');
    expect(await child.exit).toEqual({ code: null, signal: 'SIGTERM' });
    expect(await conn.db.collection('readings').countDocuments({ id: 1 })).toBeGreaterThan(0);
  }, 20_000);
});
