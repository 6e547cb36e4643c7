// Decimals and units: round(reading × 10^decimals) into storage, stored ÷ 10^decimals with the
// unit out to a person. Pure functions, checked directly.
import { describe, expect, it } from 'vitest';
import { storedValue } from '../../../src/monitor/intake/scale.js';
import { formatNumber, formatValue, shownValue } from '../../../src/monitor/status/format-value.js';

describe('storedValue', () => {
  it('stores round(reading × 10^decimals) exactly, for decimals, signs and exponents', () => {
    expect(storedValue(21.5, 1)).toBe(215);
    expect(storedValue(40.2, 1)).toBe(402);
    expect(storedValue(-18.5, 1)).toBe(-185);
    expect(storedValue(1.005, 2)).toBe(101);
    expect(storedValue(2.15e1, 1)).toBe(215);
    expect(storedValue(1e-7, 9)).toBe(100);
    expect(storedValue(21.5, 0)).toBe(22);
    expect(storedValue(-0.01, 1)).toBe(0);
    expect(Object.is(storedValue(-0.01, 1), -0)).toBe(false);
    expect(storedValue(-18500, 0)).toBe(-18500);
  });

  it('refuses what is not finite or not a safe integer once scaled', () => {
    expect(storedValue(Number.NaN, 0)).toBe('not-finite');
    expect(storedValue(Number.POSITIVE_INFINITY, 1)).toBe('not-finite');
    expect(storedValue('21.5', 1)).toBe('not-finite');
    expect(storedValue(2 ** 60, 0)).toBe('not-safe');
    expect(storedValue(1e10, 9)).toBe('not-safe');
    expect(storedValue(2 ** 40, 0)).toBe(2 ** 40);
  });
});

describe('formatValue', () => {
  const c1 = { unit: '°C', decimals: 1 };
  it('shows stored ÷ 10^decimals with the unit', () => {
    expect(formatValue(215, c1)).toBe('21.5 °C');
    expect(formatValue(-185, c1)).toBe('-18.5 °C');
    expect(formatValue(-5, c1)).toBe('-0.5 °C');
    expect(formatValue(0, c1)).toBe('0.0 °C');
    expect(formatValue(402, { unit: '%', decimals: 1 })).toBe('40.2 %');
    expect(formatValue(101325, { unit: 'hPa', decimals: 2 })).toBe('1013.25 hPa');
    expect(formatValue(7, { unit: '', decimals: 3 })).toBe('0.007');
  });

  it('keeps a key without decimals exactly as before', () => {
    expect(formatValue(-18500, { unit: 'mC' })).toBe('-18500 mC');
    expect(formatValue(-18500, { unit: 'mC', decimals: 0 })).toBe('-18500 mC');
    expect(formatValue(3, undefined)).toBe('3');
  });

  it('shows averages with one more decimal, and the shown number is the stored one scaled', () => {
    expect(formatNumber(215.3, c1)).toBe('21.53');
    expect(formatNumber(215, c1)).toBe('21.5');
    expect(formatNumber(21.333333, { unit: 'mC' })).toBe('21.3');
    expect(shownValue(215, c1)).toBe(21.5);
    expect(shownValue(-185, c1)).toBe(-18.5);
    expect(shownValue(3, { unit: 'x', decimals: 1 })).toBe(0.3);
  });
});
