// Pure validation of the `devices` and `keys` documents (no I/O): every problem is
// collected with the device and field it concerns, bad documents are left out, good
// ones come back normalised. The monitor reports the problems through its logger.
import { describeValue, isPlainObject } from '../../internal/index.js';
import { parsePyConf } from './py-conf.js';
import type { RuleSpec } from '../rules/types.js';
import { validateRules } from '../rules/validate.js';
import type { ConfigProblem, DeviceSpec, DriverDefinition, KeySpec } from '../types.js';

export type { ConfigProblem };

/** Outcome of {@link validateConfig}. */
export interface ValidatedConfig {
  /** Valid and enabled devices, in id order. */
  devices: DeviceSpec[];
  /** Valid devices with `enabled: false`. */
  disabled: DeviceSpec[];
  /** Valid keys, by `keyId`. */
  keys: Map<number, KeySpec>;
  /** Valid rules (enabled or not), in id order. */
  rules: RuleSpec[];
  /** Every problem found; the documents concerned are left out. */
  problems: ConfigProblem[];
}

/** Default sampling interval of a polled device, in seconds (DESIGN §4). */
export const defaultIntervalSeconds = 10;
const minIntervalSeconds = 0.01;

/** `"abc" (string)`, for messages that show the value and its type (the toolkit's describeValue). */
export const showValue: (value: unknown) => string = describeValue;

/** Documents and configs are plain objects (as BSON gives them), never Dates, Maps or class instances. */
const isRecord = isPlainObject;

function isId(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

const hexId = /^(0x)?[0-9a-fA-F]{4}$/;

/** Normalises a USB vendor/product id to 4 lowercase hex digits (Linux's form). */
export function normaliseUsbId(value: string): string {
  return value.replace(/^0x/i, '').toLowerCase();
}

/**
 * Validates raw `devices`, `keys` and (optionally) `rules` documents against the
 * registered drivers. Rules are checked against the valid devices and keys.
 *
 * @example
 * ```ts
 * const { devices, problems } = validateConfig(deviceDocs, keyDocs, drivers);
 * for (const p of problems) logger.error(`${p.subject}: ${p.field} ${p.message}`);
 * ```
 */
export function validateConfig(
  rawDevices: readonly unknown[],
  rawKeys: readonly unknown[],
  drivers: ReadonlyMap<string, DriverDefinition>,
  rawRules: readonly unknown[] = [],
): ValidatedConfig {
  const problems: ConfigProblem[] = [];
  const keys = validateKeys(rawKeys, problems);

  const candidates: DeviceSpec[] = [];
  rawDevices.forEach((doc, index) => {
    const spec = validateDevice(doc, index, drivers, keys, problems);
    if (spec) candidates.push(spec);
  });

  // A duplicated id or name makes every holder ambiguous: none of them runs.
  const byId = groupBy(candidates, (d) => d.id);
  const byName = groupBy(candidates, (d) => d.name);
  const devices: DeviceSpec[] = [];
  const disabled: DeviceSpec[] = [];
  for (const device of candidates) {
    const subject = deviceSubject(device.id, device.name);
    let ok = true;
    if ((byId.get(device.id)?.length ?? 0) > 1) {
      problems.push({
        collection: 'devices',
        subject,
        field: 'id',
        message: `${device.id} is shared by ${byId.get(device.id)!.length} devices; ids must be unique`,
      });
      ok = false;
    }
    if ((byName.get(device.name)?.length ?? 0) > 1) {
      problems.push({
        collection: 'devices',
        subject,
        field: 'name',
        message: `${quote(device.name)} is shared by ${byName.get(device.name)!.length} devices; names must be unique`,
      });
      ok = false;
    }
    if (ok) (device.enabled ? devices : disabled).push(device);
  }
  devices.sort((a, b) => a.id - b.id);
  const rules = validateRules(rawRules, keys, [...devices, ...disabled]);
  problems.push(...rules.problems);
  return { devices, disabled, keys, rules: rules.rules, problems };
}

function groupBy<T, K>(items: readonly T[], key: (item: T) => K): Map<K, T[]> {
  const map = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = map.get(k);
    if (list) list.push(item);
    else map.set(k, [item]);
  }
  return map;
}

