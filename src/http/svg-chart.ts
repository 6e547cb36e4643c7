// A line chart of one key as inline SVG, drawn on the server: no script, no remote font (a
// Pi in the field may be offline). Value labels are measured before the plot is placed, so
// they are never clipped (negative values included); time ticks are in the page's time zone;
// an outage leaves a gap; the latest value is marked; firing thresholds are dashed. Pure.
import type { ChartPoint } from '../monitor/status/summary.js';

/** A dashed horizontal line: a firing rule's threshold. */
export interface ChartThreshold {
  /** The threshold, scaled like the points. */
  value: number;
  /** Label drawn beside it, e.g. `'above -15.0 °C'`. */
  label: string;
}

/** Size, range and labels of a chart. */
export interface ChartOptions {
  /** Width in px (the SVG scales down to its container). */
  width: number;
  /** Height in px. */
  height: number;
  /** Start of the time axis, epoch seconds. */
  fromS: number;
  /** End of the time axis, epoch seconds. */
  toS: number;
  /** Seconds per point (the bucket size): two points further apart than a few buckets leave a gap. */
  bucketSeconds: number;
  /** Formats a value (scaled) as a label, with the unit, e.g. `'-18.5 °C'`. */
  label(value: number): string;
  /** IANA time zone of the time ticks. */
  timeZone: string;
  /** Accessible label. */
  title: string;
  /** The latest reading, marked (else the last point is). @default the last point */
  latest?: { t: number; value: number; text: string };
  /** Smallest step between value ticks, e.g. 0.1 for a key of 1 decimal. @default none */
  valueStep?: number;
  /** Firing thresholds to draw. @default none */
  thresholds?: readonly ChartThreshold[];
}

/** Escapes text for HTML and SVG content and attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

// Glyph width of the labels at their largest (14 user units on a phone, see page.ts): margins
// sized for it are never clipped, at either size.
const charPx = 8.4;
const minuteS = 60;
const hourS = 3600;
const tickSteps = [
  5 * minuteS,
  10 * minuteS,
  15 * minuteS,
  30 * minuteS,
  hourS,
  2 * hourS,
  3 * hourS,
  6 * hourS,
  12 * hourS,
  24 * hourS,
  48 * hourS,
];

/** Round value ticks covering [low, high]: about four, at 1/2/5 × 10^n. */
function valueTicks(
  low: number,
  high: number,
  minStep: number,
): { low: number; high: number; ticks: number[] } {
  const raw = Math.max((high - low) / 4, minStep);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const first = Math.floor(low / step) * step;
  const last = Math.ceil(high / step) * step;
  const ticks: number[] = [];
  for (let v = first; v <= last + step / 2; v += step) ticks.push(Number(v.toPrecision(12)));
  return { low: first, high: last, ticks };
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string, days: boolean): Intl.DateTimeFormat {
  const key = `${timeZone}|${days}`;
  let format = formatters.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      hourCycle: 'h23',
      ...(days ? { weekday: 'short', day: 'numeric' } : { hour: '2-digit', minute: '2-digit' }),
    });
    formatters.set(key, format);
  }
  return format;
}

/** Seconds the zone is ahead of UTC at `epochS` (for ticks at local round times). */
function zoneOffsetS(timeZone: string, epochS: number): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(new Date(epochS * 1000));
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const local = Date.UTC(
    get('year'),
    get('month') - 1,
    get('day'),
    get('hour'),
    get('minute'),
    get('second'),
  );
  return Math.round(local / 1000 - epochS);
}

const offsets = new Map<string, number>();

/** Time ticks at local round times, about six over the range. */
function timeTicks(fromS: number, toS: number, timeZone: string): Array<{ t: number; text: string }> {
  const span = toS - fromS;
  const step = tickSteps.find((s) => span / s <= 7) ?? tickSteps.at(-1)!;
  // The offset changes at most twice a year: cache it per zone and hour of the range's middle.
  const at = Math.floor((fromS + span / 2) / hourS);
  const cacheKey = `${timeZone}|${at}`;
  let offset = offsets.get(cacheKey);
  if (offset === undefined) {
    offset = zoneOffsetS(timeZone, at * hourS);
    if (offsets.size > 1000) offsets.clear();
    offsets.set(cacheKey, offset);
  }
  const days = step >= 24 * hourS;
  const format = formatter(timeZone, days);
  const ticks: Array<{ t: number; text: string }> = [];
  for (let local = Math.ceil((fromS + offset) / step) * step; local - offset <= toS; local += step) {
    const t = local - offset;
    ticks.push({ t, text: format.format(t * 1000) });
  }
  return ticks;
}

/** Indexes where a new segment starts: a gap longer than a few usual spacings. */
function segmentStarts(points: readonly ChartPoint[], bucketSeconds: number): Set<number> {
  const gaps: number[] = [];
  for (let i = 1; i < points.length; i++) gaps.push(points[i]!.t - points[i - 1]!.t);
  const sorted = [...gaps].sort((a, b) => a - b);
  const usual = sorted.length > 0 ? sorted[Math.floor(sorted.length / 2)]! : bucketSeconds;
  const limit = Math.max(2.5 * bucketSeconds, 3 * usual);
  const starts = new Set<number>([0]);
  gaps.forEach((gap, i) => {
    if (gap > limit) starts.add(i + 1);
  });
  return starts;
}

