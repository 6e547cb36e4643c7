// Readings a person can read, end to end: a serial sensor printing decimals through a socat
// PTY into FerretDB, shown scaled with its unit on the status page (headless Chromium),
// /api/summary, /metrics and in the rule mails that reach a real SMTP server.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { MongoClient, type Db } from 'mongodb';
import { chromium, type Browser } from 'playwright-core';
import { SerialPort } from 'serialport';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { serveStatus, type StatusServer } from '../../src/http/index.js';
import { MailLoggerClient, MailLoggerServer } from '../../src/mail-logger/index.js';
import type { DriverDefinition, DriverReading, Monitor } from '../../src/monitor/index.js';
import { Scheduler } from '../../src/scheduler/index.js';
import { mongodbUri, uniqueDbName } from '../helpers/mongo.js';
import { SmtpSink } from '../helpers/smtp-sink.js';
import { startPtyPair, type PtyPair } from '../helpers/socat.js';
import { waitFor } from '../helpers/wait.js';
import { monitorIn } from '../monitor/fixtures/monitor-harness.js';
import { tempDir } from '../monitor/support.js';

const executablePath = process.env.RASPIMON_CHROMIUM ?? '/usr/bin/chromium';
let browser: Browser;
let client: MongoClient;
const cleanups: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  if (!existsSync(executablePath))
    throw new Error(`no chromium at ${executablePath}: run npm run setup or set RASPIMON_CHROMIUM`);
  // handleSIGHUP off: the test sends SIGHUP to its own process to reload the monitor.
  browser = await chromium.launch({
    executablePath,
    headless: true,
    args: ['--no-sandbox'],
    handleSIGHUP: false,
  });
  client = await new MongoClient(mongodbUri()).connect();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await client?.close();
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

// Structural DOM types: the project's tsconfig has no "dom" lib.
interface DomNode {
  getAttribute(name: string): string | null;
  querySelector(selector: string): DomNode | null;
  querySelectorAll(selector: string): DomNode[];
  textContent: string | null;
  getBoundingClientRect(): { left: number; right: number };
}

function openSensor(file: string): Promise<SerialPort> {
  const port = new SerialPort({ path: file, baudRate: 9600, autoOpen: false });
  return new Promise((resolve, reject) => port.open((error) => (error ? reject(error) : resolve(port))));
}

async function newDb(prefix: string): Promise<Db> {
  const db = client.db(uniqueDbName(prefix));
  cleanups.push(() => db.dropDatabase().catch(() => undefined));
  return db;
}

async function values(db: Db, keyId: number): Promise<number[]> {
  const docs = await db.collection('readings').find({ keyId }).sort({ ts: 1 }).toArray();
  return docs.map((d) => d.value as number);
}

