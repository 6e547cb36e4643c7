// Option and argument checks shared by the parts. Each takes the label the message should
// name (`options.flushSeconds`, `--flush-seconds`), so the API and the CLI word errors alike.
import { RaspimonRangeError, RaspimonTypeError } from '../errors.js';
import { describeValue } from './describe.js';

/** What a number option must be. */
export interface PositiveCheck {
  /** Returned when the value is `undefined`; omit to make the option required. */
  fallback?: number;
  /** Whole numbers only. @default false */
  integer?: boolean;
  /** Accept 0 as well. @default false */
  allowZero?: boolean;
  /** Unit named in the message, e.g. `'seconds'`, `'bytes'`. */
  unit?: string;
}

/**
 * A positive finite number (or integer, or ≥ 0 with `allowZero`); `fallback` when undefined.
 * Throws `RaspimonTypeError` (`ERR_INVALID_ARG_TYPE`) for a non-number and
 * `RaspimonRangeError` (`ERR_OUT_OF_RANGE`) for NaN, Infinity or out of range.
 */
export function checkPositive(label: string, value: unknown, check: PositiveCheck = {}): number {
  if (value === undefined && check.fallback !== undefined) return check.fallback;
  const unit = check.unit ? ` of ${check.unit}` : '';
  if (typeof value !== 'number') {
    throw new RaspimonTypeError(
      'ERR_INVALID_ARG_TYPE',
      `${label} must be a number${unit}, got ${describeValue(value)}`,
    );
  }
  const lowOk = check.allowZero ? value >= 0 : value > 0;
  if (!Number.isFinite(value) || !lowOk || (check.integer && !Number.isInteger(value))) {
    const what = `${check.allowZero ? 'non-negative' : 'positive'} ${check.integer ? 'integer' : 'finite number'}`;
    throw new RaspimonRangeError('ERR_OUT_OF_RANGE', `${label} must be a ${what}${unit}, got ${value}`);
  }
  return value;
}

/** A non-empty string; `fallback` when undefined (omit it to make the option required). */
export function checkText(label: string, value: unknown, fallback?: string): string {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'string' || value.length === 0) {
    throw new RaspimonTypeError(
      'ERR_INVALID_ARG_TYPE',
      `${label} must be a non-empty string, got ${describeValue(value)}`,
    );
  }
  return value;
}

/** A boolean; `fallback` when undefined. */
export function checkBoolean(label: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') {
    throw new RaspimonTypeError(
      'ERR_INVALID_ARG_TYPE',
      `${label} must be true or false, got ${describeValue(value)}`,
    );
  }
  return value;
}

/** An object that is not null, not an array and not a class instance other than Object. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** True for promises and anything else with a callable `then`. */
export function isThenable<T = unknown>(value: unknown): value is PromiseLike<T> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
