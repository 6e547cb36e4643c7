// Argument checks shared by the Scheduler's methods: each throws at the call, with the
// option or argument name, the value and its type (DESIGN §1: never later).
import { RaspimonRangeError, RaspimonTypeError } from '../errors.js';
import { describeValue } from '../internal/index.js';

/** Delays beyond this are refused: about 285,000 years, far past any useful schedule. */
const MAX_SECONDS = 2 ** 53 / 1000 / 1000;
/**
 * Epoch seconds beyond this (the year 5138) are refused as plainly milliseconds: today
 * in ms is about 1.8e12, which read as seconds is the year 58,000 or so.
 */
const MAX_EPOCH_SECONDS = 1e11;

/** A positive, finite number of seconds (fractions allowed). */
export function checkSeconds(where: string, name: string, value: unknown): number {
  if (typeof value !== 'number') {
    throw new RaspimonTypeError(
      'ERR_INVALID_ARG_TYPE',
      `${where}: ${name} must be a number of seconds, got ${describeValue(value)}.`,
    );
  }
  if (!(value > 0) || !(value <= MAX_SECONDS)) {
    throw new RaspimonRangeError(
      'ERR_OUT_OF_RANGE',
      `${where}: ${name} must be a finite number of seconds > 0 and at most 9e9 (fractions allowed, e.g. 0.25), got ${describeValue(value)}.`,
    );
  }
  return value;
}

export function checkFunction(where: string, value: unknown): void {
  if (typeof value !== 'function') {
    throw new RaspimonTypeError(
      'ERR_INVALID_ARG_TYPE',
      `${where}: the job must be a function, got ${describeValue(value)}.`,
    );
  }
}

/**
 * A Date or epoch seconds, returned as epoch ms. A number above 1e11 (or below −1e11) is
 * refused as milliseconds: `onceWhen(Date.now() + 5000)` would otherwise wait until the
 * year 58,000 or so without a word.
 */
export function checkWhen(where: string, value: unknown): number {
  let ms: number;
  if (value instanceof Date) ms = value.getTime();
  else if (typeof value === 'number') {
    if (Number.isFinite(value) && Math.abs(value) > MAX_EPOCH_SECONDS) {
      throw new RaspimonRangeError(
        'ERR_OUT_OF_RANGE',
        `${where}: ${value} looks like epoch milliseconds (as Date.now() gives), but a number here is epoch seconds (it would mean the year ${yearOf(value)}); pass seconds, e.g. Date.now() / 1000 + 5, or a Date, e.g. new Date(Date.now() + 5000).`,
      );
    }
    ms = value * 1000;
  } else {
    throw new RaspimonTypeError(
      'ERR_INVALID_ARG_TYPE',
      `${where}: the time must be a Date or epoch seconds (a number), got ${describeValue(value)}.`,
    );
  }
  if (!Number.isFinite(ms)) {
    throw new RaspimonRangeError(
      'ERR_OUT_OF_RANGE',
      `${where}: the time must be a valid Date or finite epoch seconds, got ${describeValue(value)}.`,
    );
  }
  return ms;
}

/** The year epoch `seconds` falls in (also past the range of a Date), for messages. */
function yearOf(seconds: number): number {
  return Math.floor(1970 + seconds / (365.2425 * 86_400));
}

export function checkString(where: string, name: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new RaspimonTypeError(
      'ERR_INVALID_ARG_TYPE',
      `${where}: ${name} must be a non-empty string, got ${describeValue(value)}.`,
    );
  }
  return value;
}

export function checkOptionsObject(where: string, value: unknown): void {
  if (value !== undefined && (typeof value !== 'object' || value === null || Array.isArray(value))) {
    throw new RaspimonTypeError(
      'ERR_INVALID_ARG_TYPE',
      `${where}: options must be an object, got ${describeValue(value)}.`,
    );
  }
}
