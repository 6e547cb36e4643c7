// Issue 10 item 9 and "also found", against a real FerretDB that is killed: the spool has a
// byte limit, a full disk behaves the same, memory stays within memoryLimit + batchSize in
// every state, each persistent condition is reported once (with counts when it ends), and
// kill -9 in the middle of a spool replay loses nothing. The fault lasts
// RASPIMON_FAULT_SECONDS (default 3; the 10 s with RASPIMON_FAULT_SECONDS=10).
import { spawn } from 'node:child_process';
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Monitor, MonitorStats } from '../../../src/monitor/index.js';
import { Spool } from '../../../src/monitor/storage/spool.js';
import { recordFigure } from '../../helpers/figures.js';
import { waitFor } from '../../helpers/wait.js';
import { sequenceDriver } from '../support.js';
import type { MonitorOptions, RecordingLogger } from '../fixtures/monitor-harness.js';
import { useOutageWorld } from './fixtures/outage-world.js';
import { mountTmpfs } from './tmpfs.js';

const faultSeconds = Number(process.env.RASPIMON_FAULT_SECONDS ?? 3);
const replayChild = path.join(import.meta.dirname, 'fixtures', 'monitor-replay-child.ts');
let disk: ReturnType<typeof mountTmpfs>;

beforeAll(() => {
  disk = mountTmpfs(160);
});
afterAll(() => {
  disk.unmount();
});
// Registered before the world's: runs after it, once the monitors writing here are stopped.
afterEach(() => {
  for (const name of readdirSync(disk.dir))
    rmSync(path.join(disk.dir, name), { recursive: true, force: true });
});
const world = useOutageWorld('spf_');
const seed = (): Promise<void> =>
  world.seed([{ id: 1, name: 'seq', driver: 'sequence', config: { keyId: 1 } }]);

const makeMonitor = (
  gate: { open: boolean; emitted: number },
  stateDir: string,
  extra: Omit<Partial<MonitorOptions>, 'logger'> = {},
): { monitor: Monitor; logger: RecordingLogger } =>
  world.monitor({
    stateDir,
    pollSeconds: 3600,
    flushSeconds: 0.05,
    drivers: { sequence: sequenceDriver(1000, gate) },
    ...extra,
  });

/** Runs the outage: kills FerretDB for faultSeconds under 1,000 readings/s; returns the max of each stat. */
async function outage(monitor: Monitor, gate: { open: boolean; emitted: number }): Promise<MonitorStats> {
  await waitFor(() => monitor.stats().written > 100, 10_000, 'readings before the outage');
  await world.kill();
  const max = { ...monitor.stats() };
  const sampler = setInterval(() => {
    const now = monitor.stats();
    max.queued = Math.max(max.queued, now.queued);
    max.spoolBytes = Math.max(max.spoolBytes, now.spoolBytes);
  }, 10);
  await new Promise((r) => setTimeout(r, faultSeconds * 1000));
  await new Promise((r) => setTimeout(r, 300));
  clearInterval(sampler);
  gate.open = false;
  await world.restart();
  await waitFor(
    async () => (await monitor.flush()) && monitor.stats().queued === 0,
    30_000,
    'the spool to drain',
  );
  return max;
}

/**
 * Every reading either stored once or counted as dropped; the newest `newest` all stored.
 * The batch in flight when FerretDB is killed may have been stored before it died: it is
 * spooled again (its _ids make the replay harmless) and may be thinned there, so up to one
 * batch is counted both as stored and as dropped.
 */
async function accountedFor(
  monitor: Monitor,
  emitted: number,
  newest: number,
  batchSize: number,
): Promise<number[]> {
  const values = await world.storedValues('numeric');
  const { spoolDropped, memoryDropped } = monitor.stats();
  expect(new Set(values).size).toBe(values.length);
  expect(values.length + spoolDropped + memoryDropped).toBeGreaterThanOrEqual(emitted);
  expect(values.length + spoolDropped + memoryDropped).toBeLessThanOrEqual(emitted + batchSize);
  const tail = values.slice(-newest);
  expect(tail, JSON.stringify({ ...monitor.stats(), emitted, stored: values.length })).toEqual(
    Array.from({ length: newest }, (_, i) => emitted - newest + i),
  );
  return values;
}

