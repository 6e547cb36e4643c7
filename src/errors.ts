// Every error raspimon throws carries this brand, so `instanceof RaspimonError` also
// holds for the argument errors, which must extend RangeError/TypeError (DESIGN §1).
const brand = Symbol.for('raspimon.error');

/** Names an error after its class and marks it as raspimon's (one place for all three bases). */
function brandError(error: Error, name: string): void {
  error.name = name;
  Object.defineProperty(error, brand, { value: true });
}

function isBranded(value: unknown): boolean {
  return typeof value === 'object' && value !== null && brand in value;
}

/**
 * Base class of every error raspimon throws. `code` is stable across versions (see
 * the error table in the README); the message says what was wrong and what to do.
 * `instanceof RaspimonError` is also true for {@link RaspimonTypeError} and
 * {@link RaspimonRangeError}, which extend the built-in `TypeError`/`RangeError`.
 *
 * @example
 * ```ts
 * try {
 *   getDeviceNamespace();
 * } catch (e) {
 *   if (e instanceof RaspimonError) console.error(e.code, e.message);
 * }
 * ```
 */
export class RaspimonError extends Error {
  /** Stable machine-readable code, e.g. `'ERR_DEVICE_IDENTITY'`. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    brandError(this, new.target.name);
  }

  /**
   * `instanceof RaspimonError` is true for every raspimon error (checked by brand, so
   * also across copies of the package); subclasses use the ordinary prototype check.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    // Only the base class matches by brand; subclasses keep the ordinary prototype check.
    if (this === RaspimonError) return isBranded(value);
    return Function.prototype[Symbol.hasInstance].call(this, value);
  }
}

/**
 * A value of the wrong type was passed (e.g. a job that is not a function).
 * Thrown at the call, never later. `instanceof TypeError` and `instanceof RaspimonError`.
 */
export class RaspimonTypeError extends TypeError {
  /** Stable machine-readable code, e.g. `'ERR_INVALID_ARG_TYPE'`. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    brandError(this, new.target.name);
  }
}

/**
 * A value out of its allowed range was passed (NaN, ≤ 0, Infinity, a bad cron pattern).
 * Thrown at the call, never later. `instanceof RangeError` and `instanceof RaspimonError`.
 */
export class RaspimonRangeError extends RangeError {
  /** Stable machine-readable code, e.g. `'ERR_OUT_OF_RANGE'`. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    brandError(this, new.target.name);
  }
}
