// MQTT output messages/s: readings published by the Monitor's MQTT output (retained, QoS 1,
// one topic per key) beside MQTT.js alone publishing the same messages, both to Debian's
// mosquitto on loopback and timed until a subscriber has received every one. Goal: ≥ 0.8.
import mqtt from 'mqtt';
import type { ValidatedConfig } from '../src/monitor/config/validate.js';
import { MqttOutput, resolveMqttOutput } from '../src/monitor/outputs/mqtt/output.js';
import { Scheduler } from '../src/scheduler/index.js';
import { startMosquitto } from '../test/helpers/mosquitto.js';
import { report, type Figure } from './lib/report.js';

const N = Number(process.env.RASPIMON_BENCH_MQTT_MESSAGES ?? 20_000);
const KEYS = 50;
const ROUNDS = 6;
const silent = { debug() {}, info() {}, warning() {}, error() {}, alert() {} };
const broker = await startMosquitto();
const scheduler = new Scheduler().start();
const subscriber = await mqtt.connectAsync(broker.url);
let received = 0;
subscriber.on('message', () => received++);
await subscriber.subscribeAsync('bench/ns/meter/#', { qos: 0 });

async function untilReceived(count: number): Promise<void> {
  while (received < count) await new Promise((r) => setTimeout(r, 2));
}

/** MQTT.js alone: the same topics and payloads, retained QoS 1. */
async function peer(round: number): Promise<number> {
  const client = await mqtt.connectAsync(broker.url, { clientId: `bench-peer-${round}` });
  received = 0;
  const t = performance.now();
  for (let i = 0; i < N; i++)
    client.publish(`bench/ns/meter/${i % KEYS}`, String(i), { qos: 1, retain: true });
  await untilReceived(N);
  const rate = N / ((performance.now() - t) / 1000);
  await client.endAsync();
  return rate;
}

/** raspimon: readings through the output's reading listener, as the monitor calls it. */
async function ours(round: number): Promise<number> {
  const options = resolveMqttOutput({ url: broker.url, prefix: 'bench', clientId: `bench-ours-${round}` })!;
  const output = new MqttOutput(options, {
    namespace: 'ns',
    scheduler,
    logger: silent,
    retry: { minSeconds: 1, maxSeconds: 2 },
  });
  await output.start();
  while (!output.stats().connected) await new Promise((r) => setTimeout(r, 5));
  const device = {
    ...{ id: 1, name: 'meter', description: '', vendorId: undefined, productId: undefined },
    ...{ driver: 'modbus', config: {}, intervalSeconds: 1, enabled: true },
    keyIds: Array.from({ length: KEYS }, (_, k) => k),
  };
  const config: ValidatedConfig = {
    devices: [device],
    disabled: [],
    keys: new Map(),
    rules: [],
    problems: [],
  };
  output.apply(config);
  received = 0;
  const t = performance.now();
  for (let i = 0; i < N; i++) output.listener(1, i % KEYS, i);
  await untilReceived(N);
  const rate = N / ((performance.now() - t) / 1000);
  await output.stop();
  return rate;
}

const best = { ours: 0, peer: 0 };
const ratios: number[] = [];
try {
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate who goes first, so neither always meets a warmer broker.
    const first = round % 2 === 1 ? await ours(round) : 0;
    const theirs = await peer(round);
    const mine = round % 2 === 0 ? await ours(round) : first;
    best.ours = Math.max(best.ours, mine);
    best.peer = Math.max(best.peer, theirs);
    ratios.push(mine / theirs);
  }
  const metric = 'messages/s, retained QoS 1, to mosquitto on loopback';
  const figures: Figure[] = [
    { who: 'raspimon', metric, value: Math.round(best.ours), unit: 'messages/s', lowerIsBetter: false },
    {
      who: 'MQTT.js client alone',
      metric,
      value: Math.round(best.peer),
      unit: 'messages/s',
      lowerIsBetter: false,
    },
  ];
  report('mqtt-out', figures);
  console.log(
    `\nratio raspimon / MQTT.js: best ${(best.ours / best.peer).toFixed(2)}, median of paired rounds ${median(ratios).toFixed(2)} (goal ≥ 0.8; ${ROUNDS} rounds of ${N} messages)`,
  );
} finally {
  await subscriber.endAsync();
  await scheduler.stop();
  await broker.dispose();
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