const count = (logger: RecordingLogger, level: 'error' | 'alert' | 'warning', pattern: RegExp): number =>
  logger.records.filter((r) => r.level === level && pattern.test(r.message)).length;

describe('spool and memory bounds with the database killed (own FerretDB)', () => {
  it(`spoolLimitBytes 128 kB, ${faultSeconds} s outage at 1,000 readings/s: the spool stays within the limit plus one spill, the oldest are thinned, the newest kept, reported once with counts`, async () => {
    await seed();
    const gate = { open: true, emitted: 0 };
    const limit = 128 * 1024;
    const { monitor, logger } = makeMonitor(gate, world.stateDir, {
      spoolLimitBytes: limit,
      memoryLimit: 400,
      batchSize: 100,
    });
    await monitor.start();
    const max = await outage(monitor, gate);
    // One spill is at most memoryLimit + batchSize readings of ~90 bytes.
    recordFigure({
      id: `spool.limit-128k.outage-${faultSeconds}s.peak-bytes`,
      label: `spool peak during a ${faultSeconds} s outage at 1,000 readings/s, spoolLimitBytes 131,072`,
      value: max.spoolBytes,
      unit: 'B',
      bound: '≤ 131,072 + one spill (500 readings × 100 B)',
    });
    expect(max.spoolBytes).toBeLessThanOrEqual(limit + 500 * 100);
    recordFigure({
      id: `spool.limit-128k.outage-${faultSeconds}s.memory-peak`,
      label: 'readings held in memory at the peak (memoryLimit 400, batchSize 100)',
      value: max.queued,
      unit: 'readings',
      bound: '≤ memoryLimit + batchSize = 500',
    });
    expect(max.queued).toBeLessThanOrEqual(500);
    expect(monitor.stats().spoolDropped).toBeGreaterThan(gate.emitted / 3);
    await accountedFor(monitor, gate.emitted, 200, 100);
    recordFigure({
      id: `spool.limit-128k.outage-${faultSeconds}s.accounted`,
      label: `readings emitted, each stored once or counted as thinned/dropped; the newest 200 all stored`,
      value: gate.emitted,
      unit: 'readings',
      bound: 'stored + counted = emitted (+ ≤ 1 batch in flight)',
    });
    expect(count(logger, 'error', /^readings spool: full \(limit 131072 bytes/)).toBe(1);
    const drained = logger.records.filter((r) =>
      /^readings spool: drained; while it was full/.test(r.message),
    );
    expect(drained).toHaveLength(1);
    const [, thinned, dropped] = /(\d+) reading\(s\) were thinned out and (\d+) dropped/.exec(
      drained[0]!.message,
    )!;
    expect(Number(thinned) + Number(dropped)).toBe(monitor.stats().spoolDropped);
    expect(logger.records.filter((r) => r.level === 'alert').map((r) => r.message)).toEqual([]);
  }, 60_000);

  it(`the state dir on a 160 kB tmpfs, default spool limit: a full disk is handled as the limit, no crash, no torn file, reported once`, async () => {
    await seed();
    const gate = { open: true, emitted: 0 };
    const stateDir = path.join(disk.dir, 'state');
    const { monitor, logger } = makeMonitor(gate, stateDir, { memoryLimit: 400, batchSize: 100 });
    await monitor.start();
    const max = await outage(monitor, gate);
    expect(max.queued).toBeLessThanOrEqual(500);
    expect(monitor.stats().spoolDropped).toBeGreaterThan(0);
    await accountedFor(monitor, gate.emitted, 200, 100);
    expect(count(logger, 'error', /^readings spool: full/)).toBe(1);
    expect(readdirSync(path.join(stateDir, 'spool'))).toEqual([]);
    expect(logger.records.filter((r) => r.level === 'alert').map((r) => r.message)).toEqual([]);
  }, 60_000);

  it(`database down and the spool's disk full with nothing to thin: memory stays within memoryLimit + batchSize (1,000 + 1,000), one ALERT in ${faultSeconds} s, counts once the database takes readings again`, async () => {
    await seed();
    const gate = { open: true, emitted: 0 };
    const stateDir = path.join(disk.dir, 'state');
    const { monitor, logger } = makeMonitor(gate, stateDir, { memoryLimit: 1000 });
    await monitor.start();
    // Fill the disk before the outage: the first spill already fails.
    const filler = path.join(disk.dir, 'filler');
    let files = 0;
    for (const size of [16 * 1024, 1024, 64]) {
      for (;;) {
        try {
          writeFileSync(`${filler}-${files++}`, Buffer.alloc(size));
        } catch {
          break;
        }
      }
    }
    const max = await outage(monitor, gate);
    recordFigure({
      id: `spool.disk-full.outage-${faultSeconds}s.memory-peak`,
      label: `readings held in memory at the peak, database down and the spool's disk full (${faultSeconds} s, memoryLimit 1,000)`,
      value: max.queued,
      unit: 'readings',
      bound: '≤ memoryLimit + batchSize = 2,000',
    });
    expect(max.queued).toBeLessThanOrEqual(2000);
    expect(monitor.stats().memoryDropped).toBeGreaterThan(0);
    await accountedFor(monitor, gate.emitted, 1000, 1000);
    const alerts = logger.records.filter((r) => r.level === 'alert');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.message).toMatch(/cannot be written .*ENOSPC.*reported once, with counts when it ends/);
    const ended = logger.records.filter((r) =>
      /^readings writer: readings are stored or spooled again; \d+ reading/.test(r.message),
    );
    expect(ended).toHaveLength(1);
    expect(ended[0]!.message).toContain(`${monitor.stats().memoryDropped} reading(s) were dropped`);
  }, 60_000);
});