describe('a serial sensor printing decimals, read by a person', () => {
  it('T=21.5 H=40.2 with 1-decimal keys stores 215 and 402; page, /api/summary, /metrics and the rule mails show 21.5 °C; the resolved mail reads right', async () => {
    const db = await newDb('readable_');
    const namespace = db.databaseName;
    const pair: PtyPair = await startPtyPair();
    cleanups.push(() => pair.dispose());
    const sink = await SmtpSink.start();
    cleanups.push(() => sink.close());
    const tmp = tempDir('raspimon-readable-');
    cleanups.push(async () => tmp.remove());
    const listen = `unix://${path.join(tmp.dir, 'ml.sock')}`;
    const mailServer = await MailLoggerServer.start({
      credentials: { smtp: sink.url, from: 'pi@example.org', to: 'team@example.org' },
      listen,
      stateDir: path.join(tmp.dir, 'mail'),
      groupWait: 0.2,
      log: () => undefined,
    });
    cleanups.push(() => mailServer.close());
    const logger = MailLoggerClient.open(listen, { source: namespace });
    cleanups.push(() => logger.close({ timeoutSeconds: 1 }));

    await db.collection('keys').insertMany([
      { keyId: 1, unit: '°C', decimals: 1, description: 'temperature' },
      { keyId: 2, unit: '%', decimals: 1, description: 'humidity' },
    ]);
    await db.collection('devices').insertOne({
      id: 1,
      name: 'weather',
      driver: 'serial-line',
      config: { path: pair.device, keys: { T: 1, H: 2 } },
    });
    await db.collection('rules').insertOne({ id: 1, name: 'warm', keyId: 1, deviceId: 1, above: 210 });
    const scheduler = new Scheduler().start();
    cleanups.push(() => scheduler.stop());
    const { monitor } = monitorIn(
      { uri: mongodbUri(), namespace, scheduler, stateDir: path.join(tmp.dir, 'monitor') },
      { logger, flushSeconds: 0.05, pollSeconds: 3600 },
    );
    await monitor.start();
    cleanups.push(() => monitor.stop());
    const status: StatusServer = await serveStatus(monitor, { port: 0, timeZone: 'UTC' });
    cleanups.push(() => status.close());
    const sensor = await openSensor(pair.peer);
    cleanups.push(() => new Promise<void>((resolve) => sensor.close(() => resolve())));

    sensor.write('T=21.5 H=40.2\n');
    await waitFor(async () => (await values(db, 2)).length === 1, 10_000, 'the first line stored');
    expect(await values(db, 1)).toEqual([215]);
    expect(await values(db, 2)).toEqual([402]);

    const [firing] = await sink.waitFor(1, 15_000);
    expect(firing!.subject).toBe(`[WARNING] weather: warm firing (21.5 °C above 21.0 °C) · ${namespace}`);
    expect(firing!.text).toContain(
      'firing: rule 1 "warm": device 1 "weather", key 1 (°C): value 21.5 °C above 21.0 °C since',
    );

    const summary = (await (await fetch(new URL('/api/summary', status.url))).json()) as {
      devices: Array<{ status: string; keys: Array<{ keyId: number; latest: unknown }> }>;
      rules: Array<{ text: string; value: number; threshold: number; unit: string }>;
    };
    expect(summary.devices[0]!.status).toBe('WARNING');
    expect(summary.devices[0]!.keys.map((k) => k.latest)).toEqual([
      expect.objectContaining({ value: 21.5, raw: 215, text: '21.5 °C' }),
      expect.objectContaining({ value: 40.2, raw: 402, text: '40.2 %' }),
    ]);
    expect(summary.rules).toEqual([
      expect.objectContaining({ value: 21.5, threshold: 21, unit: '°C', text: '21.5 °C above 21.0 °C' }),
    ]);

    const metrics = await (await fetch(new URL('/metrics', status.url))).text();
    expect(metrics).toContain('raspimon_reading{device="weather",device_id="1",key_id="1",unit="°C"} 21.5');
    expect(metrics).toContain('raspimon_reading_celsius{device="weather",device_id="1",key_id="1"} 21.5');
    expect(metrics).toContain('raspimon_reading_ratio{device="weather",device_id="1",key_id="2"} 0.402');

    const page = await browser.newPage();
    await page.goto(status.url, { waitUntil: 'load' });
    const latest = await page.$$eval('section.device div.key .latest b', (bs: DomNode[]) =>
      bs.map((b) => b.textContent),
    );
    expect(latest).toEqual(['21.5 °C', '40.2 %']);
    const chartLatest = await page.$$eval('svg.chart text.latest', (ts: DomNode[]) =>
      ts.map((t) => t.textContent),
    );
    expect(chartLatest).toEqual(['21.5 °C', '40.2 %']);
    // The firing rule's threshold is dashed across the temperature chart.
    expect(await page.textContent('div.key[data-key-id="1"] svg text.threshold')).toBe('warm: above 21.0 °C');
    await page.close();

    // Warmer, then back below: one resolved mail with the value that resolved it and the peak.
    sensor.write('T=22.3 H=40.0\n');
    await waitFor(async () => (await values(db, 1)).length === 2, 10_000, 'the warmer line');
    sensor.write('T=20.4 H=41.0\n');
    const mails = await sink.waitFor(2, 15_000);
    const resolved = mails[1]!;

    // Read as a person would: the subject, then the body's sentence, each number in its place.
    const subject =
      /^\[RESOLVED\] weather: warm resolved after (\d+) s \((-?[\d.]+) °C, threshold (-?[\d.]+) °C\) · (\S+)$/.exec(
        resolved.subject,
      );
    expect(subject, resolved.subject).not.toBeNull();
    const [, subjectSeconds, subjectValue, subjectThreshold, subjectNamespace] = subject!;
    expect(subjectNamespace).toBe(namespace);
    const body =
      /resolved: rule 1 "warm": device 1 "weather", key 1 \(°C\): value (-?[\d.]+) °C is no longer above (-?[\d.]+) °C; it fired for (\d+) s since (\S+) \(above (-?[\d.]+) °C since (\S+)\); peak while firing (-?[\d.]+) °C/.exec(
        resolved.text,
      );
    expect(body, resolved.text).not.toBeNull();
    const [, value, threshold, seconds, firedAt, conditionThreshold, sinceAt, peak] = body!;
    expect(Number(value)).toBe(20.4);
    expect(Number(threshold)).toBe(21);
    expect(Number(value)).toBeLessThanOrEqual(Number(threshold));
    expect(Number(peak)).toBe(22.3);
    expect(Number(peak)).toBeGreaterThan(Number(threshold));
    expect(conditionThreshold).toBe(threshold);
    expect([subjectValue, subjectThreshold, subjectSeconds]).toEqual([value, threshold, seconds]);
    expect(Date.parse(sinceAt!)).toBeLessThanOrEqual(Date.parse(firedAt!));
    expect(Date.parse(firedAt!)).toBeLessThanOrEqual(Date.now());
    // Nothing claims the rule still fires, nor shows a stored integer beside a unit.
    expect(resolved.text).not.toMatch(/value [\d.]+ °C above/);
    expect(resolved.text).not.toMatch(/\b(215|223|204|210) °C/);
    expect(resolved.text).not.toContain('firing:');
  });
});

