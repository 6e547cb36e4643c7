// The Monitor's MQTT output against Debian's mosquitto: topics, retained values, the last
// will, Home Assistant discovery documents, and a broker down for 30 s (ManualClock) with no
// reading lost from MongoDB (the real FerretDB).
import { spawn } from 'node:child_process';
import path from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Monitor } from '../../../../src/monitor/index.js';
import { recordFigure } from '../../../helpers/figures.js';
import { startMosquitto, type Mosquitto } from '../../../helpers/mosquitto.js';
import { waitFor } from '../../../helpers/wait.js';
import { useMonitorHarness, type RecordingLogger } from '../../fixtures/monitor-harness.js';

let broker: Mosquitto;
let subscriber: MqttClient | undefined;

beforeEach(async () => {
  broker = await startMosquitto();
});
afterEach(async () => {
  await subscriber?.endAsync();
  subscriber = undefined;
  await broker.dispose();
});
// Registered after the broker's hooks, so the monitors stop while the broker is still up.
const h = useMonitorHarness(() => ({
  prefix: 'mqtt_',
  clockAt: new Date('2026-06-01T00:00:00Z'),
  statePrefix: 'raspimon-mqtt-out-',
  keys: [
    { keyId: 1, unit: '°C', description: 'freezer temperature', decimals: 1 },
    { keyId: 2, unit: '%', description: 'relative humidity' },
    { keyId: 3, unit: 'W', description: 'active power' },
  ],
  devices: [
    { id: 3, name: 'freezer', driver: 'push', config: { keyIds: [1, 2] } },
    { id: 4, name: 'meter', driver: 'push', config: { keyIds: [3] } },
  ],
}));

const startMonitor = (
  mqttOptions: Record<string, unknown> = {},
): { monitor: Monitor; logger: RecordingLogger } =>
  h.monitor({
    pollSeconds: 3600,
    flushSeconds: 0.5,
    retry: { minSeconds: 1, maxSeconds: 4 },
    mqtt: { url: broker.url, ...mqttOptions },
    drivers: { push: h.push.definition },
  });

/** A subscriber that keeps the last payload of every topic (retained ones arrive on subscribe). */
async function subscribe(filters: string[]): Promise<Map<string, string>> {
  const last = new Map<string, string>();
  subscriber = await mqtt.connectAsync(broker.url, { reconnectPeriod: 50 });
  subscriber.on('message', (topic, payload) => last.set(topic, payload.toString()));
  await subscriber.subscribeAsync(filters, { qos: 1 });
  return last;
}

const emit = (deviceId: number, keyId: number, value: number): void =>
  h.push.contexts.get(deviceId)!.emit([{ keyId, value }]);

