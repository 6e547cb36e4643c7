// Renders the demo's compact live table: one row per (device, key) with its latest value.

export interface TableRow {
  device: string;
  keyId: number;
  unit: string;
  value: number;
  ts: Date;
}

/** A fixed-width text table of the latest readings, with a one-line summary under it. */
export function renderTable(rows: readonly TableRow[], summary: string): string {
  const header = ['device', 'key', 'unit', 'value', 'at'];
  const body = rows.map((r) => [
    r.device,
    String(r.keyId),
    r.unit,
    String(r.value),
    r.ts.toISOString().slice(11, 19),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((cells) => cells[i]!.length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i === 3 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line), summary].join('\n');
}
