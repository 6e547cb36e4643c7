// Field faults of the rules (issue 17): clock steps, reminder floods, a band's two sides,
// rules whose durations the scheduler cannot plan, a state file of the wrong shape. A
// real Monitor on FerretDB, time on a ManualClock whose wall clock is stepped as NTP does.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RuleEvaluator } from '../../../src/monitor/rules/evaluator.js';
import type { RuleSpec } from '../../../src/monitor/rules/types.js';
import { validateRules } from '../../../src/monitor/rules/validate.js';
import type { DeviceSpec, KeySpec, Monitor, MonitorLogger } from '../../../src/monitor/index.js';
import { recordFigure } from '../../helpers/figures.js';
import { waitFor } from '../../helpers/wait.js';
import { recordingLogger } from '../support.js';
import { useRulesWorld } from './rules-world.js';

const day = 86_400;
const {
  h,
  start: startWith,
  emit,
  addRule,
} = useRulesWorld({
  prefix: 'rulesf_',
  statePrefix: 'raspimon-rules-faults-',
  keys: [{ keyId: 7, unit: 'mC', description: 'freezer' }],
  cellarKeyIds: [7],
});

/** A recording logger that also notes the monotonic second of each record (in `at`). */
function stampedLogger(): ReturnType<typeof recordingLogger> & { at: number[] } {
  const logger = recordingLogger();
  const at: number[] = [];
  for (const level of ['debug', 'info', 'warning', 'error', 'alert'] as const) {
    const log = logger[level].bind(logger);
    logger[level] = (message, context) => {
      at.push(h.clock.monotonic() / 1000);
      log(message, context);
    };
  }
  return Object.assign(logger, { at });
}

const start = (pollSeconds = 3600): { monitor: Monitor; logger: ReturnType<typeof stampedLogger> } =>
  startWith(pollSeconds, stampedLogger());
type Logger = ReturnType<typeof recordingLogger>;
const ruleRecords = (logger: Logger): string[] =>
  logger.records
    .filter((r) => r.context?.rule !== undefined)
    .map((r) => `${String(r.context!.state)} ${String(r.context!.rule)}:${String(r.context!.deviceId)}`);
const count = (logger: Logger, record: string): number =>
  ruleRecords(logger).filter((r) => r === record).length;
const monoSeconds = (): number => h.clock.monotonic() / 1000;

describe('rules judge time on the monotonic clock (HIGH 4)', () => {
  it('wall clock stepped back 1 day, then the device goes silent: the no-data ALERT comes 600 s later', async () => {
    await h.db
      .collection('rules')
      .insertOne({ id: 1, name: 'probe silent', keyId: 7, deviceId: 3, noDataSeconds: 600, level: 'ALERT' });
    const { monitor, logger } = start();
    await monitor.start();
    emit(3, -18000);
    await h.clock.advance(60);
    emit(3, -18000); // the last reading; then silence
    const silentFrom = monoSeconds();
    await h.clock.advance(5);
    h.clock.setWallTime(new Date(h.clock.now() - day * 1000)); // NTP: the clock ran a day ahead
    await h.clock.advance(594);
    expect(ruleRecords(logger)).toEqual([]);
    await h.clock.advance(2);
    expect(ruleRecords(logger)).toEqual(['firing 1:3']);
    const fired = logger.records.findIndex((r) => r.context?.state === 'firing');
    const firedAfter = logger.at[fired]! - silentFrom;
    recordFigure({
      id: 'rules.wall-back-1d.no-data-after',
      label: 'no-data ALERT after the wall clock stepped back 1 day (noDataSeconds 600)',
      value: firedAfter,
      unit: 's of monotonic time',
      bound: '= 600',
    });
    expect(firedAfter).toBe(600);
    expect(logger.records.find((r) => r.context?.state === 'firing')!.level).toBe('alert');
  });

  it('a forSeconds: 300 rule pending when the wall clock steps back 1 h fires after 300 s, not 3,900', async () => {
    await h.db
      .collection('rules')
      .insertOne({ id: 2, name: 'freezer warm', keyId: 7, deviceId: 3, above: -10000, forSeconds: 300 });
    const { monitor, logger } = start();
    await monitor.start();
    const crossedAt = monoSeconds();
    let firedAt: number | undefined;
    for (let s = 0; s <= 4000 && firedAt === undefined; s += 10) {
      if (s === 100) h.clock.setWallTime(new Date(h.clock.now() - 3_600_000));
      emit(3, -9000);
      if (ruleRecords(logger).length > 0) firedAt = monoSeconds() - crossedAt;
      else await h.clock.advance(10);
    }
    recordFigure({
      id: 'rules.wall-back-1h.for-300',
      label: 'forSeconds 300 rule pending across a −1 h wall step: fired after',
      value: firedAt ?? Infinity,
      unit: 's of monotonic time',
      bound: '= 300',
    });
    expect(firedAt).toBe(300);
    expect(ruleRecords(logger)).toEqual(['firing 2:3']);
  });
});

