// /metrics as Prometheus reads it: parsed by a strict text-format parser (below) and
// checked against the readings stored in the database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createStatusHandler, serveStatus, type StatusServer } from '../../src/http/index.js';
import { StatusServerError } from '../../src/errors/index.js';
import { startStatusWorld, type StatusWorld } from './support.js';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/**
 * Prometheus text exposition format 0.0.4, strictly: every sample belongs to a family
 * announced by # HELP and # TYPE before it, names and label names are valid, label values
 * are quoted with only \\ \" \n escapes, no duplicate series, values are numbers.
 */
function parsePrometheus(text: string): { types: Map<string, string>; samples: Sample[] } {
  const types = new Map<string, string>();
  const helps = new Set<string>();
  const samples: Sample[] = [];
  const seen = new Set<string>();
  expect(text.endsWith('\n')).toBe(true);
  for (const line of text.slice(0, -1).split('\n')) {
    if (line === '') continue;
    let m = /^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (m) {
      expect(helps.has(m[1]!), `second HELP for ${m[1]}`).toBe(false);
      helps.add(m[1]!);
      continue;
    }
    m = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (m) {
      expect(types.has(m[1]!), `second TYPE for ${m[1]}`).toBe(false);
      types.set(m[1]!, m[2]!);
      continue;
    }
    expect(line.startsWith('#'), `unknown comment line ${line}`).toBe(false);
    m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    expect(m, `malformed sample line ${JSON.stringify(line)}`).not.toBeNull();
    const [, name, labelText, valueText] = m!;
    expect(types.has(name!) && helps.has(name!), `${name} sampled before its HELP/TYPE`).toBe(true);
    const labels: Record<string, string> = {};
    let rest = labelText ?? '';
    while (rest.length > 0) {
      const l = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)/.exec(rest);
      expect(l, `malformed labels ${JSON.stringify(labelText)}`).not.toBeNull();
      labels[l![1]!] = l![2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
      rest = rest.slice(l![0].length);
    }
    const value = Number(valueText === '+Inf' ? Infinity : valueText === '-Inf' ? -Infinity : valueText);
    expect(Number.isNaN(value) && valueText !== 'NaN', `bad value ${valueText}`).toBe(false);
    const series = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
    expect(seen.has(series), `duplicate series ${series}`).toBe(false);
    seen.add(series);
    samples.push({ name: name!, labels, value });
  }
  return { types, samples };
}

let world: StatusWorld;
let status: StatusServer;
beforeAll(async () => {
  world = await startStatusWorld();
  status = await serveStatus(world.monitor, { port: 0 });
}, 60_000);
afterAll(async () => {
  await status?.close();
  await world?.close();
});

describe('/metrics', () => {
  it('parses as Prometheus text and matches the stored readings: latest value per (device, key) with name and unit, stored count, device errors', async () => {
    await world.monitor.flush();
    const response = await fetch(new URL('/metrics', status.url));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const { types, samples } = parsePrometheus(await response.text());
    const one = (name: string): number => {
      const list = samples.filter((s) => s.name === name);
      expect(list, name).toHaveLength(1);
      return list[0]!.value;
    };
    expect(types.get('raspimon_readings_stored_total')).toBe('counter');
    expect(types.get('raspimon_reading')).toBe('gauge');
    const stored = await world.db.collection('readings').countDocuments({});
    // Live readings keep arriving: the scrape saw at most what is stored now.
    expect(one('raspimon_readings_stored_total')).toBeGreaterThanOrEqual(world.history.length);
    expect(one('raspimon_readings_stored_total')).toBeLessThanOrEqual(stored);
    expect(one('raspimon_readings_accepted_total')).toBeGreaterThanOrEqual(
      one('raspimon_readings_stored_total'),
    );
    expect(one('raspimon_database_connected')).toBe(1);
    expect(one('raspimon_devices')).toBe(3);
    expect(one('raspimon_last_reload_success')).toBe(1);
    expect(one('raspimon_reloads_total')).toBeGreaterThanOrEqual(1);
    for (const name of [
      'raspimon_readings_spooled',
      'raspimon_spool_bytes',
      'raspimon_readings_dropped_total',
    ])
      expect(one(name)).toBe(0);
    const errors = samples.filter((s) => s.name === 'raspimon_device_errors_total');
    expect(errors.find((s) => s.labels.device === 'broken')!.value).toBeGreaterThan(0);
    expect(errors.find((s) => s.labels.device === 'history')!.value).toBe(0);

    // The history device no longer emits: its gauges equal the newest stored reading per key.
    const gauges = samples.filter((s) => s.name === 'raspimon_reading' && s.labels.device_id === '1');
    const newest = await Promise.all(
      [1, 2].map((keyId) =>
        world.db.collection('readings').find({ id: 1, keyId }).sort({ ts: -1, _id: -1 }).limit(1).next(),
      ),
    );
    expect(gauges.map((g) => g.labels).sort((a, b) => a.key_id!.localeCompare(b.key_id!))).toEqual([
      { device: 'history', device_id: '1', key_id: '1', unit: 'mC' },
      { device: 'history', device_id: '1', key_id: '2', unit: '%' },
    ]);
    expect(
      gauges.sort((a, b) => a.labels.key_id!.localeCompare(b.labels.key_id!)).map((g) => g.value),
    ).toEqual(newest.map((d) => d!.value as number));
    // A label value with a quote is escaped and parses back.
    expect(samples.some((s) => s.name === 'raspimon_reading' && s.labels.device === 'live "pump"')).toBe(
      true,
    );
  });

  it('the plain handler serves the same routes in a server of your own; unknown paths 404, POST 405', async () => {
    const server: Server = createServer(createStatusHandler(world.monitor));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      expect((await fetch(`${base}/api/summary`)).status).toBe(200);
      expect((await fetch(`${base}/metrics`)).status).toBe(200);
      expect((await fetch(`${base}/nope`)).status).toBe(404);
      expect((await fetch(`${base}/`, { method: 'POST' })).status).toBe(405);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('serveStatus on a port in use fails with StatusServerError ERR_STATUS_LISTEN naming the port', async () => {
    const error = await serveStatus(world.monitor, { port: status.port }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StatusServerError);
    expect(error).toMatchObject({ code: 'ERR_STATUS_LISTEN' });
    expect((error as Error).message).toContain(`127.0.0.1:${status.port}`);
    expect((error as Error).message).toContain('pick another options.port');
    await expect(serveStatus(world.monitor, { port: 70_000 })).rejects.toMatchObject({
      code: 'ERR_OUT_OF_RANGE',
    });
    expect(() => createStatusHandler({} as never)).toThrow(/must be a raspimon Monitor/);
  });
});