function deviceSubject(id: unknown, name: unknown): string {
  const idText = isId(id) ? String(id) : '(no valid id)';
  return typeof name === 'string' ? `device ${idText} ${quote(name)}` : `device ${idText}`;
}

/**
 * Why a key's `decimals` field is invalid, or undefined when it is absent or an integer 0..9
 * (stored value = round(reading × 10^decimals)).
 */
export function checkDecimals(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 9) return undefined;
  return `must be an integer 0..9 (stored value = round(reading × 10^decimals)), got ${showValue(value)}`;
}

function validateKeys(rawKeys: readonly unknown[], problems: ConfigProblem[]): Map<number, KeySpec> {
  const seen = new Map<number, number>();
  const candidates: KeySpec[] = [];
  rawKeys.forEach((doc, index) => {
    const report = (subject: string, field: string, message: string): void => {
      problems.push({ collection: 'keys', subject, field, message });
    };
    if (!isRecord(doc)) {
      report(`key document #${index}`, '(document)', `must be an object, got ${showValue(doc)}`);
      return;
    }
    const subject = isId(doc.keyId) ? `key ${doc.keyId}` : `key document #${index}`;
    let ok = true;
    if (!isId(doc.keyId)) {
      report(subject, 'keyId', `must be a non-negative integer, got ${showValue(doc.keyId)}`);
      ok = false;
    }
    if (typeof doc.unit !== 'string') {
      report(subject, 'unit', `must be a string (e.g. "mC" or "%"), got ${showValue(doc.unit)}`);
      ok = false;
    }
    if (doc.description !== undefined && typeof doc.description !== 'string') {
      report(subject, 'description', `must be a string when present, got ${showValue(doc.description)}`);
      ok = false;
    }
    const decimalsProblem = checkDecimals(doc.decimals);
    if (decimalsProblem !== undefined) {
      report(subject, 'decimals', decimalsProblem);
      ok = false;
    }
    if (!ok) return;
    const keyId = doc.keyId as number;
    seen.set(keyId, (seen.get(keyId) ?? 0) + 1);
    candidates.push({
      keyId,
      unit: doc.unit as string,
      description: (doc.description as string | undefined) ?? '',
      decimals: (doc.decimals as number | undefined) ?? 0,
    });
  });
  const keys = new Map<number, KeySpec>();
  for (const key of candidates) {
    const count = seen.get(key.keyId) ?? 0;
    if (count > 1) {
      problems.push({
        collection: 'keys',
        subject: `key ${key.keyId}`,
        field: 'keyId',
        message: `${key.keyId} is shared by ${count} keys; keyIds must be unique`,
      });
    } else keys.set(key.keyId, key);
  }
  return keys;
}

