// The writer's size and time thresholds and the config poll, on a ManualClock: the
// database is the real FerretDB, only the scheduler's time is simulated.
import { beforeEach, describe, expect, it } from 'vitest';
import type { DriverContext, Monitor } from '../../../src/monitor/index.js';
import { useMonitorHarness } from '../fixtures/monitor-harness.js';
import { waitFor } from '../../helpers/wait.js';

const h = useMonitorHarness(() => ({
  prefix: 'thr_',
  clockAt: new Date('2026-03-01T00:00:00Z'),
  keys: [{ keyId: 1, unit: 'n' }],
  devices: [{ id: 1, name: 'push', driver: 'push' }],
}));
let monitor: Monitor;
let context: DriverContext;

beforeEach(async () => {
  ({ monitor } = h.monitor({
    batchSize: 100,
    flushSeconds: 2,
    pollSeconds: 30,
    drivers: { push: h.push.definition },
  }));
  await monitor.start();
  context = await h.push.started(1);
});

const stored = (): Promise<number> => h.db.collection('readings').countDocuments();
const emit = (n: number): void => context.emit(Array.from({ length: n }, (_, i) => ({ keyId: 1, value: i })));

describe('writer thresholds and polling on a ManualClock', () => {
  it('a partial batch waits flushSeconds; a full batch goes at once; timestamps come from the clock', async () => {
    emit(10);
    await h.clock.advance(1.9);
    // Nothing on its way: the 10 wait in memory, no batch is being written, no timer is due.
    await waitFor(() => monitor.stats().writing === 0 && h.clock.dueTimers() === 0, 5000, 'a quiet writer');
    expect(monitor.stats().queued).toBe(10);
    expect(await stored()).toBe(0);
    await h.clock.advance(0.1);
    await waitFor(async () => (await stored()) === 10, 5000, 'the time-triggered flush');
    const doc = await h.db.collection('readings').findOne();
    expect(doc?.ts).toEqual(new Date('2026-03-01T00:00:00Z'));

    emit(100);
    await waitFor(
      async () => (await stored()) === 110,
      5000,
      'the size-triggered flush without time passing',
    );
  });

  it('the poll notices a changed device only when pollSeconds have passed', async () => {
    await h.db
      .collection('devices')
      .updateOne({ id: 1 }, { $set: { description: 'now with a description' } });
    await h.clock.advance(29);
    await new Promise((r) => setTimeout(r, 100));
    expect(monitor.devices()[0]?.description).toBe('');
    await h.clock.advance(1);
    await waitFor(
      () => monitor.devices()[0]?.description === 'now with a description',
      5000,
      'the poll reload',
    );
  });
});