describe('status page history after a restart, ranges, negatives, a removed key', () => {
  it('a freezer at -18.5 °C shows minus signs in unclipped chart labels; a restarted monitor draws the stored 24 h; ?hours=1 and ?hours=168 draw the right points; a removed key disappears after SIGHUP', async () => {
    const db = await newDb('history_');
    const namespace = db.databaseName;
    const state = tempDir('raspimon-history-');
    cleanups.push(async () => state.remove());
    await db.collection('keys').insertMany([
      { keyId: 3, unit: '°C', decimals: 1, description: 'freezer' },
      { keyId: 4, unit: 'hPa', decimals: 2, description: 'archive pressure' },
      { keyId: 7, unit: '%', description: 'door open' },
      { keyId: 8, unit: 'V', decimals: 2, description: 'battery' },
    ]);
    await db.collection('devices').insertMany([
      { id: 1, name: 'freezer', driver: 'freezer', config: {}, interval: 3600 },
      { id: 2, name: 'archive', driver: 'archive', config: {}, interval: 3600 },
      { id: 3, name: 'door', driver: 'door', config: {}, interval: 0.2 },
    ]);
    const nowMs = Date.now();
    const minute = Math.floor(nowMs / 60_000);
    // Freezer history: one reading every 5 minutes for the last 3 hours, given by the first monitor.
    const freezerHistory: DriverReading[] = [];
    for (let m = minute - 180; m <= minute - 10; m += 5)
      freezerHistory.push({ keyId: 3, value: -18.5 + ((m % 3) - 1) * 0.1, ts: new Date(m * 60_000 + 5000) });
    freezerHistory.push({ keyId: 3, value: -18.5, ts: new Date(nowMs - 1000) });
    // Archive: stored before any monitor ran (raw readings only): every minute of the last 2 h,
    // every 30 min of the last 8 days.
    const archive: Array<{ id: number; keyId: number; value: number; ts: Date }> = [];
    for (let m = minute - 120; m <= minute; m++)
      archive.push({ id: 2, keyId: 4, value: 101_300 + (m % 7), ts: new Date(m * 60_000) });
    const halfHour = Math.floor(nowMs / 1_800_000);
    for (let h = halfHour - 8 * 48; h <= halfHour; h++)
      if (h * 1_800_000 < (minute - 120) * 60_000)
        archive.push({ id: 2, keyId: 4, value: 101_250, ts: new Date(h * 1_800_000) });
    await db.collection('readings').insertMany(archive);

    let emitFreezer = true;
    const drivers: Record<string, DriverDefinition> = {
      freezer: {
        validateConfig: (config) => ({ ok: true, config, keyIds: [3] }),
        create: () => ({
          read: () => {
            if (!emitFreezer) return [];
            emitFreezer = false;
            return freezerHistory;
          },
        }),
      },
      archive: {
        validateConfig: (config) => ({ ok: true, config, keyIds: [4] }),
        create: () => ({ read: () => [] }),
      },
      // Declares no keys: its keys are those it produced.
      door: {
        create: () => ({
          read: () => [
            { keyId: 7, value: 0 },
            { keyId: 8, value: 3.31 },
          ],
        }),
      },
    };
    const scheduler = new Scheduler().start();
    cleanups.push(() => scheduler.stop());
    const place = { uri: mongodbUri(), namespace, scheduler, stateDir: state.dir };
    const newMonitor = (): Monitor =>
      monitorIn(place, { flushSeconds: 0.05, pollSeconds: 3600, drivers }).monitor;
    const first = newMonitor();
    await first.start();
    await waitFor(
      async () => (await db.collection('readings').countDocuments({ id: 1 })) === freezerHistory.length,
      15_000,
      'the freezer history stored',
    );
    await first.stop();

    // A new monitor: nothing in memory, everything stored.
    const monitor = newMonitor();
    await monitor.start();
    cleanups.push(() => monitor.stop());
    const uninstall = monitor.handleSignals();
    cleanups.push(async () => uninstall());
    const status = await serveStatus(monitor, { port: 0, timeZone: 'Europe/Madrid' });
    cleanups.push(() => status.close());
    await waitFor(
      () => monitor.summary({ charts: false }).devices.find((d) => d.id === 3)?.keys.length === 2,
      10_000,
      'the door keys',
    );

    const page = await browser.newPage();
    cleanups.push(() => page.close());
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(status.url, { waitUntil: 'load' });
    const freezer = await page.$eval('section[data-device-id="1"] svg.chart', (svg: DomNode) => ({
      points: Number(svg.getAttribute('data-points')),
      yLabels: Array.from(svg.querySelectorAll('text.y')).map((t) => ({
        text: t.textContent ?? '',
        left: t.getBoundingClientRect().left,
      })),
      svgLeft: svg.getBoundingClientRect().left,
      xLabels: Array.from(svg.querySelectorAll('text.x')).map((t) => t.textContent ?? ''),
      latest: svg.querySelector('text.latest')?.textContent,
    }));
    // 24 h in 5-min points: the restarted monitor draws what the first one stored.
    const fiveMinutes = new Set(freezerHistory.map((r) => Math.floor((r.ts as Date).getTime() / 300_000)))
      .size;
    expect(freezer.points).toBe(fiveMinutes);
    expect(freezer.yLabels.length).toBeGreaterThanOrEqual(3);
    for (const label of freezer.yLabels) {
      expect(label.text).toMatch(/^-1\d\.\d °C$/);
      expect(label.left).toBeGreaterThanOrEqual(freezer.svgLeft);
    }
    expect(freezer.latest).toBe('-18.5 °C');
    expect(freezer.xLabels.length).toBeGreaterThanOrEqual(3);
    for (const label of freezer.xLabels) expect(label).toMatch(/^\d\d:\d\d$/);

    // Usable on a phone: no horizontal scroll at 360 px; no script, a CSP.
    await page.setViewportSize({ width: 360, height: 740 });
    const response = await page.goto(status.url, { waitUntil: 'load' });
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(360);
    expect(await page.$$('script')).toEqual([]);
    expect(response?.headers()['content-security-policy']).toContain("default-src 'none'");
    await page.setViewportSize({ width: 1280, height: 900 });

    const pointsOf = async (hours: number): Promise<number> => {
      await page.goto(new URL(`/?hours=${hours}`, status.url).href, { waitUntil: 'load' });
      return Number(await page.getAttribute('section[data-device-id="2"] svg.chart', 'data-points'));
    };
    expect(await pointsOf(1)).toBe(60);
    expect(await pointsOf(168)).toBe(168);

    // Key 8 removed from the configuration: gone from the page after SIGHUP.
    await page.goto(status.url, { waitUntil: 'load' });
    expect(
      await page.$$eval('section[data-device-id="3"] div.key', (ks: DomNode[]) =>
        ks.map((k) => k.getAttribute('data-key-id')),
      ),
    ).toEqual(['7', '8']);
    await db.collection('keys').deleteOne({ keyId: 8 });
    process.kill(process.pid, 'SIGHUP');
    await waitFor(
      () => monitor.summary({ charts: false }).devices.find((d) => d.id === 3)?.keys.length === 1,
      10_000,
      'the SIGHUP reload',
    );
    await page.goto(status.url, { waitUntil: 'load' });
    expect(
      await page.$$eval('section[data-device-id="3"] div.key', (ks: DomNode[]) =>
        ks.map((k) => k.getAttribute('data-key-id')),
      ),
    ).toEqual(['7']);
  });
});
