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
  /**
   * Longer cells are cut to this many characters, ending in `…`.
   * @default 80
   */
  maxWidth?: number;
}

/**
 * Characters a terminal acts on instead of showing: C0 controls (ESC starts the sequences
 * that set the title or clear the screen), DEL, C1 controls (U+009B is a CSI by itself) and
 * the bidirectional overrides and isolates, which reorder the text after them.
 */
// eslint-disable-next-line no-control-regex
const terminalUnsafe = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Text from the database made safe to print on a terminal: each control character shown
 * as an escape (`\u001b`, `\n`), never sent raw. Device names and key descriptions are
 * anyone's input.
 */
export function terminalSafe(text: string): string {
  return text.replace(terminalUnsafe, (c) =>
    c === '\n' ? '\\n' : c === '\t' ? '\\t' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/**
 * What a command prints, made terminal-safe line by line: control characters other than
 * the newline and tab are shown escaped (in JSON output an escape inside a string means the
 * same character, so the JSON is unchanged). The CLI prints nothing else raw.
 */
export function printable(text: string): string {
  return text.replace(terminalUnsafe, (c) =>
    c === '\n' || c === '\t' ? c : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** `text` made terminal-safe and cut to `maxWidth` characters (`…` ends a cut one). */
export function displayText(text: string, maxWidth: number): string {
  // Cut first: a 120 kB name is not escaped whole only to be thrown away.
  const head = text.length > maxWidth * 8 ? text.slice(0, maxWidth * 8) : text;
  const safe = terminalSafe(head);
  if (safe.length <= maxWidth && head === text) return safe;
  let cut = safe.slice(0, Math.max(0, maxWidth - 1));
  if (/[\ud800-\udbff]$/.test(cut)) cut = cut.slice(0, -1); // never half a surrogate pair
  return `${cut}…`;
}

/**
 * Rows as an aligned plain-text table with a header line; `empty` when there are none.
 * Cells are terminal-safe and at most each column's `maxWidth` wide.
 */
export function formatTable<T>(rows: readonly T[], columns: ReadonlyArray<Column<T>>, empty: string): string {
  if (rows.length === 0) return `${empty}\n`;
  const cells = rows.map((row) => columns.map((c) => displayText(c.value(row), c.maxWidth ?? 80)));
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
  return typeof name === 'string'
    ? `device ${String(id)} ${displayText(JSON.stringify(name), 80)}`
    : `device ${String(id)}`;
}
