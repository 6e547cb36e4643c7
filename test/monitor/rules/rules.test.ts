// The rule parts without a database: validation of rule documents and the state machine
// driven by a ManualClock scheduler.
import { afterEach, describe, expect, it } from 'vitest';
import { RuleEvaluator, type RuleEvent } from '../../../src/monitor/rules/evaluator.js';
import { formatDuration } from '../../../src/monitor/rules/format.js';
import type { RuleSpec } from '../../../src/monitor/rules/types.js';
import { validateRules } from '../../../src/monitor/rules/validate.js';
import { validateConfig } from '../../../src/tools/index.js';
import { type DeviceSpec, type KeySpec } from '../../../src/monitor/index.js';
import { ManualClock, Scheduler } from '../../../src/scheduler/index.js';
import { recordingLogger } from '../support.js';

function device(id: number, name: string, keyIds?: number[]): DeviceSpec {
  return {
    id,
    name,
    description: '',
    vendorId: undefined,
    productId: undefined,
    driver: 'file',
    config: {},
    intervalSeconds: 10,
    enabled: true,
    keyIds,
  };
}

const keys = new Map<number, KeySpec>([
  [7, { keyId: 7, unit: 'mC', description: 'freezer temperature' }],
  [8, { keyId: 8, unit: '%', description: 'humidity' }],
]);
const freezer = device(3, 'freezer', [7]);
const cellar = device(4, 'cellar', [7, 8]);

function rule(doc: Partial<RuleSpec> & { id: number }): RuleSpec {
  return {
    name: `rule${doc.id}`,
    keyId: 7,
    deviceId: undefined,
    above: undefined,
    below: undefined,
    noDataSeconds: undefined,
    forSeconds: 0,
    hysteresis: 0,
    level: 'WARNING',
    repeatSeconds: undefined,
    enabled: true,
    message: undefined,
    ...doc,
  };
}

describe('validateRules', () => {
  const devices = [freezer, cellar];
  it('normalises a good rule: defaults for level, forSeconds, hysteresis, enabled', () => {
    const { rules, problems } = validateRules(
      [{ id: 1, name: 'freezer warm', keyId: 7, deviceId: 3, above: -10000, level: 'alert' }],
      keys,
      devices,
    );
    expect(problems).toEqual([]);
    expect(rules).toEqual([
      rule({ id: 1, name: 'freezer warm', deviceId: 3, above: -10000, level: 'ALERT' }),
    ]);
  });

  it('reports each bad rule once per problem and keeps the good ones', () => {
    const { rules, problems } = validateRules(
      [
        { id: 1, name: 'good', keyId: 7, above: 5 },
        { id: 2, name: 'unknown key', keyId: 99, above: 5 },
        { id: 3, name: 'unknown device', keyId: 7, deviceId: 42, above: 5 },
        { id: 4, name: 'nothing to watch', keyId: 7 },
        { id: 5, name: 'inverted', keyId: 7, above: 5, below: 10 },
        { id: 6, name: 'bad level', keyId: 7, above: 5, level: 'CRITICAL' },
        { id: 7, name: 'negative', keyId: 7, above: 5, forSeconds: -1 },
        { id: 8, name: 'key not produced', keyId: 8, deviceId: 3, above: 5 },
        'not a document',
        { id: 1, name: 'dup', keyId: 7, noDataSeconds: 60 },
      ],
      keys,
      devices,
    );
    const byRule = problems.map((p) => `${p.subject}|${p.field}`);
    expect(byRule).toEqual([
      'rule 2 "unknown key"|keyId',
      'rule 3 "unknown device"|deviceId',
      'rule 4 "nothing to watch"|above',
      'rule 5 "inverted"|below',
      'rule 6 "bad level"|level',
      'rule 7 "negative"|forSeconds',
      'rule 8 "key not produced"|deviceId',
      'rule document #8|(document)',
      'rule 1 "good"|id',
      'rule 1 "dup"|id',
    ]);
    expect(problems.every((p) => p.collection === 'rules')).toBe(true);
    expect(problems[3]!.message).toContain('must be less than above');
    expect(rules).toEqual([]);
  });

  it('validateConfig checks rules beside devices and keys', () => {
    const result = validateConfig(
      [{ id: 3, name: 'freezer', driver: 'file', config: { path: '/x', keyId: 7 } }],
      [{ keyId: 7, unit: 'mC' }],
      new Map([['file', { create: () => ({}) }]]),
      [
        { id: 1, name: 'warm', keyId: 7, deviceId: 3, above: -10000 },
        { id: 2, name: 'gone', keyId: 7, deviceId: 9, above: 0 },
      ],
    );
    expect(result.rules.map((r) => r.id)).toEqual([1]);
    expect(result.problems.map((p) => `${p.collection} ${p.subject} ${p.field}`)).toEqual([
      'rules rule 2 "gone" deviceId',
    ]);
  });
});

