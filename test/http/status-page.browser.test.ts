// The status page as a user sees it: Debian's chromium (headless, driven by playwright-core)
// loads it from serveStatus() on loopback.
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
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

// Structural DOM types: the project's tsconfig has no "dom" lib.
interface DomNode {
  getAttribute(name: string): string | null;
  querySelector(selector: string): DomNode | null;
  querySelectorAll(selector: string): DomNode[];
  closest(selector: string): DomNode | null;
  textContent: string | null;
}

/** Per chart: its device and key, the points it declares and the points drawn (vertices and dots). */
async function chartsOf(
  page: Page,
): Promise<Array<{ device?: string | null; keyId: string | null; declared: number; drawn: number }>> {
  return page.$$eval('section.device div.key', (rows: DomNode[]) =>
    rows.map((row) => {
      const svg = row.querySelector('svg.chart');
      const vertices = [...(svg?.querySelectorAll('polyline.series') ?? [])].reduce(
        (n, line) => n + (line.getAttribute('points') ?? '').trim().split(/\s+/).length,
        0,
      );
      return {
        device: row.closest('section')?.getAttribute('data-device-id'),
        keyId: row.getAttribute('data-key-id'),
        declared: Number(svg?.getAttribute('data-points')),
        drawn: vertices + (svg?.querySelectorAll('circle.dot').length ?? 0),
      };
    }),
  );
}

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

    const devices = await page.$$eval('section.device', (sections: DomNode[]) =>
      sections.map((s) => ({
        id: s.getAttribute('data-device-id'),
        title: s.querySelector('h2')?.textContent ?? '',
      })),
    );
    expect(devices.map((d) => d.id)).toEqual(['1', '2', '3']);
    expect(devices[1]!.title).toContain('live "pump"');
    expect(devices[2]!.title).toContain('failing');
    expect(await page.textContent('section[data-device-id="3"]')).toContain('sensor unplugged');

    const charts = await chartsOf(page);
    // 24 h by default, in 5-min points: one per 5 minutes with readings.
    const fiveMinutes = (keyId: number): number =>
      new Set(
        world.history
          .filter((r) => r.keyId === keyId)
          .map((r) => Math.floor((r.ts as Date).getTime() / 300_000)),
      ).size;
    const history = charts.filter((c) => c.device === '1');
    expect(history).toEqual([
      { device: '1', keyId: '1', declared: fiveMinutes(1), drawn: fiveMinutes(1) },
      { device: '1', keyId: '2', declared: fiveMinutes(2), drawn: fiveMinutes(2) },
    ]);
    const live = charts.find((c) => c.device === '2')!;
    expect(live.drawn).toBeGreaterThanOrEqual(1);
    expect(live.drawn).toBe(live.declared);
    // The live device has a firing WARNING rule: its state says so, not a green "ok".
    expect(devices[1]!.title).toContain('WARNING');
    expect(devices[1]!.title).not.toMatch(/\bok\b/);
    // The firing rule is listed with its device.
    const rules = await page.$$eval('#rules tr.rule', (rows: DomNode[]) =>
      rows.map((r) => r.textContent ?? ''),
    );
    expect(rules).toHaveLength(1);
    expect(rules[0]).toContain('pump hot');
    expect(rules[0]).toContain('live "pump"');
    // The page escapes what it shows (a key description with <&>).
    expect(await page.textContent('section[data-device-id="1"]')).toContain('humidity <&>');
    await page.close();
  });

  it('?hours=1 draws one point per minute with readings in the last hour; links offer 1 h, 6 h, 24 h, 7 d; a bad hours is a 400', async () => {
    const page = await browser.newPage();
    await page.goto(new URL('/?hours=1', status.url).href, { waitUntil: 'load' });
    const charts = (await chartsOf(page)).filter((c) => c.device === '1');
    const inLastHour = (keyId: 1 | 2): number => historyMinutesAgo[keyId].filter((ago) => ago < 60).length;
    expect(charts.map((c) => [c.keyId, c.declared, c.drawn])).toEqual([
      ['1', inLastHour(1), inLastHour(1)],
      ['2', inLastHour(2), inLastHour(2)],
    ]);
    const links = await page.$$eval('nav a', (as: DomNode[]) =>
      as.map((a) => [a.textContent, a.getAttribute('href')]),
    );
    expect(links).toEqual([
      ['1 h', '?hours=1'],
      ['6 h', '?hours=6'],
      ['24 h', '?hours=24'],
      ['7 d', '?hours=168'],
    ]);
    await page.close();
    expect((await fetch(new URL('/?hours=169', status.url))).status).toBe(400);
    expect((await fetch(new URL('/?hours=abc', status.url))).status).toBe(400);
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
