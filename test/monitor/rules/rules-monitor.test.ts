// Rules inside the Monitor: read from the `rules` collection beside devices and keys,
// evaluated on each accepted reading, hot-reloaded by SIGHUP and by poll, their firing
// state kept across a restart. The database is the real FerretDB; time is a ManualClock.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../../helpers/wait.js';
import type { RecordingLogger } from '../fixtures/monitor-harness.js';
import { freezerWarmRule as freezerWarm, useRulesWorld } from './rules-world.js';

const { h, start, emit, addRule } = useRulesWorld({
  prefix: 'rules_',
  statePrefix: 'raspimon-rules-',
  keys: [
    { keyId: 7, unit: 'mC', description: 'freezer temperature' },
    { keyId: 8, unit: '%', description: 'humidity' },
  ],
  cellarKeyIds: [7, 8],
});
const ruleRecords = (logger: RecordingLogger): string[] =>
  logger.records
    .filter((r) => r.context?.rule !== undefined)
    .map(
      (r) =>
        `${r.level} ${String(r.context!.state)} ${String(r.context!.rule)}:${String(r.context!.deviceId)}`,
    );

describe('rules in the monitor', () => {
  it('above with forSeconds and hysteresis: an oscillating value fires once, one resolve with how long it fired', async () => {
    await addRule({ ...freezerWarm });
    const { monitor, logger } = start();
    await monitor.start();
    // Warm from 00:02 on, held 300 s by 00:07 (fires), then hovering across the threshold.
    const values = [-9500, -10200, -9600, -9800, -9700, -9900, -9950, -9800, -10100, -9900, -10400, -9700];
    for (const value of values) {
      emit(3, value);
      await h.clock.advance(60);
    }
    expect(ruleRecords(logger)).toEqual(['alert firing 1:3']);
    const firing = logger.records.find((r) => r.context?.state === 'firing')!;
    expect(firing.message).toBe(
      'firing: rule 1 "freezer warm": device 3 "freezer", key 7 (mC): value -9800 mC above -10000 mC since 2026-06-01T00:02:00.000Z — check the freezer door',
    );
    expect(firing.context).toMatchObject({
      deviceName: 'freezer',
      unit: 'mC',
      threshold: -10000,
      value: -9800,
    });
    emit(3, -10500); // back, but not past the hysteresis
    await h.clock.advance(60);
    emit(3, -11200);
    expect(ruleRecords(logger)).toEqual(['alert firing 1:3', 'alert resolved 1:3']);
    expect(logger.records.find((r) => r.context?.state === 'resolved')!.message).toMatch(
      /^resolved: rule 1 "freezer warm": device 3 "freezer", key 7 \(mC\): value -11200 mC is no longer above -10000 mC; it fired for 6 min since 2026-06-01T00:07:00.000Z \(above -10000 mC since 2026-06-01T00:02:00.000Z\); peak while firing -9700 mC — check the freezer door$/,
    );
  });

  it('noDataSeconds on the scheduler clock, every device producing the key; reminders while firing', async () => {
    await addRule({
      id: 2,
      name: 'silent probe',
      keyId: 7,
      noDataSeconds: 600,
      repeatSeconds: 3600,
      level: 'ERROR',
    });
    const { monitor, logger } = start();
    await monitor.start();
    emit(3, -18000);
    await h.clock.advance(300);
    emit(3, -18000);
    await h.clock.advance(301); // the cellar has sent nothing for 601 s
    expect(ruleRecords(logger)).toEqual(['error firing 2:4']);
    await h.clock.advance(2 * 3600);
    expect(ruleRecords(logger)).toEqual([
      'error firing 2:4',
      'error firing 2:3',
      'error reminder 2:4', // 01:10
      'error reminder 2:3', // 01:15
      'error reminder 2:4', // 02:10
    ]);
    emit(4, -5000);
    expect(ruleRecords(logger).at(-1)).toBe('error resolved 2:4');
  });

  it('restart while firing: no second fire; resolved on the first good reading after it', async () => {
    await addRule({ ...freezerWarm, forSeconds: 0 });
    const first = start();
    await first.monitor.start();
    emit(3, -5000);
    expect(ruleRecords(first.logger)).toEqual(['alert firing 1:3']);
    await first.monitor.stop();
    const saved = JSON.parse(readFileSync(path.join(h.stateDir, 'rules-state.json'), 'utf8')) as {
      firing: unknown[];
    };
    expect(saved.firing).toMatchObject([{ ruleId: 1, deviceId: 3, cause: 'above' }]);

    await h.clock.advance(3600);
    const second = start();
    await second.monitor.start();
    emit(3, -4000);
    expect(ruleRecords(second.logger)).toEqual([]);
    emit(3, -12000);
    expect(ruleRecords(second.logger)).toEqual(['alert resolved 1:3']);
    expect(second.logger.records.find((r) => r.context?.state === 'resolved')!.message).toContain(
      'it fired for 1 h since 2026-06-01T00:00:00.000Z',
    );
  });

  it('a rule added by poll starts evaluating; one removed by SIGHUP resolves; a removed device resolves instead of no-data', async () => {
    const { monitor, logger } = start(30);
    const uninstall = monitor.handleSignals();
    try {
      await monitor.start();
      emit(4, 95, 8);
      expect(ruleRecords(logger)).toEqual([]);
      await h.db.collection('rules').insertMany([
        { id: 5, name: 'damp cellar', keyId: 8, above: 90 },
        { id: 6, name: 'cellar silent', keyId: 8, deviceId: 4, noDataSeconds: 120 },
      ]);
      await h.clock.advance(30);
      await waitFor(() => logger.text('info').includes('rules changed'), 5000, 'the poll reload');
      // The reload applies after the poll's log line: readings fire the rule once it is in.
      await waitFor(
        () => {
          emit(4, 96, 8);
          return ruleRecords(logger).length > 0;
        },
        5000,
        'the new rule',
      );
      expect(ruleRecords(logger)).toEqual(['warning firing 5:4']);

      await h.db.collection('rules').deleteOne({ id: 5 });
      await h.db.collection('devices').deleteOne({ id: 4 });
      process.kill(process.pid, 'SIGHUP');
      await waitFor(() => ruleRecords(logger).length === 2, 5000, 'the SIGHUP reload');
      expect(ruleRecords(logger)).toEqual(['warning firing 5:4', 'warning resolved 5:4']);
      expect(logger.records.at(-1)!.message).toContain('rule removed from the configuration');
      // Rule 6 now names a device that is gone: reported and skipped, and no no-data fire.
      expect(logger.text('error')).toContain(
        'configuration: rule 6 "cellar silent": deviceId 4 is not a valid device',
      );
      await h.clock.advance(3600);
      expect(ruleRecords(logger)).toHaveLength(2);
    } finally {
      uninstall();
    }
  });

  it('a rule added by SIGHUP fires; removed by poll it resolves', async () => {
    const { monitor, logger } = start(30);
    const uninstall = monitor.handleSignals();
    try {
      await monitor.start();
      await addRule({ id: 7, name: 'humid', keyId: 8, deviceId: 4, above: 80 });
      process.kill(process.pid, 'SIGHUP');
      await waitFor(
        () => {
          emit(4, 85, 8);
          return ruleRecords(logger).length > 0;
        },
        5000,
        'the rule added by SIGHUP',
      );
      expect(ruleRecords(logger)).toEqual(['warning firing 7:4']);
      await h.db.collection('rules').deleteOne({ id: 7 });
      await h.clock.advance(30);
      await waitFor(() => ruleRecords(logger).length === 2, 5000, 'the poll reload');
      expect(ruleRecords(logger)).toEqual(['warning firing 7:4', 'warning resolved 7:4']);
      expect(logger.text('info')).toContain('configuration poll: rules changed');
    } finally {
      uninstall();
    }
  });

  it('invalid rules are reported one problem each and skipped; good rules run; check() lists them', async () => {
    await h.db.collection('rules').insertMany([
      { id: 1, name: 'good', keyId: 7, deviceId: 3, below: -25000 },
      { id: 2, name: 'no key', keyId: 99, above: 0 },
      { id: 3, name: 'inverted', keyId: 7, above: 0, below: 10 },
      { id: 4, name: 'bad level', keyId: 7, above: 0, level: 'PANIC' },
      { id: 5, name: 'negative', keyId: 7, noDataSeconds: -5 },
      { id: 6, name: 'nothing', keyId: 7 },
    ]);
    const { monitor, logger } = start();
    await monitor.start();
    const problems = logger.records.filter((r) => r.context?.collection === 'rules');
    expect(problems.map((r) => r.message.replace(/:.*$/, ''))).toHaveLength(5);
    expect(problems.every((r) => r.level === 'error' && r.message.endsWith('this rule is skipped'))).toBe(
      true,
    );
    emit(3, -26000);
    expect(ruleRecords(logger)).toEqual(['warning firing 1:3']);
    const report = await monitor.check();
    expect(report.rules).toBe(1);
    expect(report.problems.filter((p) => p.collection === 'rules').map((p) => p.field)).toEqual([
      'keyId',
      'below',
      'level',
      'noDataSeconds',
      'above',
    ]);
  });

  it('the monitor keeps the newest stored reading in the status heartbeat for the fleet watchdog', async () => {
    const { monitor } = start();
    await monitor.start();
    emit(3, -20000);
    await h.clock.advance(2);
    await monitor.flush();
    await waitFor(
      async () => (await h.db.collection('status').findOne({ _id: 'readings' as never })) !== null,
      5000,
      'the heartbeat',
    );
    const status = await h.db.collection('status').findOne({ _id: 'readings' as never });
    expect(status?.newestTs).toEqual(new Date('2026-06-01T00:00:00.000Z'));
  });
});