function validateDevice(
  doc: unknown,
  index: number,
  drivers: ReadonlyMap<string, DriverDefinition>,
  keys: ReadonlyMap<number, KeySpec>,
  problems: ConfigProblem[],
): DeviceSpec | undefined {
  if (!isRecord(doc)) {
    problems.push({
      collection: 'devices',
      subject: `device document #${index}`,
      field: '(document)',
      message: `must be an object, got ${showValue(doc)}`,
    });
    return undefined;
  }
  const subject =
    isId(doc.id) || typeof doc.name === 'string'
      ? deviceSubject(doc.id, doc.name)
      : `device document #${index}`;
  let ok = true;
  const report = (field: string, message: string): void => {
    problems.push({ collection: 'devices', subject, field, message });
    ok = false;
  };

  if (!isId(doc.id)) report('id', `must be a non-negative integer, got ${showValue(doc.id)}`);
  if (typeof doc.name !== 'string' || doc.name.trim() === '')
    report('name', `must be a non-empty string, got ${showValue(doc.name)}`);
  if (doc.description !== undefined && doc.description !== null && typeof doc.description !== 'string') {
    report('description', `must be a string when present, got ${showValue(doc.description)}`);
  }
  for (const field of ['vendorId', 'productId'] as const) {
    const value = doc[field];
    if (
      value !== undefined &&
      value !== null &&
      value !== '' &&
      (typeof value !== 'string' || !hexId.test(value))
    ) {
      report(field, `must be 4 hex digits as dmesg shows them (e.g. "0403"), got ${showValue(value)}`);
    }
  }

  const driverName = alias(doc, 'driver', 'pyClass', report);
  let driver: DriverDefinition | undefined;
  if (typeof driverName !== 'string' || driverName === '') {
    report('driver', `must name a driver (string), got ${showValue(driverName)}`);
  } else {
    driver = drivers.get(driverName);
    if (!driver)
      report(
        'driver',
        `unknown driver ${quote(driverName)}; known: ${[...drivers.keys()].sort().join(', ')} (register custom ones with the Monitor's drivers option)`,
      );
  }

  let config: Record<string, unknown> | undefined;
  const rawConfig = alias(doc, 'config', 'pyConf', report);
  const configField = doc.config === undefined && doc.pyConf !== undefined ? 'pyConf' : 'config';
  if (rawConfig === undefined || rawConfig === null) config = {};
  else if (typeof rawConfig === 'string') {
    const parsed = parsePyConf(rawConfig);
    if (parsed.ok) config = parsed.value;
    else report(configField, `is not a JSON or Python-literal dict (${parsed.error})`);
  } else if (isRecord(rawConfig)) config = rawConfig;
  else report(configField, `must be an object or a dict string, got ${showValue(rawConfig)}`);

  let intervalSeconds = defaultIntervalSeconds;
  if (doc.interval !== undefined && doc.interval !== null) {
    if (
      typeof doc.interval !== 'number' ||
      !Number.isFinite(doc.interval) ||
      doc.interval < minIntervalSeconds
    ) {
      report(
        'interval',
        `must be a number of seconds ≥ ${minIntervalSeconds}, got ${showValue(doc.interval)}`,
      );
    } else intervalSeconds = doc.interval;
  }
  if (doc.enabled !== undefined && doc.enabled !== null && typeof doc.enabled !== 'boolean') {
    report('enabled', `must be true or false when present, got ${showValue(doc.enabled)}`);
  }

  let keyIds: number[] | undefined;
  if (driver && config) {
    if (driver.validateConfig) {
      let check: ReturnType<NonNullable<DriverDefinition['validateConfig']>>;
      try {
        check = driver.validateConfig(config);
      } catch (error) {
        check = {
          ok: false,
          problems: [{ field: configField, message: `could not be validated: ${String(error)}` }],
        };
      }
      if (check.ok) {
        config = check.config;
        keyIds = check.keyIds;
      } else for (const p of check.problems) report(p.field, p.message);
    }
    for (const keyId of keyIds ?? []) {
      if (!keys.has(keyId))
        report(
          configField,
          `refers to keyId ${keyId}, which is not in the keys collection (add it there or fix the config)`,
        );
    }
  }

  if (!ok) return undefined;
  const usb = (value: unknown): string | undefined =>
    typeof value === 'string' && value !== '' ? normaliseUsbId(value) : undefined;
  return {
    id: doc.id as number,
    name: doc.name as string,
    description: typeof doc.description === 'string' ? doc.description : '',
    vendorId: usb(doc.vendorId),
    productId: usb(doc.productId),
    driver: driverName as string,
    config: config!,
    intervalSeconds,
    enabled: doc.enabled !== false,
    keyIds,
  };
}

/** Reads `field` or its seed alias; both present and different is a problem. */
function alias(
  doc: Record<string, unknown>,
  field: string,
  seedName: string,
  report: (field: string, message: string) => void,
): unknown {
  const own = doc[field];
  const seed = doc[seedName];
  if (own !== undefined && seed !== undefined && !sameData(own, seed)) {
    report(field, `and its alias ${seedName} are both set, to different values; keep one`);
  }
  return own !== undefined ? own : seed;
}

/** Equal as JSON; values JSON cannot show (a BigInt) only equal themselves. */
function sameData(a: unknown, b: unknown): boolean {
  try {
    return JSON.stringify(a) === JSON.stringify(b);
  } catch {
    return a === b;
  }
}

/** A document's text quoted for a message, cut at 60 characters: a name can be any size. */
function quote(text: string): string {
  const quoted = JSON.stringify(text);
  return quoted.length > 60 ? quoted.slice(0, 56) + '..."' : quoted;
}