describe('MQTT output with Home Assistant discovery', () => {
  it('publishes retained values, online status and discovery documents; clears a removed device with an empty retained config', async () => {
    const { monitor } = startMonitor();
    await monitor.start();
    await waitFor(() => monitor.stats().mqttConnected === true, 10_000, 'the broker connection');
    emit(3, 1, -18.4);
    emit(3, 2, 55);
    emit(4, 3, 1250);
    await waitFor(() => monitor.stats().mqttPublished === 3, 5000, 'three publishes');
    const ns = h.db.databaseName;
    const last = await subscribe(['raspimon/#', 'homeassistant/#']);
    await waitFor(() => last.size >= 7, 5000, 'the retained messages');
    expect(last.get(`raspimon/${ns}/status`)).toBe('online');
    // Stored as -184 (one decimal), published as the value a person reads.
    expect(last.get(`raspimon/${ns}/freezer/1`)).toBe('-18.4');
    expect(last.get(`raspimon/${ns}/freezer/2`)).toBe('55');
    expect(last.get(`raspimon/${ns}/meter/3`)).toBe('1250');
    const doc = JSON.parse(last.get(`homeassistant/sensor/${ns}_3_1/config`)!) as Record<string, unknown>;
    // The fields Home Assistant's MQTT sensor discovery schema reads.
    expect(doc).toEqual({
      name: 'freezer temperature',
      unique_id: `${ns}_3_1`,
      state_topic: `raspimon/${ns}/freezer/1`,
      unit_of_measurement: '°C',
      device_class: 'temperature',
      state_class: 'measurement',
      availability_topic: `raspimon/${ns}/status`,
      payload_available: 'online',
      payload_not_available: 'offline',
      device: { name: 'freezer', model: 'raspimon', manufacturer: 'raspimon', identifiers: [`${ns}_3`] },
    });
    expect(JSON.parse(last.get(`homeassistant/sensor/${ns}_3_2/config`)!)).toMatchObject({
      device_class: 'humidity',
      unit_of_measurement: '%',
    });
    expect(JSON.parse(last.get(`homeassistant/sensor/${ns}_4_3/config`)!)).toMatchObject({
      device_class: 'power',
      device: { name: 'meter' },
    });

    // A new value replaces the retained one; a removed device's discovery is cleared.
    emit(3, 1, -19);
    await waitFor(() => last.get(`raspimon/${ns}/freezer/1`) === '-19', 5000, 'the new value');
    await h.db.collection('devices').deleteOne({ id: 4 });
    await monitor.reload();
    await waitFor(() => last.get(`homeassistant/sensor/${ns}_4_3/config`) === '', 5000, 'the empty config');

    // A clean stop says offline itself.
    await monitor.stop();
    await waitFor(() => last.get(`raspimon/${ns}/status`) === 'offline', 5000, 'offline after stop');
  });

  it('the last will says offline when the publishing process dies without a clean stop', async () => {
    const ns = h.db.databaseName;
    const last = await subscribe([`raspimon/${ns}/status`]);
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(import.meta.dirname, 'fixtures/output-child.ts'), broker.url, ns],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    await waitFor(() => out.includes('connected'), 20_000, 'the child to connect');
    await waitFor(() => last.get(`raspimon/${ns}/status`) === 'online', 5000, 'online');
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    await waitFor(() => last.get(`raspimon/${ns}/status`) === 'offline', 10_000, 'the last will');
  });

  it('with the broker down for 30 s, every reading still reaches MongoDB; publishes wait in the bounded buffer (oldest dropped, counted, reported once) and resume', async () => {
    const { monitor, logger } = startMonitor({ maxBuffered: 20 });
    await monitor.start();
    await waitFor(() => monitor.stats().mqttConnected === true, 10_000, 'the broker connection');
    const ns = h.db.databaseName;
    let value = 0;
    for (; value < 5; value++) {
      emit(3, 2, value);
      await h.clock.advance(1);
    }
    await broker.stop();
    await waitFor(() => monitor.stats().mqttConnected === false, 10_000, 'the loss to be seen');
    // 30 s of readings, one a second, on the ManualClock: reconnect attempts fire and fail.
    for (let second = 0; second < 30; second++, value++) {
      emit(3, 2, value);
      await h.clock.advance(1);
    }
    recordFigure({
      id: 'mqtt-out.broker-down-30s.dropped',
      label:
        'publishes dropped (oldest first) from a 20-message buffer during a 30 s broker outage at 1 reading/s',
      value: monitor.stats().mqttDropped ?? -1,
      unit: 'publishes',
      bound: '= 10',
    });
    expect(monitor.stats()).toMatchObject({ mqttBuffered: 20, mqttDropped: 10 });
    const warnings = logger.records.filter((r) => /mqtt output/.test(r.message) && r.level === 'warning');
    expect(warnings).toHaveLength(1);
    await broker.start();
    await waitFor(
      async () => {
        await h.clock.advance(1);
        return monitor.stats().mqttConnected === true && monitor.stats().mqttBuffered === 0;
      },
      20_000,
      'the reconnect and the drained buffer',
    );
    const last = await subscribe([`raspimon/${ns}/#`]);
    await waitFor(() => last.get(`raspimon/${ns}/freezer/2`) === String(value - 1), 5000, 'the latest value');
    expect(logger.text('warning')).toMatch(/broker back; 10 oldest publishes were dropped .* 20 sent now/);
    const stored = async () =>
      (await h.db.collection('readings').find({ id: 3, keyId: 2 }).sort({ ts: 1 }).toArray()).map(
        (d) => d.value as number,
      );
    await waitFor(
      async () => {
        await h.clock.advance(1);
        return (await stored()).length === value;
      },
      10_000,
      'every reading in MongoDB',
    );
    const lost = value - (await stored()).length;
    recordFigure({
      id: 'mqtt-out.broker-down-30s.lost-from-mongodb',
      label: 'readings lost from MongoDB while the MQTT broker was down for 30 s',
      value: lost,
      unit: 'readings',
      bound: '= 0',
    });
    expect(lost).toBe(0);
    expect(await stored()).toEqual(Array.from({ length: value }, (_, i) => i));
    expect(monitor.stats().mqttDropped).toBe(10);
  });
});
