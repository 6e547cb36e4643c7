// Issue 21 (CPU on a Pi): status.json is looked at every 10 s but rewritten only when the
// monitor's health as `raspimon status` shows it changed, or every 30 s (intervalSeconds in
// the file) to refresh the counters and show the monitor alive. Real FerretDB, ManualClock;
// every write of the file is seen through fs.watch (a write replaces it by rename).
import { readFileSync, watch } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Monitor } from '../../../src/monitor/index.js';
import { ManualClock, Scheduler } from '../../../src/scheduler/index.js';
import type { StatusFile } from '../../../src/tools/index.js';
import { waitFor } from '../../helpers/wait.js';
import { CliWorld } from '../../cli/support.js';
import { recordingLogger, tempDir } from '../support.js';

// A namespace of its own (the CLI tests' world: a client and the database) and a state dir.
let world: CliWorld;
let state: ReturnType<typeof tempDir>;
beforeEach(() => {
  world = new CliWorld();
  state = tempDir('raspimon-stw-');
});
afterEach(async () => {
  await world.dispose();
  state.remove();
});

describe('status.json writes', () => {
  it('readings alone rewrite it every 30 s, not every 10 s; a failing device is written within one 10-s look', async () => {
    const startMs = Date.UTC(2026, 11, 7, 9);
    const clock = new ManualClock(new Date(startMs));
    const scheduler = new Scheduler({ clock }).start();
    await world.db.collection('keys').insertOne({ keyId: 1, unit: 'mC' });
    await world.db.collection('devices').insertOne({ id: 3, name: 'probe', driver: 'probe', interval: 5 });
    let failing = false;
    let n = 0;
    const monitor = new Monitor({
      uri: world.uri,
      namespace: world.namespace,
      scheduler,
      logger: recordingLogger(),
      stateDir: state.dir,
      pollSeconds: 3600,
      drivers: {
        probe: () => ({
          read: () => {
            if (failing) throw new Error('probe unplugged');
            return [{ keyId: 1, value: 20_000 + n++ }];
          },
        }),
      },
    });
    const file = path.join(state.dir, 'status.json');
    const read = (): StatusFile => JSON.parse(readFileSync(file, 'utf8')) as StatusFile;
    const at = (doc: StatusFile): number => (Date.parse(doc.updatedAt) - startMs) / 1000;
    // Each write replaces the file by a rename: one event each, delivered in order.
    let writes = 0;
    const watcher = watch(state.dir, (_event, name) => {
      if (name === 'status.json') writes++;
    });
    await monitor.start();
    try {
      await waitFor(() => writes === 1, 10_000, 'the first status write');
      const first = read();
      // 95 s of a reading every 5 s and nothing else: looks at 10, 20, … 90 s.
      for (let t = 5; t <= 95; t += 5) {
        await clock.advance(5);
        await waitFor(() => monitor.stats().accepted === t / 5 + 1, 10_000, `the reading at ${t} s`);
        if (t % 30 === 0) await waitFor(() => at(read()) === t, 10_000, `the write at ${t} s`);
      }
      const last = read();
      expect(last.intervalSeconds).toBe(30);
      expect(last.devices[0]!.accepted).toBeGreaterThan(first.devices[0]!.accepted);
      expect(last.devices[0]!.lastError).toBeNull();

      // The probe fails at its read at 100 s; the next look (by 110 s) writes it.
      failing = true;
      await clock.advance(5);
      await waitFor(() => monitor.deviceStates()[0]!.errors > 0, 10_000, 'the failed read');
      await clock.advance(10);
      await waitFor(() => read().devices[0]!.errors > 0, 10_000, 'the error in the file');
      const failed = read();
      expect(at(failed)).toBeGreaterThanOrEqual(100);
      expect(at(failed)).toBeLessThanOrEqual(110);
      expect(failed.devices[0]!.lastError).toMatchObject({
        stage: 'read',
        message: 'Error: probe unplugged',
      });

      await monitor.stop();
      await waitFor(() => read().state === 'stopped', 10_000, 'the stopped status');
      await waitFor(() => writes >= 6, 10_000, 'the rename events');
      // At start, at 30, 60 and 90 s, the failure, the stop: six writes. Before issue 21 the
      // file was written at every 10-s look: twelve.
      expect(writes).toBe(6);
    } finally {
      watcher.close();
      await monitor.stop();
      await scheduler.stop();
    }
  });
});
