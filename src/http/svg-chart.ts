// A line chart of one key's last 24 h as inline SVG, drawn on the server: no script, no
// remote font (a Pi in the field may be offline). Pure string building.
import type { ChartPoint } from '../monitor/status/summary.js';

/** Size and range of a chart. */
export interface ChartOptions {
  /** Width in px. */
  width: number;
  /** Height in px. */
  height: number;
  /** Start of the time axis, epoch seconds. */
  fromS: number;
  /** End of the time axis, epoch seconds. */
  toS: number;
  /** Unit shown beside the value labels. */
  unit: string;
  /** Accessible label. */
  title: string;
}

const pad = { left: 56, right: 8, top: 8, bottom: 18 };

/** Escapes text for HTML and SVG content and attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function label(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toPrecision(6).replace(/\.?0+$/, '');
}

/**
 * An `<svg>` with one polyline vertex per point (minute averages), a min–max band, the
 * value range on the left and the time range below. `data-points` holds the point count.
 */
export function renderChart(points: readonly ChartPoint[], options: ChartOptions): string {
  const { width, height, fromS, toS } = options;
  const innerW = width - pad.left - pad.right;
  const innerH = height - pad.top - pad.bottom;
  let low = Infinity;
  let high = -Infinity;
  for (const p of points) {
    if (p.min < low) low = p.min;
    if (p.max > high) high = p.max;
  }
  if (points.length === 0) {
    low = 0;
    high = 1;
  } else if (low === high) {
    low -= 1;
    high += 1;
  }
  const x = (t: number): string => (pad.left + ((t - fromS) / Math.max(1, toS - fromS)) * innerW).toFixed(1);
  const y = (v: number): string => (pad.top + (1 - (v - low) / (high - low)) * innerH).toFixed(1);
  const line = points.map((p) => `${x(p.t)},${y(p.avg)}`).join(' ');
  const unit = options.unit ? ` ${escapeHtml(options.unit)}` : '';
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(options.title)}" data-points="${points.length}">`,
    `<rect x="${pad.left}" y="${pad.top}" width="${innerW}" height="${innerH}" class="frame"/>`,
    `<text x="${pad.left - 4}" y="${pad.top + 10}" text-anchor="end">${escapeHtml(label(high))}${unit}</text>`,
    `<text x="${pad.left - 4}" y="${pad.top + innerH}" text-anchor="end">${escapeHtml(label(low))}${unit}</text>`,
    `<text x="${pad.left}" y="${height - 4}">−24 h</text>`,
    `<text x="${width - pad.right}" y="${height - 4}" text-anchor="end">now</text>`,
  ];
  if (points.length === 0)
    parts.push(
      `<text x="${pad.left + innerW / 2}" y="${pad.top + innerH / 2}" text-anchor="middle">no readings</text>`,
    );
  else parts.push(`<polyline class="series" fill="none" points="${line}"/>`);
  parts.push('</svg>');
  return parts.join('');
}
