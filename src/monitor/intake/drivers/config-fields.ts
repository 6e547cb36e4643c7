// Small checks shared by the built-in drivers' config validation.
import { showValue } from '../../config/validate.js';
import type { DriverConfigProblem } from '../../types.js';

export function checkKeyId(
  value: unknown,
  field: string,
  problems: DriverConfigProblem[],
): number | undefined {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  problems.push({ field, message: `must be a keyId (non-negative integer), got ${showValue(value)}` });
  return undefined;
}

export function checkNumber(
  value: unknown,
  fallback: number,
  field: string,
  problems: DriverConfigProblem[],
): number {
  if (value === undefined) return fallback;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  problems.push({ field, message: `must be a finite number, got ${showValue(value)}` });
  return fallback;
}

export function checkString(
  value: unknown,
  field: string,
  problems: DriverConfigProblem[],
  required: boolean,
): string | undefined {
  if (value === undefined && !required) return undefined;
  if (typeof value === 'string' && value !== '') return value;
  problems.push({
    field,
    message: `must be a non-empty string${required ? '' : ' when present'}, got ${showValue(value)}`,
  });
  return undefined;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function unknownFields(
  config: Record<string, unknown>,
  known: readonly string[],
  problems: DriverConfigProblem[],
): void {
  for (const field of Object.keys(config)) {
    if (!known.includes(field))
      problems.push({
        field: `config.${field}`,
        message: `is not a known option; known: ${known.join(', ')}`,
      });
  }
}
