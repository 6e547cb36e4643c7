// "One monitor per namespace" beyond one state dir (two Pis given the same namespace): each
// monitor bumps a counter in its document in `monitors`; a counter that moves is a live
// monitor, reported once, and once when it has gone. A crashed monitor's document, which
// never moves, is never reported.
import { describe, expect, it } from 'vitest';
import type { Monitor } from '../../../src/monitor/index.js';
import { waitFor } from '../../helpers/wait.js';
import { useMonitorHarness, type RecordingLogger } from '../fixtures/monitor-harness.js';

const h = useMonitorHarness(() => ({ prefix: 'ns_', keys: [{ keyId: 1, unit: 'n' }] }));

/** A monitor in a state dir of its own, polling often: another Pi given the same namespace. */
const makeMonitor = (): { monitor: Monitor; logger: RecordingLogger } =>
  h.monitor({ stateDir: h.newStateDir(), pollSeconds: 0.2 });

const alerts = (logger: RecordingLogger): string[] =>
  logger.records.filter((r) => r.level === 'alert').map((r) => r.message);

describe('two monitors on one namespace from different state dirs', () => {
  it('each reports the other once (ALERT naming host, pid and state dir), and once when it has gone', async () => {
    const a = makeMonitor();
    const b = makeMonitor();
    await a.monitor.start();
    await b.monitor.start();
    await waitFor(() => alerts(a.logger).length > 0 && alerts(b.logger).length > 0, 10_000, 'both to notice');
    expect(alerts(a.logger)[0]).toMatch(
      new RegExp(
        `^another monitor writes to namespace "${h.db.databaseName}": host .*, pid ${process.pid}, state dir .*; every reading may be stored twice`,
      ),
    );
    // Several more polls of each (their heartbeats move): still one report each.
    const beats = async (): Promise<number[]> =>
      (await h.db.collection('monitors').find({}).sort({ _id: 1 }).toArray()).map((d) => d.beat as number);
    const start = await beats();
    await waitFor(
      async () => (await beats()).every((b, i) => b >= start[i]! + 3),
      20_000,
      'three more polls each',
    );
    expect(alerts(a.logger)).toHaveLength(1);
    expect(alerts(b.logger)).toHaveLength(1);
    await b.monitor.stop();
    await waitFor(() => /has gone/.test(a.logger.text('info')), 10_000, 'a to notice that b has gone');
    expect(await h.db.collection('monitors').countDocuments()).toBe(1);
  });

  it('a document left by a crashed monitor (never moving) is not reported, and is removed after ten of its intervals', async () => {
    await h.db.collection('monitors').insertOne({
      _id: 'crashed' as never,
      host: 'old-pi',
      pid: 1,
      stateDir: '/x',
      beat: 7,
      intervalSeconds: 0.2,
    });
    const a = makeMonitor();
    await a.monitor.start();
    await waitFor(
      async () => (await h.db.collection('monitors').countDocuments({ _id: 'crashed' as never })) === 0,
      15_000,
      'the stale document to be removed',
    );
    expect(alerts(a.logger)).toEqual([]);
  });
});
