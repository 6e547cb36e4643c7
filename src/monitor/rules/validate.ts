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
  // A shared id or name makes every holder ambiguous: none of them runs.
  const rules: RuleSpec[] = [];
  for (const rule of candidates) {
    const sameId = candidates.filter((r) => r.id === rule.id).length;
    const sameName = candidates.filter((r) => r.name === rule.name).length;
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
  const seconds = (field: string, allowZero: boolean): number | undefined => {
    const value = number(field);
    if (value === undefined) return undefined;
    if (value < 0 || (!allowZero && value === 0)) {
      report(field, `must be a number of seconds ${allowZero ? '≥ 0' : '> 0'}, got ${value}`);
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
  const noDataSeconds = seconds('noDataSeconds', false);
  if (!present('above') && !present('below') && !present('noDataSeconds'))
    report('above', 'nor below nor noDataSeconds is set; a rule needs a threshold or noDataSeconds');
  if (above !== undefined && below !== undefined && below >= above)
    report(
      'below',
      `(${below}) must be less than above (${above}): a value cannot be both above and below; for a band use two rules`,
    );
  const forSeconds = seconds('forSeconds', true) ?? 0;
  const hysteresisValue = number('hysteresis');
  if (hysteresisValue !== undefined && hysteresisValue < 0)
    report('hysteresis', `must be ≥ 0, got ${hysteresisValue}`);
  const repeatSeconds = seconds('repeatSeconds', false);

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
