// The one place a stored integer becomes what a person reads: stored ÷ 10^decimals with the
// key's unit ("21.5 °C"). The status page, /api/summary, /metrics, the CLI, rule texts and
// the readings digest all go through here. Pure.

/** What formatting needs of a key: its unit and decimals (a `KeySpec` fits). */
export interface ValueKey {
  /** The unit shown after the value, e.g. `'°C'`; `''` for none. */
  unit: string;
  /**
   * Stored value = round(reading × 10^decimals).
   * @default 0
   */
  decimals?: number;
}

function decimalsOf(key: ValueKey | undefined): number {
  const d = key?.decimals;
  return typeof d === 'number' && Number.isInteger(d) && d > 0 && d <= 9 ? d : 0;
}

/**
 * The shown number of a stored value: `stored ÷ 10^decimals` (215 → 21.5 for 1 decimal).
 *
 * @example
 * ```ts
 * shownValue(-185, { unit: '°C', decimals: 1 }) // -18.5
 * ```
 */
export function shownValue(stored: number, key: ValueKey | undefined): number {
  const d = decimalsOf(key);
  if (d === 0) return stored;
  // Through the decimal string, so 215 → 21.5 exactly (215 / 10 is exact, 3 / 10 is not).
  return Number.isInteger(stored) ? Number(`${stored}e-${d}`) : stored / 10 ** d;
}

/**
 * The number text of a stored value, without unit: integers exactly (`-185` → `-18.5`, `0` →
 * `0.0` for 1 decimal), non-integers (averages) with one more decimal, trailing zeros cut.
 */
export function formatNumber(stored: number, key: ValueKey | undefined): string {
  const d = decimalsOf(key);
  if (!Number.isFinite(stored)) return String(stored);
  if (Number.isInteger(stored)) {
    if (d === 0) return String(stored);
    const negative = stored < 0;
    const digits = String(Math.abs(stored)).padStart(d + 1, '0');
    return `${negative ? '-' : ''}${digits.slice(0, -d)}.${digits.slice(-d)}`;
  }
  const text = (stored / 10 ** d).toFixed(d + 1);
  return text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
}

/**
 * A stored value as a person reads it: the shown number and the key's unit.
 *
 * @example
 * ```ts
 * formatValue(215, { unit: '°C', decimals: 1 })  // '21.5 °C'
 * formatValue(-18500, { unit: 'mC' })            // '-18500 mC' (a key without decimals, as before)
 * ```
 */
export function formatValue(stored: number, key: ValueKey | undefined): string {
  const unit = key?.unit ?? '';
  const text = formatNumber(stored, key);
  return unit === '' ? text : unit === '%' ? `${text} %` : `${text} ${unit}`;
}
