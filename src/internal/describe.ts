// How values and errors appear in messages, the same way in every part.

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (value instanceof Date) return 'Date';
  return typeof value;
}

/**
 * A value and its type for an error message: `"abc" (string)`, `-1 (number)`,
 * `{"a":1} (object)`, `2026-01-01T00:00:00.000Z (Date)`. Long text is cut at 60 characters.
 */
export function describeValue(value: unknown): string {
  if (typeof value === 'function') return 'a function';
  let text: string;
  if (value instanceof Date) {
    text = Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  } else if (
    typeof value === 'number' ||
    typeof value === 'bigint' ||
    typeof value === 'symbol' ||
    value === undefined
  ) {
    text = String(value);
  } else {
    try {
      text = JSON.stringify(value) ?? Object.prototype.toString.call(value);
    } catch {
      text = Object.prototype.toString.call(value);
    }
  }
  if (text.length > 60) text = text.slice(0, 57) + '...';
  return `${text} (${typeName(value)})`;
}

/** Name and message of anything thrown, on one line, for log lines. */
export function describeError(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.replace(/\s*\n\s*/g, ' ');
}
