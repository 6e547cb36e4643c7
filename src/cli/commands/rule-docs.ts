// What several `rules` commands share: reading the configuration, naming and finding one
// rule, checking it as the monitor would, and showing its condition.
import type { Db, Document } from 'mongodb';
import { formatValue } from '../../monitor/status/format-value.js';
import { validateConfig, validateRules } from '../../tools/index.js';
import type { DriverDefinition } from '../../monitor/index.js';
import type { CommandContext } from '../command.js';
import { databaseOperation } from '../database.js';
import { CliNotFoundError } from '../errors.js';
import { idOrNameFilter, idsAndNames, notFoundError } from '../id-or-name.js';

type Doc = Record<string, unknown>;
type Registry = ReadonlyMap<string, DriverDefinition>;

/** The devices, keys and rules documents (without `_id`), in id order. */
export interface RulesConfig {
  devices: Doc[];
  keys: Doc[];
  rules: Doc[];
}

/** Reads the devices, keys and rules a rule is checked against. */
export async function loadConfig(context: CommandContext): Promise<RulesConfig> {
  const db = await context.db();
  return databaseOperation('read the configuration', async () => {
    const read = (name: string, sort: Record<string, 1>): Promise<Doc[]> =>
      db
        .collection(name)
        .find({}, { projection: { _id: 0 } })
        .sort(sort)
        .toArray();
    const [devices, keys, rules] = await Promise.all([
      read('devices', { id: 1 }),
      read('keys', { keyId: 1 }),
      read('rules', { id: 1 }),
    ]);
    return { devices, keys, rules };
  });
}

/** `rule 1 "freezer warm"`. */
export function ruleLabel(doc: Doc): string {
  return typeof doc.name === 'string'
    ? `rule ${String(doc.id)} ${JSON.stringify(doc.name)}`
    : `rule ${String(doc.id)}`;
}

/**
 * Checks rule documents among the others, as the monitor would report them. Devices and
 * keys are validated once and ids and names counted once, so `rules list` of 10,000 rules
 * stays linear (it validated every device and scanned every rule per rule).
 */
export function ruleChecker(config: RulesConfig, registry: Registry): (doc: Doc) => string[] {
  const base = validateConfig(config.devices, config.keys, registry, []);
  const devices = [...base.devices, ...base.disabled];
  const holders = <T>(pick: (doc: Doc) => T): Map<T, Doc[]> => {
    const map = new Map<T, Doc[]>();
    for (const rule of config.rules) {
      const list = map.get(pick(rule));
      if (list) list.push(rule);
      else map.set(pick(rule), [rule]);
    }
    return map;
  };
  const byId = holders((r) => r.id);
  const byName = holders((r) => r.name);
  return (doc) => {
    const problems = validateRules([doc], base.keys, devices).problems.map((p) => `${p.field} ${p.message}`);
    const sameId = byId.get(doc.id)?.find((r) => r !== doc);
    if (sameId) problems.push(`id ${String(doc.id)} is taken by ${ruleLabel(sameId)}`);
    const sameName = byName.get(doc.name)?.find((r) => r !== doc);
    if (sameName) problems.push(`name ${JSON.stringify(doc.name)} is taken by ${ruleLabel(sameName)}`);
    return problems;
  };
}

/** The problems of one rule document among the others, as the monitor would report them. */
export function ruleProblems(doc: Doc, config: RulesConfig, registry: Registry): string[] {
  return ruleChecker(config, registry)(doc);
}

/** `> 21.5 °C, for 300 s`: thresholds shown scaled with the key's unit when the key is known. */
export function condition(doc: Doc, keys: readonly Doc[] = []): string {
  const parts: string[] = [];
  const key = keys.find((k) => k.keyId === doc.keyId);
  const valueKey =
    key && typeof key.unit === 'string'
      ? { unit: key.unit, decimals: typeof key.decimals === 'number' ? key.decimals : 0 }
      : undefined;
  const text = (value: unknown): string =>
    typeof value === 'number'
      ? valueKey && Number.isInteger(value)
        ? formatValue(value, valueKey)
        : String(value)
      : JSON.stringify(value);
  if (doc.above !== undefined) parts.push(`> ${text(doc.above)}`);
  if (doc.below !== undefined) parts.push(`< ${text(doc.below)}`);
  if (doc.noDataSeconds !== undefined) parts.push(`no data ${text(doc.noDataSeconds)} s`);
  if (typeof doc.forSeconds === 'number' && doc.forSeconds > 0) parts.push(`for ${doc.forSeconds} s`);
  return parts.join(', ') || '-';
}

/**
 * The one rule document (with `_id`) named by `which` (an id or a name); CliNotFoundError
 * listing the rules when there is none, or when several share it.
 */
export async function findRule(context: CommandContext, db: Db, which: string): Promise<Document> {
  const filter = idOrNameFilter(which);
  const found = await databaseOperation('read the rules', () =>
    db.collection('rules').find(filter).toArray(),
  );
  if (found.length === 1) return found[0]!;
  const known = await idsAndNames(db, 'rules');
  if (found.length > 1)
    throw new CliNotFoundError(
      `${found.length} rules match ${JSON.stringify(which)} in ${context.namespace()}; fix the duplicates (raspimon rules list)`,
    );
  throw notFoundError('rule', which, context.namespace(), known);
}
