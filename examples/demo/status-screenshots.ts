// Renders the status page of a small demo fleet (a chest freezer, a weather sensor, a boiler
// pipe whose probe fails) and screenshots it in Debian's headless chromium at 1280 px and at
// 360 px into docs/. Run: npx tsx examples/demo/status-screenshots.ts
import path from 'node:path';
import { chromium } from 'playwright-core';
import { pageCharts, pageRange } from '../../src/http/page-charts.js';
import { renderPage } from '../../src/http/page.js';
import type { DeviceSpec, KeySpec } from '../../src/monitor/index.js';
import type { FiringState } from '../../src/monitor/rules/types.js';
import { MinuteWindow } from '../../src/monitor/storage/rollups/minute-window.js';
import { bucketsFromWindow } from '../../src/monitor/storage/rollups/tiered.js';
import { buildSummary, firingSummary } from '../../src/monitor/status/summary.js';

const now = Date.parse('2026-06-01T14:05:30Z');
const end = Math.floor(now / 60_000) * 60_000;
const keys = new Map<number, KeySpec>([
  [1, { keyId: 1, unit: '°C', description: 'freezer air', decimals: 1 }],
  [2, { keyId: 2, unit: '°C', description: 'outside air', decimals: 1 }],
  [3, { keyId: 3, unit: '%', description: 'humidity', decimals: 1 }],
  [4, { keyId: 4, unit: '°C', description: 'boiler pipe', decimals: 1 }],
]);
const device = (
  id: number,
  name: string,
  description: string,
  driver: string,
  keyIds: number[],
): DeviceSpec => ({
  id,
  name,
  description,
  vendorId: undefined,
  productId: undefined,
  driver,
  config: {},
  intervalSeconds: 60,
  enabled: true,
  keyIds,
});
const freezer = device(1, 'freezer', 'Chest freezer in the garage (DS18B20)', 'file', [1]);
const weather = device(2, 'weather', 'USB weather sensor on the balcony', 'serial-line', [2, 3]);
const boiler = device(3, 'boiler', 'Probe on the boiler pipe', 'file', [4]);
const devices = [freezer, weather, boiler];
const curve: Record<number, (t: number) => number | undefined> = {
  // Door left open for 40 minutes an hour ago; the monitor was down for 90 minutes at night.
  1: (t) =>
    t > now - 100 * 60_000 && t < now - 60 * 60_000
      ? -9 - (t - (now - 100 * 60_000)) / 600_000
      : -18.5 + Math.sin(t / 1_800_000) * 0.6,
  2: (t) => 17 + 6 * Math.sin((t - now) / 13_750_000 + 1.2),
  3: (t) => 55 - 15 * Math.sin((t - now) / 13_750_000 + 1.2),
  4: (t) => (t > now - 25 * 60_000 ? undefined : 58 + 4 * Math.sin(t / 2_000_000)),
};
const windows = new Map<number, Map<number, MinuteWindow>>();
for (const d of devices) {
  const byKey = new Map<number, MinuteWindow>();
  for (const keyId of d.keyIds!) {
    const w = new MinuteWindow();
    for (let t = end - 86_400_000 + 60_000; t <= now; t += 60_000) {
      if (t > now - 10 * 3_600_000 && t < now - 8.5 * 3_600_000) continue; // outage
      const v = curve[keyId]!(t);
      if (v !== undefined) w.add(Math.round(v * 10), t);
    }
    byKey.set(keyId, w);
  }
  windows.set(d.id, byKey);
}
/** A rule firing on `device` for the page; `minutesAgo`: when its condition began, when it fired (and mailed). */
const firing = (
  device: DeviceSpec,
  keyId: number,
  rule: Pick<FiringState, 'ruleId' | 'ruleName' | 'level'>,
  condition: Pick<FiringState, 'cause' | 'value' | 'threshold'>,
  minutesAgo: { since: number; fired: number },
) =>
  firingSummary(
    {
      ...rule,
      ...condition,
      deviceId: device.id,
      sinceMs: now - minutesAgo.since * 60_000,
      firedMs: now - minutesAgo.fired * 60_000,
      lastNoticeMs: now - minutesAgo.fired * 60_000,
    },
    device.name,
    keyId,
    keys,
  );
const rule = firing(
  boiler,
  4,
  { ruleId: 1, ruleName: 'boiler probe silent', level: 'ERROR' },
  { cause: 'noData', value: undefined, threshold: 600 },
  { since: 25, fired: 15 },
);
const warm = firing(
  weather,
  2,
  { ruleId: 2, ruleName: 'balcony hot', level: 'WARNING' },
  { cause: 'above', value: Math.round(curve[2]!(now)! * 10), threshold: 220 },
  { since: 40, fired: 35 },
);
const summary = buildSummary({
  nowMs: now,
  namespace: 'raspimon_dca632112233',
  state: 'running',
  databaseConnected: true,
  stats: { accepted: 4312, written: 4310, spooled: 0, dropped: 0 },
  devices: devices.map((spec) => ({
    spec,
    errors: spec.id === 3 ? 4 : 0,
    failing: spec.id === 3,
    lastError:
      spec.id === 3
        ? {
            stage: 'read',
            message: 'DriverError: /sys/bus/w1/devices/28-0316/temperature holds no number ("")',
            at: now - 40_000,
          }
        : undefined,
  })),
  keys,
  windows: (id) => windows.get(id)!,
  charts: false,
  rules: [warm, rule],
});
const hours = 24;
const range = pageRange(now, hours);
const charts = await pageCharts(
  summary,
  (q) =>
    Promise.resolve(
      bucketsFromWindow(
        windows.get(q.id)!.get(q.keyId)!,
        q.from.getTime(),
        Math.min(q.to.getTime(), end + 60_000),
        q.bucketSeconds,
      ),
    ),
  range,
);
const html = renderPage({
  summary,
  hours,
  bucketSeconds: range.bucketSeconds,
  charts,
  timeZone: 'Europe/Madrid',
});
const browser = await chromium.launch({
  executablePath: process.env.RASPIMON_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox'],
});
try {
  for (const width of [1280, 360]) {
    const page = await browser.newPage({ viewport: { width, height: 800 } });
    await page.setContent(html, { waitUntil: 'load' });
    const scroll = await page.evaluate('document.documentElement.scrollWidth');
    const file = path.join(import.meta.dirname, '..', '..', 'docs', `status-page-${width}.png`);
    await page.screenshot({ path: file, fullPage: true });
    console.log(`${file}: ${width} px wide, scrollWidth ${String(scroll)}`);
    await page.close();
  }
} finally {
  await browser.close();
}
