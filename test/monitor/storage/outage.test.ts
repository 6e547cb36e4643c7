// The database goes away and comes back: readings are neither lost nor duplicated.
// The "60 s outage at 1,000 readings/s" is scaled to 6 s here to keep the suite fast;
// RASPIMON_OUTAGE_SECONDS=60 runs the full one.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Monitor } from '../../../src/monitor/index.js';
import { sequenceDriver } from '../support.js';
import type { MonitorOptions, RecordingLogger } from '../fixtures/monitor-harness.js';
import { useOutageWorld } from './fixtures/outage-world.js';
import { waitFor } from '../../helpers/wait.js';

const world = useOutageWorld('out_');

const makeMonitor = (
  gate: { open: boolean; emitted: number },
  extra: Omit<Partial<MonitorOptions>, 'logger'> = {},
): { monitor: Monitor; logger: RecordingLogger } =>
  world.monitor({
    pollSeconds: 0.2,
    flushSeconds: 0.05,
    drivers: { sequence: sequenceDriver(1000, gate) },
    ...extra,
  });

const outageSeconds = Number(process.env.RASPIMON_OUTAGE_SECONDS ?? 6);
const fixture = path.join(import.meta.dirname, 'fixtures', 'monitor-child.ts');
const sequenceDevice = { id: 1, name: 'seq', driver: 'sequence', config: { keyId: 1 } };

describe('database outages (own FerretDB)', () => {
  it(
    `FerretDB killed for ${outageSeconds} s under 1,000 readings/s, then restarted: every reading stored exactly once, memory bounded, reload keeps the config`,
    async () => {
      await world.seed([sequenceDevice]);
      const gate = { open: true, emitted: 0 };
      const { monitor, logger } = makeMonitor(gate, { memoryLimit: 2000 });
      await monitor.start();
      await new Promise((r) => setTimeout(r, 1000));
      await world.kill();
      let maxQueued = 0;
      const sampler = setInterval(() => (maxQueued = Math.max(maxQueued, monitor.stats().queued)), 20);
      await new Promise((r) => setTimeout(r, (outageSeconds * 1000) / 2));
      const summary = await monitor.reload();
      expect(summary.loaded).toBe(false);
      await expect(monitor.latest()).rejects.toMatchObject({ name: 'DatabaseError', code: 'ERR_DATABASE' });
      expect(logger.text('error')).toMatch(
        /cannot read the configuration .*keeping the last good configuration \(1 device\(s\) running\)/,
      );
      expect(monitor.devices().map((d) => d.id)).toEqual([1]);
      await new Promise((r) => setTimeout(r, (outageSeconds * 1000) / 2));
      const during = monitor.stats();
      expect(during.databaseDown).toBe(true);
      expect(during.spooled).toBeGreaterThan(0);
      expect(readdirSync(path.join(world.stateDir, 'spool')).length).toBeGreaterThan(0);
      await world.restart();
      await new Promise((r) => setTimeout(r, 1000));
      gate.open = false;
      clearInterval(sampler);
      await waitFor(
        async () => (await monitor.flush()) && monitor.stats().queued === 0,
        20_000,
        'the spool to drain',
      );
      const values = await world.storedValues('numeric');
      expect(gate.emitted).toBeGreaterThan(outageSeconds * 1000);
      expect(values.length).toBe(gate.emitted);
      expect(values.every((v, i) => v === i)).toBe(true);
      expect(monitor.stats().written + monitor.stats().duplicates).toBeGreaterThanOrEqual(gate.emitted);
      // memoryLimit + what arrives during one failed attempt (0.3 s server selection at 1,000/s), loosely.
      expect(maxQueued).toBeLessThan(2000 + 1500);
      expect(readdirSync(path.join(world.stateDir, 'spool'))).toEqual([]);
      expect(logger.text('info')).toMatch(/database reachable again/);
    },
    40_000 + outageSeconds * 2000,
  );

  it('started while the database is down and no saved config exists: no crash, readings arrive once it is up', async () => {
    await world.seed([sequenceDevice]);
    await world.stop();
    const gate = { open: true, emitted: 0 };
    const { monitor, logger } = makeMonitor(gate);
    await monitor.start();
    expect(logger.text('error')).toMatch(/no saved copy yet: devices start once it is readable/);
    expect(monitor.devices()).toEqual([]);
    await world.restart();
    await waitFor(() => monitor.devices().length === 1, 10_000, 'the poll to load the configuration');
    await waitFor(async () => (await world.storedValues('numeric')).length > 100, 10_000, 'readings');
    gate.open = false;
  }, 30_000);

  it('started while the database is down with a saved config: samples into the spool, all of it arrives later', async () => {
    await world.seed([sequenceDevice]);
    const gate = { open: false, emitted: 0 };
    const first = makeMonitor(gate).monitor;
    await first.start();
    await first.stop(); // saves the configuration copy in the state dir
    await world.stop();
    gate.open = true;
    const { monitor, logger } = makeMonitor(gate);
    await monitor.start();
    expect(logger.text('error')).toMatch(/using the last good copy \(1 device document\(s\)\)/);
    await waitFor(() => monitor.stats().spooled > 500, 10_000, 'readings in the spool');
    await world.restart();
    await new Promise((r) => setTimeout(r, 300));
    gate.open = false;
    await waitFor(
      async () => (await monitor.flush()) && monitor.stats().queued === 0,
      20_000,
      'the spool to drain',
    );
    const values = await world.storedValues('numeric');
    expect(values.length).toBe(gate.emitted);
    expect(values.every((v, i) => v === i)).toBe(true);
  }, 30_000);

  it('kill -9 with a non-empty spool, then a restart: the spool is replayed, every reading once', async () => {
    await world.seed([{ id: 1, name: 'burst', driver: 'burst', config: { keyId: 1 } }]);
    const idle = { burst: () => ({}) };
    const first = makeMonitor({ open: false, emitted: 0 }, { drivers: idle }).monitor;
    await first.start();
    await first.stop(); // leaves the saved configuration the child starts from
    await world.stop();
    const count = 1000;
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', fixture, world.uri, world.namespace, world.stateDir, String(count)],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let last: { spooled?: number; queued?: number } = {};
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      const line = chunk.trim().split('\n').at(-1);
      if (line) last = JSON.parse(line) as typeof last;
    });
    await waitFor(() => last.spooled === count, 20_000, 'the child to spool every reading');
    const exited = new Promise((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    expect(readdirSync(path.join(world.stateDir, 'spool')).length).toBeGreaterThan(0);

    await world.restart();
    const { monitor, logger } = makeMonitor({ open: false, emitted: 0 }, { drivers: idle });
    await monitor.start();
    expect(logger.text('info')).toMatch(
      /readings spool: 1000 reading\(s\) left by a previous run will be replayed/,
    );
    await waitFor(async () => (await monitor.flush()) && monitor.stats().spooled === 0, 20_000, 'the replay');
    const values = await world.storedValues('numeric');
    expect(values).toEqual(Array.from({ length: count }, (_, i) => i));
    expect(readdirSync(path.join(world.stateDir, 'spool'))).toEqual([]);
  }, 40_000);
});
