// The status page: one self-contained HTML document (inline CSS, inline SVG, no script).
import type { MonitorSummary } from '../monitor/index.js';
import { escapeHtml, renderChart } from './svg-chart.js';

const style = `body{font:14px system-ui,sans-serif;margin:1.5em;color:#222}
h1{font-size:1.4em}h2{font-size:1.15em;margin:1.4em 0 .3em}
table{border-collapse:collapse;margin:.4em 0}td,th{padding:.2em .6em;text-align:left;border-bottom:1px solid #ddd;vertical-align:top}
.ok{color:#17702e}.failing,.down{color:#b3261e;font-weight:600}.muted{color:#777}
svg.chart text{font:11px sans-serif;fill:#555}svg.chart .frame{fill:#fafafa;stroke:#ccc}
svg.chart .series{stroke:#1f5fbf;stroke-width:1.2}`;

function age(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} s ago`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 172_800) return `${Math.round(seconds / 3600)} h ago`;
  return `${Math.round(seconds / 86_400)} d ago`;
}

/** The HTML status page of a summary. */
export function renderPage(summary: MonitorSummary): string {
  const toS = Math.floor(Date.parse(summary.generatedAt) / 60_000) * 60 + 60;
  const fromS = toS - 86_400;
  const e = escapeHtml;
  const stats = summary.stats;
  const out: string[] = [
    '<!doctype html><html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta http-equiv="refresh" content="60"><link rel="icon" href="data:,">',
    `<title>raspimon — ${e(summary.namespace)}</title><style>${style}</style></head><body>`,
    `<h1>raspimon <span class="muted">${e(summary.namespace)}</span></h1>`,
    `<p>Monitor <b>${e(summary.state)}</b>; database <span class="${summary.databaseConnected ? 'ok' : 'down'}">${summary.databaseConnected ? 'connected' : 'unreachable'}</span>; `,
    `${String(stats.accepted ?? 0)} readings accepted, ${String(stats.written ?? 0)} stored, ${String(stats.spooled ?? 0)} spooled, ${String(stats.dropped ?? 0)} dropped. `,
    `<span class="muted">As of ${e(summary.generatedAt)}.</span></p>`,
  ];
  out.push('<h2>Firing rules</h2>');
  if (summary.rules.length === 0) out.push('<p class="muted" id="rules">none</p>');
  else {
    out.push(
      '<table id="rules"><tr><th>rule</th><th>device</th><th>level</th><th>why</th><th>since</th></tr>',
    );
    for (const rule of summary.rules) {
      const { id, name, device, deviceId, level, cause, value, threshold, since } = rule;
      const text = (v: unknown): string =>
        e(
          typeof v === 'string' || typeof v === 'number'
            ? String(v)
            : v === undefined || v === null
              ? ''
              : JSON.stringify(v),
        );
      const why =
        cause === 'noData'
          ? `no data for ${text(threshold)} s`
          : `${text(value)} ${text(cause)} ${text(threshold)}`;
      out.push(
        `<tr class="rule"><td>${text(name ?? id)}</td><td>${text(device ?? deviceId)}</td><td class="failing">${text(level)}</td><td>${why}</td><td>${text(since)}</td></tr>`,
      );
    }
    out.push('</table>');
  }
  if (summary.devices.length === 0) out.push('<p class="muted">No device is running.</p>');
  for (const device of summary.devices) {
    out.push(
      `<section class="device" data-device-id="${device.id}"><h2>${e(device.name)} <span class="muted">#${device.id} · ${e(device.driver)}</span> <span class="${device.state}">${device.state}</span></h2>`,
    );
    if (device.description) out.push(`<p>${e(device.description)}</p>`);
    if (device.lastError)
      out.push(
        `<p class="failing">Last error (${e(device.lastError.stage)}, ${e(device.lastError.at)}): ${e(device.lastError.message)}; ${device.errors} error(s) so far</p>`,
      );
    out.push('<table><tr><th>key</th><th>latest</th><th>last 24 h</th></tr>');
    for (const key of device.keys) {
      const latest = key.latest
        ? `${e(String(key.latest.value))} ${e(key.unit)}<br><span class="muted">${age(key.latest.ageSeconds)}</span>`
        : '<span class="muted">no reading</span>';
      const title = `${device.name} key ${key.keyId}${key.description ? ` (${key.description})` : ''}, last 24 h`;
      out.push(
        `<tr class="key" data-key-id="${key.keyId}"><td>${key.keyId}${key.description ? `<br><span class="muted">${e(key.description)}</span>` : ''}</td><td>${latest}</td><td>${renderChart(key.chart, { width: 560, height: 110, fromS, toS, unit: key.unit, title })}</td></tr>`,
      );
    }
    out.push('</table></section>');
  }
  out.push('</body></html>');
  return out.join('\n');
}