describe('reminder floods (MEDIUM)', () => {
  it('wall clock stepped +1 day while firing with repeatSeconds 60: one reminder a minute, no spurious no-data', async () => {
    await h.db.collection('rules').insertMany([
      { id: 1, name: 'warm', keyId: 7, deviceId: 3, above: 0, repeatSeconds: 60 },
      { id: 2, name: 'silent', keyId: 7, deviceId: 3, noDataSeconds: 120 },
    ]);
    const { monitor, logger } = start();
    await monitor.start();
    emit(3, 5);
    expect(ruleRecords(logger)).toEqual(['firing 1:3']);
    await h.clock.advance(30);
    emit(3, 5); // heard now; the no-data deadline is 120 s from here
    h.clock.setWallTime(new Date(h.clock.now() + day * 1000));
    await h.clock.advance(61);
    const reminders = count(logger, 'reminder 1:3');
    recordFigure({
      id: 'rules.wall-forward-1d.reminders',
      label: 'reminders within 61 s after a +1 day wall step (repeatSeconds 60)',
      value: reminders,
      unit: 'records',
      bound: '= 1',
    });
    expect(reminders).toBe(1);
    expect(count(logger, 'firing 2:3')).toBe(0);
  });

  it('monitor down a day while a repeatSeconds 60 rule fires: one reminder after the restart, saying how long', async () => {
    await h.db
      .collection('rules')
      .insertOne({ id: 1, name: 'warm', keyId: 7, deviceId: 3, above: 0, repeatSeconds: 60 });
    const first = start();
    await first.monitor.start();
    emit(3, 5);
    await h.clock.advance(30);
    await first.monitor.stop();
    await h.clock.advance(day);
    const second = start();
    await second.monitor.start();
    await waitFor(() => ruleRecords(second.logger).length > 0, 5000, 'the reminder after the restart');
    const reminders = count(second.logger, 'reminder 1:3');
    recordFigure({
      id: 'rules.down-1d.reminders',
      label: 'reminders at the restart after 1 day down (repeatSeconds 60)',
      value: reminders,
      unit: 'records',
      bound: '= 1',
    });
    expect(reminders).toBe(1);
    const text = second.logger.records.find((r) => r.context?.state === 'reminder')!.message;
    expect(text).toContain('(firing for 24 h; no reminder for 24 h)');
    await h.clock.advance(60);
    expect(count(second.logger, 'reminder 1:3')).toBe(2);
  });
});

describe('a band rule: each side its own condition (MEDIUM)', () => {
  it('above: -10000, below: -30000 — fires above at -5000; at -40000 above resolves and below fires; the texts say the side', async () => {
    await addRule({
      id: 1,
      name: 'freezer band',
      keyId: 7,
      deviceId: 3,
      above: -10000,
      below: -30000,
      repeatSeconds: 3600,
    });
    const { monitor, logger } = start();
    await monitor.start();
    emit(3, -5000);
    await h.clock.advance(60);
    emit(3, -40000);
    expect(ruleRecords(logger)).toEqual(['firing 1:3', 'resolved 1:3', 'firing 1:3']);
    const texts = logger.records.filter((r) => r.context?.rule !== undefined).map((r) => r.message);
    expect(texts[0]).toContain('value -5000 mC above -10000 mC');
    expect(texts[1]).toContain('value -40000 mC is no longer above -10000 mC');
    expect(texts[1]).toContain('peak while firing -5000 mC');
    expect(texts[2]).toContain('value -40000 mC below -30000 mC');
    expect(logger.records.at(-1)!.context).toMatchObject({ cause: 'below', threshold: -30000 });
    await h.clock.advance(3600);
    expect(logger.records.at(-1)!.message).toMatch(/^still firing: .*value -40000 mC below -30000 mC/);
    emit(3, -20000);
    expect(ruleRecords(logger)).toEqual([
      'firing 1:3',
      'resolved 1:3',
      'firing 1:3',
      'reminder 1:3',
      'resolved 1:3',
    ]);
    expect(logger.records.at(-1)!.message).toContain('value -20000 mC is no longer below -30000 mC');
    expect(logger.records.at(-1)!.message).toContain('peak while firing -40000 mC');
  });
});

