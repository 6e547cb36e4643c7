// The status page as a user sees it: Debian's chromium (headless, driven by playwright-core)
// loads it from serveStatus() on loopback.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveStatus, type StatusServer } from '../../src/http/index.js';
import { historyMinutesAgo, startStatusWorld, type StatusWorld } from './support.js';

const executablePath = process.env.RASPIMON_CHROMIUM ?? '/usr/bin/chromium';
let world: StatusWorld;
let status: StatusServer;
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(executablePath))
    throw new Error(
      `no chromium at ${executablePath}: run npm run setup (apt-get install chromium) or set RASPIMON_CHROMIUM`,
    );
  world = await startStatusWorld();
  status = await serveStatus(world.monitor, { port: 0 });
  browser = await chromium.launch({ executablePath, headless: true, args: ['--no-sandbox'] });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await status?.close();
  await world?.close();
});

describe('status page in headless Chromium', () => {
  it('loads with no console error and no request off the machine, shows every device, one chart point per minute with readings', async () => {
    const page = await browser.newPage();
    const consoleErrors: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(e.message));
    page.on('request', (r) => requests.push(r.url()));
    const response = await page.goto(status.url, { waitUntil: 'load' });
    expect(response?.status()).toBe(200);
    expect(status.url.startsWith('http://127.0.0.1:')).toBe(true);
    expect(consoleErrors).toEqual([]);
    expect(requests.filter((u) => !u.startsWith(status.url))).toEqual([]);

    // Structural DOM types: the project's tsconfig has no "dom" lib.
    interface Node {
      getAttribute(name: string): string | null;
      querySelector(selector: string): Node | null;
      closest(selector: string): Node | null;
      textContent: string | null;
    }
    const devices = await page.$$eval('section.device', (sections: Node[]) =>
      sections.map((s) => ({
        id: s.getAttribute('data-device-id'),
        title: s.querySelector('h2')?.textContent ?? '',
      })),
    );
    expect(devices.map((d) => d.id)).toEqual(['1', '2', '3']);
    expect(devices[1]!.title).toContain('live "pump"');
    expect(devices[2]!.title).toContain('failing');
    expect(await page.textContent('section[data-device-id="3"]')).toContain('sensor unplugged');

    const charts = await page.$$eval('section.device tr.key', (rows: Node[]) =>
      rows.map((row) => {
        const svg = row.querySelector('svg.chart');
        const line = svg?.querySelector('polyline');
        return {
          device: row.closest('section')?.getAttribute('data-device-id'),
          keyId: row.getAttribute('data-key-id'),
          declared: Number(svg?.getAttribute('data-points')),
          drawn: line ? (line.getAttribute('points') ?? '').trim().split(/\s+/).length : 0,
        };
      }),
    );
    const history = charts.filter((c) => c.device === '1');
    expect(history).toEqual([
      { device: '1', keyId: '1', declared: historyMinutesAgo[1].length, drawn: historyMinutesAgo[1].length },
      { device: '1', keyId: '2', declared: historyMinutesAgo[2].length, drawn: historyMinutesAgo[2].length },
    ]);
    const live = charts.find((c) => c.device === '2')!;
    expect(live.drawn).toBeGreaterThanOrEqual(1);
    expect(live.drawn).toBe(live.declared);
    // The firing rule is listed with its device.
    const rules = await page.$$eval('#rules tr.rule', (rows: Node[]) => rows.map((r) => r.textContent ?? ''));
    expect(rules).toHaveLength(1);
    expect(rules[0]).toContain('pump hot');
    expect(rules[0]).toContain('live "pump"');
    // The page escapes what it shows (a key description with <&>).
    expect(await page.textContent('section[data-device-id="1"]')).toContain('humidity <&>');
    await page.close();
  });

  it('/api/summary is the same data as JSON', async () => {
    const summary = (await (await fetch(new URL('/api/summary', status.url))).json()) as {
      devices: Array<{ id: number; state: string; keys: Array<{ keyId: number; chart: unknown[] }> }>;
      rules: unknown[];
    };
    expect(summary.devices.map((d) => [d.id, d.state])).toEqual([
      [1, 'ok'],
      [2, 'ok'],
      [3, 'failing'],
    ]);
    expect(summary.devices[0]!.keys.map((k) => k.chart.length)).toEqual([
      historyMinutesAgo[1].length,
      historyMinutesAgo[2].length,
    ]);
    expect(summary.rules).toMatchObject([
      { id: '1', name: 'pump hot', deviceId: 2, level: 'WARNING', cause: 'above' },
    ]);
  });
});
