// A driver's plain number to the stored integer: round(reading × 10^decimals). Pure.

/** Why a reading cannot be stored, or undefined when it can. */
export type ScaleRefusal = 'not-finite' | 'not-safe';

/**
 * The stored integer of a reading for a key with `decimals` (0..9): round(reading ×
 * 10^decimals), via the decimal string so 21.5 with 1 decimal is exactly 215 (and 1.005
 * with 2 is 101). Returns a {@link ScaleRefusal} for a value that is not a finite number or
 * whose stored value is not a safe integer.
 *
 * @example
 * ```ts
 * storedValue(21.5, 1)   // 215
 * storedValue(-18.5, 1)  // -185
 * storedValue(NaN, 0)    // 'not-finite'
 * ```
 */
export function storedValue(reading: unknown, decimals: number): number | ScaleRefusal {
  if (typeof reading !== 'number' || !Number.isFinite(reading)) return 'not-finite';
  let scaled: number;
  if (decimals === 0) scaled = reading;
  else {
    const text = String(reading);
    scaled = text.includes('e') ? reading * 10 ** decimals : Number(`${text}e${decimals}`);
  }
  const stored = Math.round(scaled);
  if (!Number.isSafeInteger(stored)) return 'not-safe';
  return stored === 0 ? 0 : stored; // no -0
}