describe('kill -9 in the middle of a spool replay', () => {
  it('20,000 spooled readings, the replaying monitor killed part-way, a new one finishes: each stored exactly once', async () => {
    await seed();
    const total = 20_000;
    const spool = await Spool.open(path.join(world.stateDir, 'spool'));
    for (let s = 0; s < total; s += 2000) {
      await spool.append(
        Array.from({ length: 2000 }, (_, i) => ({
          seq: s + i,
          oid: (0xabc000000 + s + i).toString(16).padStart(24, '0'),
          id: 1,
          keyId: 1,
          value: s + i,
          tsMs: 1_700_000_000_000 + (s + i) * 1000,
        })),
      );
    }
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', replayChild, world.uri, world.namespace, world.stateDir],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let last: Partial<MonitorStats> = {};
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      const line = chunk.trim().split('\n').at(-1);
      if (line) last = JSON.parse(line) as MonitorStats;
    });
    await waitFor(() => (last.written ?? 0) >= 2000, 30_000, 'the child to replay part of the spool');
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    const partly = await world.storedValues('numeric');
    expect(partly.length).toBeGreaterThan(0);
    expect(partly.length).toBeLessThan(total);
    // What the next monitor replays: the segments the killed one had not removed yet, some
    // of whose readings it had stored already (those come back as refused duplicates).
    const left = (await Spool.open(path.join(world.stateDir, 'spool'))).size;
    const alreadyStored = left - (total - partly.length);
    expect(alreadyStored).toBeGreaterThanOrEqual(0);
    const { monitor } = makeMonitor({ open: false, emitted: 0 }, world.stateDir, {
      drivers: { sequence: () => ({}) },
    });
    await monitor.start();
    await waitFor(async () => (await monitor.flush()) && monitor.stats().spooled === 0, 60_000, 'the replay');
    const values = await world.storedValues('numeric');
    expect(values.length).toBe(total);
    expect(values).toEqual(Array.from({ length: total }, (_, i) => i));
    // Each reading stored twice was refused by its _id, and counted: exactly those.
    expect(monitor.stats().duplicates).toBe(alreadyStored);
    recordFigure({
      id: 'spool.replay-kill9.duplicates-refused',
      label:
        'readings of the killed replay stored already and refused by their _id on the next replay (20,000 spooled)',
      value: alreadyStored,
      unit: 'readings',
      bound: '= spooled left − not yet stored',
    });
  }, 90_000);
});
