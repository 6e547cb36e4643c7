// The status page: one self-contained HTML document (inline CSS, inline SVG, no script).
// Values are shown scaled with their unit (format-value.ts), times as local time plus age.
import { zonedDateTimeFormat } from '../internal/index.js';
import { formatValue } from '../monitor/index.js';
import type { ChartPoint, DeviceStatus, KeySummary, MonitorSummary } from '../monitor/status/summary.js';
import { escapeHtml, renderChart, type ChartThreshold } from './svg-chart.js';

const style = `*{box-sizing:border-box}body{font:14px system-ui,sans-serif;margin:0 auto;padding:.8em;max-width:1100px;color:#222}
h1{font-size:1.35em;margin:.3em 0;overflow-wrap:anywhere}h2{font-size:1.1em;margin:1.2em 0 .3em;overflow-wrap:anywhere}
nav a{display:inline-block;padding:.2em .6em;margin:0 .2em .3em 0;border:1px solid #bbb;border-radius:4px;text-decoration:none;color:#1f5fbf}
nav a.on{background:#1f5fbf;color:#fff;border-color:#1f5fbf}
table{border-collapse:collapse;margin:.4em 0;width:100%}td,th{padding:.2em .5em;text-align:left;border-bottom:1px solid #ddd;vertical-align:top;overflow-wrap:break-word}
.ok{color:#17702e}.failing,.down,.ERROR,.ALERT{color:#b3261e;font-weight:600}.WARNING{color:#9a5b00;font-weight:600}.muted{color:#666}
.key{border-top:1px solid #eee;padding:.4em 0}.key .head{display:flex;flex-wrap:wrap;gap:.2em 1em;justify-content:space-between}
.latest b{font-size:1.15em}
svg.chart{display:block;width:100%;max-width:720px;height:auto}
svg.chart text{font:11px sans-serif;fill:#444}svg.chart .frame{fill:#fafafa;stroke:#ccc}
svg.chart .grid{stroke:#e6e6e6}svg.chart .tick{stroke:#ccc}
svg.chart .series{stroke:#1f5fbf;stroke-width:1.4}svg.chart .dot,svg.chart .latest{fill:#1f5fbf}
svg.chart text.latest{fill:#1f5fbf;font-weight:600}
svg.chart line.threshold{stroke:#b3261e;stroke-dasharray:5 4}svg.chart text.threshold{fill:#b3261e}
@media (max-width:600px){svg.chart text{font-size:14px}#rules tr{display:block;border-bottom:1px solid #ddd;padding:.3em 0}#rules tr:first-child{display:none}#rules td{display:inline;border:0;padding:0 .4em 0 0}}`;

/** The ranges the page links to, in hours. */
export const pageRanges: ReadonlyArray<{ hours: number; text: string }> = [
  { hours: 1, text: '1 h' },
  { hours: 6, text: '6 h' },
  { hours: 24, text: '24 h' },
  { hours: 168, text: '7 d' },
];

/** One key's chart: its points over the page's range (scaled). */
export interface KeyChart {
  /** The points, oldest first. */
  points: readonly ChartPoint[];
  /** Set when the history could not be read (the chart shows what memory had). */
  note?: string;
}

/** What the page needs besides the summary. */
export interface PageInput {
  /** The monitor's summary. */
  summary: MonitorSummary;
  /** Hours shown. */
  hours: number;
  /** Seconds per chart point. */
  bucketSeconds: number;
  /** The chart of each device key, by `${deviceId}:${keyId}`. */
  charts: ReadonlyMap<string, KeyChart>;
  /** IANA time zone of the times shown. */
  timeZone: string;
}