/**
 * An `<svg>` of the points (one vertex per bucket mean): value ticks on the left, time ticks
 * below, a gap where there were no readings, the latest value marked, firing thresholds
 * dashed. `data-points` holds the point count; every point is a polyline vertex or, alone
 * between gaps, a dot.
 */
export function renderChart(points: readonly ChartPoint[], options: ChartOptions): string {
  const { width, height, fromS, toS } = options;
  const e = escapeHtml;
  let low = Infinity;
  let high = -Infinity;
  for (const p of points) {
    if (p.avg < low) low = p.avg;
    if (p.avg > high) high = p.avg;
  }
  if (options.latest && points.length > 0) {
    low = Math.min(low, options.latest.value);
    high = Math.max(high, options.latest.value);
  }
  for (const th of options.thresholds ?? []) {
    low = Math.min(low, th.value);
    high = Math.max(high, th.value);
  }
  if (low === Infinity) {
    low = 0;
    high = 1;
  } else if (low === high) {
    const room = Math.abs(low) > 0 ? Math.abs(low) * 0.05 : 1;
    low -= room;
    high += room;
  }
  const scale = valueTicks(low, high, options.valueStep ?? 0);
  const labels = scale.ticks.map((v) => options.label(v));
  // The left margin fits the longest label (with its minus sign), so nothing is clipped.
  const left = Math.ceil(Math.max(...labels.map((l) => l.length)) * charPx) + 10;
  const pad = { left, right: 10, top: 8, bottom: 20 };
  const innerW = Math.max(10, width - pad.left - pad.right);
  const innerH = height - pad.top - pad.bottom;
  const xOf = (t: number): number => pad.left + ((t - fromS) / Math.max(1, toS - fromS)) * innerW;
  const yOf = (v: number): number => pad.top + (1 - (v - scale.low) / (scale.high - scale.low)) * innerH;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 ${width} ${height}" role="img" aria-label="${e(options.title)}" data-points="${points.length}">`,
    `<rect x="${pad.left}" y="${pad.top}" width="${innerW}" height="${innerH}" class="frame"/>`,
  ];
  scale.ticks.forEach((v, i) => {
    const y = yOf(v).toFixed(1);
    parts.push(
      `<line class="grid" x1="${pad.left}" x2="${pad.left + innerW}" y1="${y}" y2="${y}"/>`,
      `<text class="y" x="${pad.left - 4}" y="${(yOf(v) + 4).toFixed(1)}" text-anchor="end">${e(labels[i]!)}</text>`,
    );
  });
  for (const tick of timeTicks(fromS, toS, options.timeZone)) {
    const x = xOf(tick.t);
    // A label too close to an edge would be cut: its tick line stays, its text goes.
    const half = tick.text.length * charPx * 0.5;
    parts.push(
      `<line class="tick" x1="${x.toFixed(1)}" x2="${x.toFixed(1)}" y1="${pad.top}" y2="${pad.top + innerH + 3}"/>`,
    );
    if (x - half >= pad.left - 4 && x + half <= width - 2)
      parts.push(
        `<text class="x" x="${x.toFixed(1)}" y="${height - 5}" text-anchor="middle">${e(tick.text)}</text>`,
      );
  }
  for (const th of options.thresholds ?? []) {
    const y = yOf(th.value).toFixed(1);
    parts.push(
      `<line class="threshold" x1="${pad.left}" x2="${pad.left + innerW}" y1="${y}" y2="${y}"/>`,
      `<text class="threshold" x="${pad.left + innerW - 4}" y="${(yOf(th.value) - 3).toFixed(1)}" text-anchor="end">${e(th.label)}</text>`,
    );
  }
  if (points.length === 0)
    parts.push(
      `<text x="${pad.left + innerW / 2}" y="${pad.top + innerH / 2}" text-anchor="middle">no readings in this range</text>`,
    );
  else {
    const starts = segmentStarts(points, options.bucketSeconds);
    let segment: string[] = [];
    const flush = (): void => {
      if (segment.length === 1) {
        const [x, y] = segment[0]!.split(',');
        parts.push(`<circle class="dot" cx="${x}" cy="${y}" r="1.8"/>`);
      } else if (segment.length > 1)
        parts.push(`<polyline class="series" fill="none" points="${segment.join(' ')}"/>`);
      segment = [];
    };
    points.forEach((p, i) => {
      if (starts.has(i)) flush();
      // Tenths of a pixel by rounding (toFixed is several times slower on a page of 30,000 points).
      segment.push(`${Math.round(xOf(p.t) * 10) / 10},${Math.round(yOf(p.avg) * 10) / 10}`);
    });
    flush();
    const last = points.at(-1)!;
    const marked =
      options.latest && options.latest.t >= last.t
        ? options.latest
        : { t: last.t, value: last.avg, text: options.label(last.avg) };
    const x = xOf(Math.min(toS, Math.max(fromS, marked.t)));
    const y = yOf(Math.min(scale.high, Math.max(scale.low, marked.value)));
    const text = marked.text;
    const anchorEnd = x > pad.left + innerW / 2;
    parts.push(
      `<circle class="latest" cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="3"/>`,
      `<text class="latest" x="${(anchorEnd ? x - 6 : x + 6).toFixed(1)}" y="${(y < pad.top + 14 ? y + 14 : y - 6).toFixed(1)}" text-anchor="${anchorEnd ? 'end' : 'start'}">${e(text)}</text>`,
    );
  }
  parts.push('</svg>');
  return parts.join('');
}
