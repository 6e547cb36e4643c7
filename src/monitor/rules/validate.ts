// Pure validation of the `rules` documents (no I/O), against the valid devices and keys:
// every problem is one ConfigProblem naming the rule and the field; bad rules are left
// out, good ones come back normalised, so one bad rule never stops the others.
import { describeValue, isPlainObject } from '../../internal/index.js';
import type { ConfigProblem } from '../types.js';
import type { DeviceSpec, KeySpec } from '../types.js';
import type { RuleLevel, RuleSpec } from './types.js';

/** The levels a rule may have. */
export const ruleLevels: readonly RuleLevel[] = ['WARNING', 'ERROR', 'ALERT'];

/** The fields of a `rules` document (the contract of issue 12). */
export const ruleFields = [
  'id',
  'name',
  'keyId',
  'deviceId',
  'above',
  'below',
  'noDataSeconds',
  'forSeconds',
  'hysteresis',
  'level',
  'repeatSeconds',
  'enabled',
  'message',
] as const;

/**
 * The ranges of a rule's durations, in seconds: what the scheduler can plan and what the
 * mail budget can carry (a reminder more often than once a minute per pair, or a
 * no-data deadline under a second, would flood the mail logger; past a year a rule
 * would never speak). `forSeconds` may also be 0.
 */
export const ruleSecondsRange = {
  noDataSeconds: { min: 1, max: 366 * 86_400 },
  forSeconds: { min: 0, max: 366 * 86_400 },
  repeatSeconds: { min: 60, max: 366 * 86_400 },
} as const;

/** The rule fields measured in seconds. */
type SecondsField = keyof typeof ruleSecondsRange;

/** Why `value` is no valid `field` (see {@link ruleSecondsRange}), or undefined when it is. */
function secondsProblem(field: SecondsField, value: number): string | undefined {
  const { min, max } = ruleSecondsRange[field];
  if (Number.isFinite(value) && value >= min && value <= max) return undefined;
  return `must be a number of seconds from ${min} to ${max} (${max / 86_400} days), got ${value}`;
}

/**
 * The range problems of an already shaped rule: durations the scheduler or the mail
 * budget cannot honour, thresholds that are not finite. {@link validateRules} reports the
 * same; the evaluator checks a {@link RuleSpec} given to it directly, so one such rule is
 * skipped alone.
 */
export function ruleRangeProblems(rule: RuleSpec): { field: string; message: string }[] {
  const problems: { field: string; message: string }[] = [];
  for (const field of ['noDataSeconds', 'repeatSeconds'] as const) {
    const value = rule[field];
    const message = value === undefined ? undefined : secondsProblem(field, value);
    if (message) problems.push({ field, message });
  }
  const forMessage = secondsProblem('forSeconds', rule.forSeconds);
  if (forMessage) problems.push({ field: 'forSeconds', message: forMessage });
  for (const field of ['above', 'below', 'hysteresis'] as const) {
    const value = rule[field];
    if (value !== undefined && !Number.isFinite(value))
      problems.push({ field, message: `must be a finite number, got ${value}` });
  }
  return problems;
}