/** `12 s ago`, `5 min ago`, `3 h ago`, `2 d ago`. */
export function age(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} s ago`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 172_800) return `${Math.round(seconds / 3600)} h ago`;
  return `${Math.round(seconds / 86_400)} d ago`;
}

/** `2026-06-01 14:05:09` in the zone. */
function localTime(iso: string, timeZone: string): string {
  const format = zonedDateTimeFormat(timeZone);
  return format.format(Date.parse(iso));
}

/** The shown value of a (scaled) chart number as a label, with the key's unit. */
function chartLabel(key: KeySummary): (value: number) => string {
  const factor = 10 ** key.decimals;
  return (value) => {
    const stored = value * factor;
    const rounded = Math.round(stored);
    return formatValue(Math.abs(stored - rounded) < 1e-6 ? rounded : stored, key);
  };
}

/** The HTML status page. */
export function renderPage(input: PageInput): string {
  const { summary, hours, timeZone } = input;
  const nowMs = Date.parse(summary.generatedAt);
  const toS = Math.floor(nowMs / 60_000) * 60 + 60;
  const fromS = toS - hours * 3600;
  const e = escapeHtml;
  const when = (iso: string): string =>
    `<time datetime="${e(iso)}">${e(localTime(iso, timeZone))}</time> <span class="muted">(${age(Math.max(0, (nowMs - Date.parse(iso)) / 1000))})</span>`;
  const stats = summary.stats;
  const out: string[] = [
    '<!doctype html><html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta http-equiv="refresh" content="60"><link rel="icon" href="data:,">',
    `<title>raspimon — ${e(summary.namespace)}</title><style>${style}</style></head><body>`,
    `<h1>raspimon <span class="muted">${e(summary.namespace)}</span></h1>`,
    `<p>Monitor <b>${e(summary.state)}</b>; database <span class="${summary.databaseConnected ? 'ok' : 'down'}">${summary.databaseConnected ? 'connected' : 'unreachable'}</span>; `,
    `${String(stats.accepted ?? 0)} readings accepted, ${String(stats.written ?? 0)} stored, ${String(stats.spooled ?? 0)} spooled, ${String(stats.dropped ?? 0)} dropped. `,
    `<span class="muted">As of ${when(summary.generatedAt)}, times in ${e(timeZone)}.</span></p>`,
    `<nav aria-label="range">${pageRanges
      .map(
        (r) =>
          `<a href="?hours=${r.hours}"${r.hours === hours ? ' class="on" aria-current="page"' : ''}>${r.text}</a>`,
      )
      .join('')}</nav>`,
  ];
  out.push('<h2>Firing rules</h2>');
  if (summary.rules.length === 0) out.push('<p class="muted" id="rules">none</p>');
  else {
    out.push(
      '<table id="rules"><tr><th>rule</th><th>device</th><th>level</th><th>why</th><th>since</th></tr>',
    );
    for (const rule of summary.rules) {
      const text = (v: unknown): string => e(typeof v === 'string' || typeof v === 'number' ? String(v) : '');
      const since = typeof rule.since === 'string' ? when(rule.since) : '';
      out.push(
        `<tr class="rule"><td>${text(rule.name ?? rule.id)}</td><td>${text(rule.device ?? rule.deviceId)}</td><td class="${text(rule.level)}">${text(rule.level)}</td><td>${text(rule.text)}</td><td>${since}</td></tr>`,
      );
    }
    out.push('</table>');
  }
  if (summary.devices.length === 0) out.push('<p class="muted">No device is running.</p>');
  for (const device of summary.devices) {
    const status: DeviceStatus = device.status;
    out.push(
      `<section class="device" data-device-id="${device.id}"><h2>${e(device.name)} <span class="muted">#${device.id} · ${e(device.driver)}</span> <span class="status ${status}">${status}</span></h2>`,
    );
    if (device.description) out.push(`<p>${e(device.description)}</p>`);
    if (device.lastError)
      out.push(
        `<p class="failing">Last error (${e(device.lastError.stage)}, ${when(device.lastError.at)}): ${e(device.lastError.message)}; ${device.errors} error(s) so far</p>`,
      );
    for (const key of device.keys) {
      const latest = key.latest
        ? `<span class="latest"><b>${e(key.latest.text)}</b> at ${when(key.latest.ts)}</span>`
        : '<span class="muted">no reading yet</span>';
      const chart = input.charts.get(`${device.id}:${key.keyId}`) ?? { points: key.chart };
      const thresholds: ChartThreshold[] = [];
      for (const rule of summary.rules)
        if (
          rule.deviceId === device.id &&
          rule.keyId === key.keyId &&
          rule.cause !== 'noData' &&
          typeof rule.threshold === 'number'
        )
          thresholds.push({
            value: rule.threshold,
            label: `${String(rule.name)}: ${String(rule.cause)} ${formatValue(Math.round(rule.threshold * 10 ** key.decimals), key)}`,
          });
      const title = `${device.name} key ${key.keyId}${key.description ? ` (${key.description})` : ''}, last ${hours} h`;
      out.push(
        `<div class="key" data-key-id="${key.keyId}"><div class="head"><span>key ${key.keyId}${key.description ? ` <span class="muted">${e(key.description)}</span>` : ''}${key.unit ? ` <span class="muted">(${e(key.unit)})</span>` : ''}</span>${latest}</div>`,
        renderChart(chart.points, {
          width: 480,
          height: 150,
          fromS,
          toS,
          bucketSeconds: input.bucketSeconds,
          label: chartLabel(key),
          valueStep: 10 ** -key.decimals,
          latest: key.latest
            ? { t: Date.parse(key.latest.ts) / 1000, value: key.latest.value, text: key.latest.text }
            : undefined,
          timeZone,
          title,
          thresholds,
        }),
        chart.note ? `<p class="muted">${e(chart.note)}</p>` : '',
        '</div>',
      );
    }
    out.push('</section>');
  }
  out.push('</body></html>');
  return out.join('\n');
}