describe('RuleEvaluator', () => {
  let scheduler: Scheduler | undefined;
  let evaluator: RuleEvaluator | undefined;
  afterEach(async () => {
    evaluator?.stop();
    await scheduler?.stop();
  });

  function setup(rules: RuleSpec[], devices: DeviceSpec[] = [freezer, cellar]) {
    const clock = new ManualClock(new Date('2026-01-01T00:00:00Z'));
    scheduler = new Scheduler({ clock });
    scheduler.start();
    const logger = recordingLogger();
    const events: RuleEvent[] = [];
    evaluator = new RuleEvaluator({
      logger,
      now: () => scheduler!.now(),
      scheduler,
      onEvent: (e) => events.push(e),
    });
    evaluator.setConfig(rules, devices, keys);
    const read = (d: DeviceSpec, value: number, keyId = 7): void =>
      evaluator!.onReading(d.id, keyId, value, clock.now());
    const kinds = (): string[] => events.map((e) => `${e.kind}:${e.ruleId}:${e.deviceId}`);
    return { clock, logger, events, read, kinds, evaluator };
  }

  it('a value oscillating across the threshold fires once with hysteresis, and resolves past it', async () => {
    const { clock, logger, read, kinds } = setup([
      rule({
        id: 1,
        name: 'freezer warm',
        above: -10000,
        hysteresis: 500,
        level: 'ALERT',
        message: 'check the door',
      }),
    ]);
    for (const value of [-12000, -9990, -10010, -9990, -10100, -9800, -10400]) {
      read(freezer, value);
      await clock.advance(10);
    }
    expect(kinds()).toEqual(['firing:1:3']);
    expect(logger.records[0]!.level).toBe('alert');
    expect(logger.records[0]!.message).toBe(
      'firing: rule 1 "freezer warm": device 3 "freezer", key 7 (mC): value -9990 mC above -10000 mC since 2026-01-01T00:00:10.000Z — check the door',
    );
    expect(logger.records[0]!.context).toMatchObject({
      rule: 1,
      ruleName: 'freezer warm',
      deviceId: 3,
      deviceName: 'freezer',
      keyId: 7,
      unit: 'mC',
      value: -9990,
      threshold: -10000,
    });
    read(freezer, -10500);
    expect(kinds()).toEqual(['firing:1:3', 'resolved:1:3']);
    expect(logger.records[1]!.level).toBe('alert');
    expect(logger.records[1]!.message).toMatch(/^resolved: rule 1 "freezer warm": .*it fired for 1 min/);
  });

  it('forSeconds: fires only once the threshold has been crossed that long; a dip back resets it', async () => {
    const { clock, read, kinds, events } = setup([rule({ id: 2, below: 1000, forSeconds: 60, keyId: 8 })]);
    read(cellar, 900, 8);
    await clock.advance(30);
    read(cellar, 1100, 8); // back: pending is over
    await clock.advance(30);
    read(cellar, 900, 8);
    await clock.advance(50);
    read(cellar, 800, 8);
    expect(kinds()).toEqual([]);
    await clock.advance(10);
    read(cellar, 850, 8);
    expect(kinds()).toEqual(['firing:2:4']);
    expect(events[0]!.sinceMs).toBe(Date.parse('2026-01-01T00:01:00Z'));
  });

  it('a rule per device: each (rule, device) pair has its own state; deviceId limits it to one', async () => {
    const { read, kinds } = setup([rule({ id: 1, above: 0 }), rule({ id: 2, above: 0, deviceId: 4 })]);
    read(freezer, 5);
    read(cellar, 5);
    expect(kinds()).toEqual(['firing:1:3', 'firing:1:4', 'firing:2:4']);
  });

  it('noDataSeconds fires on the scheduler clock once, and resolves when readings arrive again', async () => {
    const { clock, read, kinds, logger } = setup([
      rule({ id: 5, noDataSeconds: 600, deviceId: 3, level: 'ERROR' }),
    ]);
    await clock.advance(300);
    read(freezer, 1);
    await clock.advance(599);
    expect(kinds()).toEqual([]);
    await clock.advance(2);
    expect(kinds()).toEqual(['firing:5:3']);
    expect(logger.records[0]!.level).toBe('error');
    expect(logger.records[0]!.message).toContain('no reading for 10 min since 2026-01-01T00:05:00.000Z');
    await clock.advance(3 * 3600);
    expect(kinds()).toEqual(['firing:5:3']);
    read(freezer, 2);
    expect(kinds()).toEqual(['firing:5:3', 'resolved:5:3']);
    expect(logger.records[1]!.message).toMatch(
      /readings arrive again; it fired for 3 h since 2026-01-01T00:15:00/,
    );
  });

  it('reminders every repeatSeconds while firing, none after resolve', async () => {
    const { clock, read, kinds } = setup([rule({ id: 1, above: 0, deviceId: 3, repeatSeconds: 3600 })]);
    read(freezer, 5);
    await clock.advance(3 * 3600 + 10);
    expect(kinds()).toEqual(['firing:1:3', 'reminder:1:3', 'reminder:1:3', 'reminder:1:3']);
    read(freezer, -1);
    await clock.advance(5 * 3600);
    expect(kinds().slice(4)).toEqual(['resolved:1:3']);
  });

  it('a device removed from the configuration resolves its rules instead of firing no-data', async () => {
    const { clock, read, kinds, evaluator, logger } = setup([
      rule({ id: 1, above: 0 }),
      rule({ id: 2, noDataSeconds: 60 }),
    ]);
    read(freezer, 5);
    expect(kinds()).toEqual(['firing:1:3']);
    evaluator.setConfig([rule({ id: 1, above: 0 }), rule({ id: 2, noDataSeconds: 60 })], [cellar], keys);
    expect(kinds()).toEqual(['firing:1:3', 'resolved:1:3']);
    expect(logger.records[1]!.message).toContain('device removed from the configuration');
    await clock.advance(30);
    read(cellar, -1);
    await clock.advance(3600);
    // Only the cellar (still configured) goes silent.
    expect(kinds()).toEqual(['firing:1:3', 'resolved:1:3', 'firing:2:4']);
  });

  it('a removed or disabled rule resolves its firing pairs; an unchanged rule keeps its state', () => {
    const { read, kinds, evaluator } = setup([rule({ id: 1, above: 0 }), rule({ id: 2, above: 0 })]);
    read(freezer, 5);
    evaluator.setConfig(
      [rule({ id: 1, above: 0 }), rule({ id: 2, above: 0, enabled: false })],
      [freezer],
      keys,
    );
    read(freezer, 6);
    expect(kinds()).toEqual(['firing:1:3', 'firing:2:3', 'resolved:2:3']);
    evaluator.setConfig([], [freezer], keys);
    expect(kinds()).toEqual(['firing:1:3', 'firing:2:3', 'resolved:2:3', 'resolved:1:3']);
  });

  it('restored firing state: no second fire after a restart; resolved on the first good reading', async () => {
    const first = setup([rule({ id: 1, above: 0, deviceId: 3 })]);
    first.read(freezer, 5);
    const saved = first.evaluator.firing();
    expect(saved).toMatchObject([{ ruleId: 1, deviceId: 3, cause: 'above', value: 5, threshold: 0 }]);
    first.evaluator.stop();
    await scheduler!.stop();

    const second = setup([]);
    second.evaluator.restore(saved);
    second.evaluator.setConfig([rule({ id: 1, above: 0, deviceId: 3 })], [freezer], keys);
    second.read(freezer, 7);
    expect(second.kinds()).toEqual([]);
    second.read(freezer, -3);
    expect(second.kinds()).toEqual(['resolved:1:3']);
  });

  it('formatDuration', () => {
    expect([45_000, 725_000, 3_600_000, 3 * 86_400_000 + 7_200_000].map(formatDuration)).toEqual([
      '45 s',
      '12 min 5 s',
      '1 h',
      '3 d 2 h',
    ]);
  });
});
