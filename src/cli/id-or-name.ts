// One device or rule named on the command line by its id (digits) or its name: the query,
// and the not-found error that lists what there is instead.
import type { Db } from 'mongodb';
import { databaseOperation } from './database.js';
import { CliNotFoundError } from './errors.js';

/**
 * The filter of `which`: `{ id }` when it is digits, else `{ name }`.
 *
 * @example
 * ```ts
 * idOrNameFilter('3'); // { id: 3 }
 * idOrNameFilter('boiler'); // { name: 'boiler' }
 * ```
 */
export function idOrNameFilter(which: string): { id: number } | { name: string } {
  return /^\d+$/.test(which) ? { id: Number(which) } : { name: which };
}

/** The id and name of every document of `collection` (`devices`, `rules`), in id order. */
export function idsAndNames(db: Db, collection: string): Promise<Array<Record<string, unknown>>> {
  return databaseOperation(`read the ${collection}`, () =>
    db
      .collection(collection)
      .find({}, { projection: { _id: 0, id: 1, name: 1 } })
      .sort({ id: 1 })
      .toArray(),
  );
}

/**
 * The error for no `kind` named by `which` in `namespace`, listing the `known` ones.
 *
 * @example
 * ```ts
 * notFoundError('device', 'cellar', 'raspimon_x', [{ id: 3, name: 'boiler' }]).message;
 * // 'no device named "cellar" in raspimon_x; devices: 3 "boiler"'
 * ```
 */
export function notFoundError(
  kind: 'device' | 'rule',
  which: string,
  namespace: string,
  known: ReadonlyArray<Record<string, unknown>>,
): CliNotFoundError {
  const list = known.map((d) => `${String(d.id)} ${JSON.stringify(d.name)}`).join(', ');
  return new CliNotFoundError(
    `no ${kind} ${/^\d+$/.test(which) ? 'with id' : 'named'} ${JSON.stringify(which)} in ${namespace}; ${known.length > 0 ? `${kind}s: ${list}` : `it has no ${kind}s`}`,
  );
}
