// A chart of bucket averages for a terminal: `height` rows of block characters, one column
// per bucket, the value range on the left and the time range below. Pure.

/** One column: its mean, or undefined for a bucket without readings. */
export type Column = number | undefined;

const blocks = [' ', '▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

function label(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toPrecision(6).replace(/\.?0+$/, '');
}

/** Renders the columns; `unit` follows the value labels, `from`/`to` label the time axis. */
export function renderTerminalChart(
  columns: readonly Column[],
  options: { height: number; unit: string; from: Date; to: Date; format?: (value: number) => string },
): string {
  const values = columns.filter((c): c is number => c !== undefined);
  if (values.length === 0)
    return `(no readings between ${options.from.toISOString()} and ${options.to.toISOString()})\n`;
  let low = Math.min(...values);
  let high = Math.max(...values);
  if (low === high) {
    low -= 1;
    high += 1;
  }
  const unit = options.unit ? ` ${options.unit}` : '';
  const show = options.format ?? ((v: number): string => label(v) + unit);
  const top = show(high);
  const bottom = show(low);
  const pad = Math.max(top.length, bottom.length);
  const steps = options.height * 8;
  const lines: string[] = [];
  for (let row = options.height - 1; row >= 0; row--) {
    let line = '';
    for (const c of columns) {
      if (c === undefined) {
        line += ' ';
        continue;
      }
      // Eighths of a row filled up to this column's value (at least one eighth: visible).
      const filled = Math.max(1, Math.round(((c - low) / (high - low)) * steps)) - row * 8;
      line += blocks[Math.max(0, Math.min(8, filled))];
    }
    const axis = row === options.height - 1 ? top : row === 0 ? bottom : '';
    lines.push(`${axis.padStart(pad)} │${line}`);
  }
  lines.push(`${' '.repeat(pad)} └${'─'.repeat(columns.length)}`);
  const from = options.from.toISOString().slice(0, 16).replace('T', ' ');
  const to = options.to.toISOString().slice(0, 16).replace('T', ' ');
  const gap = Math.max(1, columns.length + 1 - from.length - to.length);
  lines.push(`${' '.repeat(pad + 1)}${from}${' '.repeat(gap)}${to} UTC`);
  return lines.join('\n') + '\n';
}