const freezer: DeviceSpec = {
  id: 3,
  name: 'freezer',
  description: '',
  vendorId: undefined,
  productId: undefined,
  driver: 'push',
  config: {},
  intervalSeconds: 10,
  enabled: true,
  keyIds: [7],
};
const keys = new Map<number, KeySpec>([[7, { keyId: 7, unit: 'mC', description: '' }]]);
/** A no-data rule on the freezer as validateRules normalises it (every default filled in), to vary. */
const base: RuleSpec = validateRules(
  [{ id: 0, name: 'base', keyId: 7, deviceId: 3, noDataSeconds: 60 }],
  keys,
  [freezer],
).rules[0]!;

/** Runs `test` with a RuleEvaluator on the test's scheduler, set to `rules` for the freezer. */
async function withEvaluator(
  logger: MonitorLogger,
  rules: RuleSpec[],
  test: (evaluator: RuleEvaluator) => Promise<void>,
): Promise<void> {
  const { scheduler } = h;
  const evaluator = new RuleEvaluator({
    logger,
    now: () => scheduler.now(),
    monotonic: () => scheduler.monotonic(),
    scheduler,
  });
  try {
    evaluator.setConfig(rules, [freezer], keys);
    await test(evaluator);
  } finally {
    evaluator.stop();
  }
}

describe('rules the scheduler cannot plan never stop the monitor (HIGH 6)', () => {
  it('noDataSeconds 1e10 and repeatSeconds 9.1e9 in the database: the monitor starts, those rules are problems, the good one runs', async () => {
    await h.db.collection('rules').insertMany([
      { id: 1, name: 'forever silent', keyId: 7, noDataSeconds: 10_000_000_000 },
      { id: 2, name: 'remind never', keyId: 7, above: 0, repeatSeconds: 9.1e9 },
      { id: 3, name: 'flood', keyId: 7, above: 0, repeatSeconds: 0.001 },
      { id: 4, name: 'good', keyId: 7, deviceId: 3, above: 100 },
    ]);
    const { monitor, logger } = start();
    await monitor.start();
    const problems = logger.records.filter((r) => r.context?.collection === 'rules');
    expect(problems.map((r) => r.message)).toEqual([
      expect.stringMatching(
        /rule 1 "forever silent": noDataSeconds must be a number of seconds from 1 to 31622400/,
      ),
      expect.stringMatching(/rule 2 "remind never": repeatSeconds must be a number of seconds from 60/),
      expect.stringMatching(/rule 3 "flood": repeatSeconds must be a number of seconds from 60/),
    ]);
    emit(3, 200);
    expect(ruleRecords(logger)).toEqual(['firing 4:3']);
  });

  it('such a rule added while running is reported for itself at the poll, never as "database unreadable"', async () => {
    await addRule({ id: 4, name: 'good', keyId: 7, deviceId: 3, above: 100 });
    const { monitor, logger } = start(30);
    await monitor.start();
    await h.db
      .collection('rules')
      .insertOne({ id: 1, name: 'forever silent', keyId: 7, noDataSeconds: 10_000_000_000 });
    await h.clock.advance(30);
    await waitFor(() => logger.text('error').includes('forever silent'), 5000, 'the poll reload');
    await h.clock.advance(30);
    await monitor.flush();
    expect(logger.text('warning')).not.toContain('unreadable');
    emit(3, 200);
    expect(ruleRecords(logger)).toEqual(['firing 4:3']);
  });

  it('a RuleSpec given to the evaluator directly with a duration out of range is skipped alone; a 366-day no-data deadline is planned in steps', async () => {
    const logger = recordingLogger();
    const rules = [
      { ...base, id: 1, name: 'bad', noDataSeconds: 1e10 },
      { ...base, id: 2, name: 'year', noDataSeconds: 366 * day },
    ];
    await withEvaluator(logger, rules, async (evaluator) => {
      expect(logger.text('error')).toMatch(/rule 1 "bad": noDataSeconds must be .*; this rule is skipped/);
      expect(evaluator.size).toBe(1);
      await h.clock.advance(366 * day - 1);
      expect(logger.text('warning')).toBe('');
      await h.clock.advance(2);
      expect(logger.text('warning')).toContain('firing: rule 2 "year"');
    });
  });

  it('a rule whose records throw (a broken logger) is reported once; the other rules still fire and are planned', async () => {
    const logger = recordingLogger();
    const alert = logger.alert.bind(logger);
    logger.alert = (message, context) => {
      if (message.includes('"throws"')) throw new Error('logger down for ALERTs');
      alert(message, context);
    };
    const rules: RuleSpec[] = [
      { ...base, id: 1, name: 'throws', noDataSeconds: 60, level: 'ALERT', repeatSeconds: 60 },
      { ...base, id: 2, name: 'fine', noDataSeconds: 60, repeatSeconds: 60 },
    ];
    await withEvaluator(logger, rules, async () => {
      await h.clock.advance(61);
      expect(logger.text('warning')).toContain('firing: rule 2 "fine"');
      expect(logger.text('error')).toMatch(
        /rule 1 "throws" failed \(Error: logger down for ALERTs\); the other rules go on/,
      );
      await h.clock.advance(60);
      expect(logger.text('warning')).toContain('still firing: rule 2 "fine"');
      expect(logger.records.filter((r) => r.message.includes('"throws" failed'))).toHaveLength(1);
    });
  });
});