function isId(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function ruleSubject(doc: Record<string, unknown>, index: number): string {
  const id = isId(doc.id) ? String(doc.id) : undefined;
  const name = typeof doc.name === 'string' ? JSON.stringify(doc.name) : undefined;
  if (id === undefined && name === undefined) return `rule document #${index}`;
  return `rule ${id ?? '(no valid id)'}${name ? ` ${name}` : ''}`;
}

/**
 * Validates raw `rules` documents. `devices` are the valid devices (enabled or not) and
 * `keys` the valid keys of the same configuration.
 *
 * @example
 * ```ts
 * const { rules, problems } = validateRules(ruleDocs, config.keys, [...config.devices, ...config.disabled]);
 * ```
 */
export function validateRules(
  rawRules: readonly unknown[],
  keys: ReadonlyMap<number, KeySpec>,
  devices: readonly DeviceSpec[],
): {
  /** Valid rules (enabled or not), in id order. */
  rules: RuleSpec[];
  /** One problem per bad field or shared id/name; those rules are left out. */
  problems: ConfigProblem[];
} {
  const problems: ConfigProblem[] = [];
  const byDevice = new Map(devices.map((d) => [d.id, d]));
  const candidates: RuleSpec[] = [];
  rawRules.forEach((doc, index) => {
    if (!isPlainObject(doc)) {
      problems.push({
        collection: 'rules',
        subject: `rule document #${index}`,
        field: '(document)',
        message: `must be an object, got ${describeValue(doc)}`,
      });
      return;
    }
    const spec = validateRule(doc, ruleSubject(doc, index), keys, byDevice, problems);
    if (spec) candidates.push(spec);
  });
  // A shared id or name makes every holder ambiguous: none of them runs. Counted once
  // (linear: 10,000 rules used to take seconds when each rule counted the others).
  const idCount = new Map<number, number>();
  const nameCount = new Map<string, number>();
  for (const rule of candidates) {
    idCount.set(rule.id, (idCount.get(rule.id) ?? 0) + 1);
    nameCount.set(rule.name, (nameCount.get(rule.name) ?? 0) + 1);
  }
  const rules: RuleSpec[] = [];
  for (const rule of candidates) {
    const sameId = idCount.get(rule.id)!;
    const sameName = nameCount.get(rule.name)!;
    const subject = `rule ${rule.id} ${JSON.stringify(rule.name)}`;
    if (sameId > 1)
      problems.push({
        collection: 'rules',
        subject,
        field: 'id',
        message: `${rule.id} is shared by ${sameId} rules; ids must be unique`,
      });
    if (sameName > 1)
      problems.push({
        collection: 'rules',
        subject,
        field: 'name',
        message: `${JSON.stringify(rule.name)} is shared by ${sameName} rules; names must be unique`,
      });
    if (sameId === 1 && sameName === 1) rules.push(rule);
  }
  rules.sort((a, b) => a.id - b.id);
  return { rules, problems };
}

function validateRule(
  doc: Record<string, unknown>,
  subject: string,
  keys: ReadonlyMap<number, KeySpec>,
  devices: ReadonlyMap<number, DeviceSpec>,
  problems: ConfigProblem[],
): RuleSpec | undefined {
  let ok = true;
  const report = (field: string, message: string): void => {
    problems.push({ collection: 'rules', subject, field, message });
    ok = false;
  };
  const present = (field: string): boolean => doc[field] !== undefined && doc[field] !== null;
  const number = (field: string): number | undefined => {
    if (!present(field)) return undefined;
    const value = doc[field];
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      report(field, `must be a finite number, got ${describeValue(value)}`);
      return undefined;
    }
    return value;
  };
  const seconds = (field: SecondsField): number | undefined => {
    const value = number(field);
    if (value === undefined) return undefined;
    const problem = secondsProblem(field, value);
    if (problem !== undefined) {
      report(field, problem);
      return undefined;
    }
    return value;
  };

  for (const field of Object.keys(doc)) {
    if (field !== '_id' && !(ruleFields as readonly string[]).includes(field))
      report(field, `is not a rule field; known: ${ruleFields.join(', ')}`);
  }
  if (!isId(doc.id)) report('id', `must be a non-negative integer, got ${describeValue(doc.id)}`);
  if (typeof doc.name !== 'string' || doc.name.trim() === '')
    report('name', `must be a non-empty string, got ${describeValue(doc.name)}`);
  if (!isId(doc.keyId)) report('keyId', `must be a non-negative integer, got ${describeValue(doc.keyId)}`);
  else if (!keys.has(doc.keyId))
    report('keyId', `${doc.keyId} is not in the keys collection; add the key or fix the rule`);

  let deviceId: number | undefined;
  if (present('deviceId')) {
    if (!isId(doc.deviceId))
      report('deviceId', `must be a non-negative integer, got ${describeValue(doc.deviceId)}`);
    else {
      const device = devices.get(doc.deviceId);
      if (!device)
        report('deviceId', `${doc.deviceId} is not a valid device; add the device or fix the rule`);
      else if (isId(doc.keyId) && device.keyIds && !device.keyIds.includes(doc.keyId))
        report(
          'deviceId',
          `device ${device.id} ${JSON.stringify(device.name)} does not produce keyId ${doc.keyId} (it produces ${device.keyIds.join(', ') || 'none'})`,
        );
      else deviceId = doc.deviceId;
    }
  }

  const above = number('above');
  const below = number('below');
  const noDataSeconds = seconds('noDataSeconds');
  if (!present('above') && !present('below') && !present('noDataSeconds'))
    report('above', 'nor below nor noDataSeconds is set; a rule needs a threshold or noDataSeconds');
  if (above !== undefined && below !== undefined && below >= above)
    report(
      'below',
      `(${below}) must be less than above (${above}): a value cannot be both above and below; for a band use two rules`,
    );
  const forSeconds = seconds('forSeconds') ?? 0;
  const hysteresisValue = number('hysteresis');
  if (hysteresisValue !== undefined && hysteresisValue < 0)
    report('hysteresis', `must be ≥ 0, got ${hysteresisValue}`);
  const repeatSeconds = seconds('repeatSeconds');

  let level: RuleLevel = 'WARNING';
  if (present('level')) {
    if (typeof doc.level === 'string' && (ruleLevels as readonly string[]).includes(doc.level.toUpperCase()))
      level = doc.level.toUpperCase() as RuleLevel;
    else report('level', `must be one of ${ruleLevels.join(', ')}, got ${describeValue(doc.level)}`);
  }
  if (present('enabled') && typeof doc.enabled !== 'boolean')
    report('enabled', `must be true or false when present, got ${describeValue(doc.enabled)}`);
  if (present('message') && typeof doc.message !== 'string')
    report('message', `must be a string when present, got ${describeValue(doc.message)}`);

  if (!ok) return undefined;
  return {
    id: doc.id as number,
    name: doc.name as string,
    keyId: doc.keyId as number,
    deviceId,
    above,
    below,
    noDataSeconds,
    forSeconds,
    hysteresis: hysteresisValue ?? 0,
    level,
    repeatSeconds,
    enabled: doc.enabled !== false,
    message: typeof doc.message === 'string' ? doc.message : undefined,
  };
}
