// Issue 10 item 8: one monitor per state dir. Four monitors on one namespace used to run
// side by side and store every reading 3-4 times; now the lock lets one start and refuses
// the others with MonitorLockedError, and a holder killed with -9 leaves no stale lock.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DriverDefinition, Monitor } from '../../src/monitor/index.js';
import { MonitorLockedError } from '../../src/errors/index.js';
import { mongodbUri } from '../helpers/mongo.js';
import { waitFor } from '../helpers/wait.js';
import { useMonitorHarness } from './fixtures/monitor-harness.js';

const fixture = path.join(import.meta.dirname, 'fixtures', 'monitor-lifecycle.ts');
const h = useMonitorHarness(() => ({
  prefix: 'lock_',
  keys: [{ keyId: 1, unit: 'n' }],
  devices: [{ id: 1, name: 'tick', driver: 'tick', interval: 0.05 }],
}));

let ticks = 0;
const tick: DriverDefinition = {
  validateConfig: (config) => ({ ok: true, config, keyIds: [1] }),
  create: () => ({ read: () => [{ keyId: 1, value: ticks++ }] }),
};

const makeMonitor = (): Monitor =>
  h.monitor({ flushSeconds: 0.05, pollSeconds: 3600, drivers: { tick } }).monitor;

describe('one monitor per state dir', () => {
  it('four monitors started at once on one namespace and state dir: one runs, three are refused with MonitorLockedError, each reading is stored once', async () => {
    const four = [makeMonitor(), makeMonitor(), makeMonitor(), makeMonitor()];
    const results = await Promise.allSettled(four.map((m) => m.start()));
    const refused = results.filter((r) => r.status === 'rejected');
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(refused).toHaveLength(3);
    for (const r of refused) {
      const error = r.reason as MonitorLockedError;
      expect(error).toBeInstanceOf(MonitorLockedError);
      expect(error.code).toBe('ERR_MONITOR_LOCKED');
      expect(error.message).toMatch(
        new RegExp(
          `another monitor already runs on the state dir .*: process ${process.pid} \\(namespace "${h.db.databaseName}"`,
        ),
      );
    }
    const running = four[results.findIndex((r) => r.status === 'fulfilled')]!;
    await waitFor(() => running.stats().accepted >= 10, 5000, 'readings');
    await running.flush();
    const stored = await h.db.collection('readings').countDocuments();
    expect(stored).toBe(running.stats().written);
    const values = await h.db.collection('readings').distinct('value');
    expect(values.length).toBe(stored); // no reading twice
  });

  it('a monitor in another process holds the lock; kill -9 of it frees the lock at once, no stale-lock cleanup needed', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', fixture, mongodbUri(), h.db.databaseName, h.stateDir, 'signal'],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    await waitFor(() => out.includes('ready'), 15_000, 'the child monitor to run');
    const refused = makeMonitor();
    await expect(refused.start()).rejects.toMatchObject({
      name: 'MonitorLockedError',
      message: expect.stringContaining(`process ${child.pid} (namespace`),
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    const next = makeMonitor();
    await next.start();
    await waitFor(() => next.stats().written > 0, 5000, 'readings from the monitor after the kill');
  }, 30_000);

  it('a refused monitor can be stopped, and the holder can start again after its stop()', async () => {
    const first = makeMonitor();
    await first.start();
    const second = makeMonitor();
    await expect(second.start()).rejects.toBeInstanceOf(MonitorLockedError);
    await second.stop();
    await first.stop();
    const third = makeMonitor();
    await third.start();
    expect(third.devices().map((d) => d.id)).toEqual([1]);
  });
});
