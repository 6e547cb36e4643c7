import { chmodSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { createMqttDriver, validateMqttConfig } from '../../../../../src/monitor/intake/drivers/mqtt/mqtt.js';
import { parsePayload } from '../../../../../src/monitor/intake/drivers/mqtt/payload.js';
import type { Driver } from '../../../../../src/monitor/index.js';
import type { Scheduler } from '../../../../../src/scheduler/index.js';
import { startMosquitto, type Mosquitto } from '../../../../helpers/mosquitto.js';
import { waitFor } from '../../../../helpers/wait.js';
import { realScheduler } from '../../../support.js';
import { deviceSpec, driverContext } from '../driver-context.js';

let broker: Mosquitto | undefined;
let scheduler: Scheduler | undefined;
let publisher: MqttClient | undefined;
const running: Driver[] = [];

afterEach(async () => {
  for (const driver of running.splice(0)) await driver.stop?.();
  await publisher?.endAsync();
  publisher = undefined;
  await broker?.dispose();
  broker = undefined;
  await scheduler?.stop();
  scheduler = undefined;
});

async function startDevice(config: Record<string, unknown>) {
  scheduler ??= realScheduler();
  const check = validateMqttConfig(config);
  if (!check.ok) throw new Error(JSON.stringify(check.problems));
  const context = driverContext(deviceSpec(1, 'mqtt', check.config), scheduler);
  const driver = createMqttDriver({ retry: { minSeconds: 0.05, maxSeconds: 0.2 } }).create(
    check.config,
    context,
  );
  running.push(driver);
  await driver.start?.();
  return context;
}

async function connectPublisher(url: string, options: mqtt.IClientOptions = {}): Promise<MqttClient> {
  publisher = await mqtt.connectAsync(url, { reconnectPeriod: 50, ...options });
  return publisher;
}

describe('mqtt driver against mosquitto', () => {
  it('stores plain numbers and JSON dot paths from wildcard topics, uses the payload timestamp, and counts a bad message once per spell', async () => {
    broker = await startMosquitto();
    const context = await startDevice({
      url: broker.url,
      topic: 'sensors/+/state',
      keys: [{ keyId: 1 }, { keyId: 2, path: 'temperature' }, { keyId: 3, path: 'sensors.0.value' }],
      timestampPath: undefined,
    });
    const pub = await connectPublisher(broker.url);
    // The subscription is made after the connect: publish until the first reading arrives.
    await waitFor(
      async () => {
        await pub.publishAsync('sensors/cellar/state', '21.5');
        return context.emitted.length > 0;
      },
      10_000,
      'the subscription',
    );
    await pub.publishAsync(
      'sensors/freezer/state',
      JSON.stringify({ temperature: -18.5, sensors: [{ value: 3 }] }),
    );
    await pub.publishAsync('sensors/freezer/state', 'not a number');
    await pub.publishAsync('sensors/freezer/state', '{"temperature": "cold"}');
    await pub.publishAsync('other/topic', '99');
    await pub.publishAsync('sensors/garage/state', '{"temperature": 4}');
    await waitFor(
      () => context.emitted.some((r) => r.keyId === 2 && r.value === 4),
      5000,
      'the garage reading',
    );
    expect(context.emitted.some((r) => r.keyId === 1 && r.value === 21.5)).toBe(true);
    // keyId 1 came from the plain-number primes above; the rest in the order published.
    expect(context.emitted.filter((r) => r.keyId !== 1).map((r) => [r.keyId, r.value])).toEqual([
      [2, -18.5],
      [3, 3],
      [2, 4],
    ]);
    const errors = context.logger.records.filter((r) => r.level === 'error').map((r) => r.message);
    expect(errors).toEqual([
      expect.stringMatching(
        /bad message on sensors\/freezer\/state: neither a number nor JSON: "not a number"/,
      ),
    ]);
    expect(context.logger.text('info')).toMatch(/recovered after 2 bad messages \(bad message 2\)/);
  });

  it('takes the reading time from the configured payload field', async () => {
    broker = await startMosquitto();
    const context = await startDevice({
      url: broker.url,
      topic: 'esp32/#',
      keys: [{ keyId: 5, path: 'v' }],
      timestampPath: 'time',
    });
    const pub = await connectPublisher(broker.url);
    await waitFor(
      async () => {
        await pub.publishAsync('esp32/a', '{"v": 1, "time": "2026-12-01T10:00:00Z"}');
        return context.emitted.length > 0;
      },
      10_000,
      'the subscription',
    );
    await pub.publishAsync('esp32/b/c', '{"v": 2, "time": 1796119200}');
    await waitFor(() => context.emitted.some((r) => r.value === 2), 5000, 'the second reading');
    expect(context.emitted.find((r) => r.value === 1)).toEqual({
      keyId: 5,
      value: 1,
      ts: new Date('2026-12-01T10:00:00Z'),
    });
    expect(context.emitted.find((r) => r.value === 2)).toEqual({
      keyId: 5,
      value: 2,
      ts: new Date(1796119200 * 1000),
    });
  });

  it('logs in with a 0600 credentials file over TLS checked against a CA file, refuses a group-readable file, and resubscribes after a broker restart', async () => {
    broker = await startMosquitto({ user: { username: 'pi', password: 's3cret' }, tls: true });
    const credentials = path.join(broker.dir, 'mqtt.json');
    writeFileSync(credentials, JSON.stringify({ username: 'pi', password: 's3cret' }));
    chmodSync(credentials, 0o644);
    scheduler = realScheduler();
    const config = validateMqttConfig({
      url: broker.tlsUrl,
      topic: 'home/#',
      keys: [{ keyId: 1 }],
      credentialsFile: credentials,
      caFile: broker.caFile,
    });
    if (!config.ok) throw new Error('config');
    const refused = createMqttDriver().create(
      config.config,
      driverContext(deviceSpec(1, 'mqtt', config.config), scheduler),
    );
    await expect(refused.start!()).rejects.toThrow(/readable by group or others \(mode 644\): run chmod 600/);
    chmodSync(credentials, 0o600);
    const context = await startDevice(config.config);
    const pub = await connectPublisher(broker.url, { username: 'pi', password: 's3cret' });
    const seen = async (value: number): Promise<boolean> => {
      await pub.publishAsync('home/x', String(value));
      return context.emitted.some((r) => r.value === value);
    };
    await waitFor(() => seen(1), 10_000, 'a reading over TLS');
    await broker.stop();
    await waitFor(
      () => /connection lost|ECONNREFUSED|closed/i.test(context.logger.text('error')),
      10_000,
      'the loss',
    );
    await broker.start();
    await waitFor(() => seen(2), 20_000, 'a reading after the broker restart');
    expect(context.logger.text('info')).toMatch(/connected again/);
    expect(context.logger.records.filter((r) => r.level === 'error')).toHaveLength(1);
  });
});

describe('mqtt payloads and config', () => {
  it('parses numbers, JSON dot paths with array indexes, booleans, and says why a payload is bad', () => {
    const keys = [{ keyId: 1 }, { keyId: 2, path: 'a.b.1.c' }, { keyId: 3, path: 'contact' }];
    expect(parsePayload('42', keys)).toEqual({ ok: true, readings: [{ keyId: 1, value: 42 }] });
    expect(parsePayload('{"a":{"b":[{},{"c":"7.5"}]},"contact":false}', keys)).toEqual({
      ok: true,
      readings: [
        { keyId: 2, value: 7.5 },
        { keyId: 3, value: 0 },
      ],
    });
    expect(parsePayload('{"battery": 90}', keys)).toMatchObject({
      ok: true,
      readings: [],
      unmatched: expect.any(String),
    });
    expect(parsePayload('', keys)).toEqual({ ok: false, reason: 'empty payload' });
    expect(parsePayload('{"contact": [1]}', keys)).toEqual({
      ok: false,
      reason: 'not a number: contact = [1]',
    });
  });

  it('names each bad field', () => {
    const check = validateMqttConfig({ url: 'http://x', topic: 'a/#/b', keys: [{ keyId: -1 }], qos: 3 });
    expect(check.ok ? [] : check.problems.map((p) => p.field)).toEqual([
      'config.url',
      'config.topic',
      'config.qos',
      'config.keys[0].keyId',
    ]);
  });
});