describe('rules-state.json of the wrong shape (LOW)', () => {
  it('lastNoticeMs: 1e20 and other bad fields: the monitor starts, warns, and the rule is evaluated afresh', async () => {
    await h.db
      .collection('rules')
      .insertOne({ id: 1, name: 'warm', keyId: 7, deviceId: 3, above: 0, repeatSeconds: 3600 });
    const good = {
      ruleId: 1,
      ruleName: 'warm',
      level: 'WARNING',
      deviceId: 3,
      cause: 'above',
      sinceMs: h.clock.now(),
      firedMs: h.clock.now(),
      lastNoticeMs: h.clock.now(),
      value: 5,
      threshold: 0,
    };
    writeFileSync(
      path.join(h.stateDir, 'rules-state.json'),
      JSON.stringify({
        version: 1,
        firing: [
          { ...good, lastNoticeMs: 1e20 },
          { ...good, deviceId: 4, sinceMs: -1e300 },
          { ...good, ruleId: 2.5 },
        ],
      }),
    );
    const { monitor, logger } = start();
    await monitor.start();
    expect(logger.text('warning')).toContain('holds 3 unreadable state(s)');
    emit(3, 5);
    expect(ruleRecords(logger)).toEqual(['firing 1:3']);
    await monitor.stop();
    const saved = JSON.parse(readFileSync(path.join(h.stateDir, 'rules-state.json'), 'utf8')) as {
      firing: { lastNoticeMs: number }[];
    };
    expect(saved.firing).toEqual([expect.objectContaining({ ruleId: 1, lastNoticeMs: h.clock.now() })]);
  });
});

describe('rules-state.json of another JSON shape (LOW)', () => {
  it.each(['null', '5', '{"version":1,"clean":true}'])(
    '%s: the monitor starts, warns once, and rules run',
    async (text) => {
      await addRule({ id: 1, name: 'warm', keyId: 7, deviceId: 3, above: 0 });
      writeFileSync(path.join(h.stateDir, 'rules-state.json'), text);
      const { monitor, logger } = start();
      await monitor.start();
      expect(logger.records.filter((r) => r.message.includes('rules-state.json'))).toEqual([
        expect.objectContaining({
          level: 'warning',
          message: expect.stringContaining('has no "firing" list'),
        }),
      ]);
      emit(3, 5);
      expect(ruleRecords(logger)).toEqual(['firing 1:3']);
    },
  );
});
