// Formatting of what commands print: aligned tables for people, JSON for scripts. Pure.

/** Where a command prints; `process.stdout` in the binary, a buffer in tests. */
export interface TextSink {
  write(text: string): unknown;
}

/** One column of a table: its header and how a row shows in it. */
export interface Column<T> {
  header: string;
  value(row: T): string;
  /** Right-align (numbers). */
  right?: boolean;
}

/** Rows as an aligned plain-text table with a header line; `empty` when there are none. */
export function formatTable<T>(rows: readonly T[], columns: ReadonlyArray<Column<T>>, empty: string): string {
  if (rows.length === 0) return `${empty}\n`;
  const cells = rows.map((row) => columns.map((c) => c.value(row)));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((r) => r[i]!.length)));
  const line = (values: readonly string[]): string =>
    values
      .map((v, i) => (columns[i]!.right ? v.padStart(widths[i]!) : v.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.header)), ...cells.map(line)].join('\n') + '\n';
}

/** Pretty JSON with a final newline (lists, reports). */
export function formatJson(value: unknown): string {
  return JSON.stringify(value, null, 2) + '\n';
}

/** One JSON object per line (streams such as `readings tail --follow`). */
export function formatJsonLine(value: unknown): string {
  return JSON.stringify(value) + '\n';
}

/** Seconds as people read them: `10 s`, `0.5 s`. */
export function formatSeconds(seconds: number): string {
  return `${seconds} s`;
}

/** A device as named in messages: `device 3 "boiler"`. */
export function deviceLabel(id: unknown, name: unknown): string {
  return typeof name === 'string' ? `device ${String(id)} ${JSON.stringify(name)}` : `device ${String(id)}`;
}
