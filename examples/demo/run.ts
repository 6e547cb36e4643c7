// `npm run demo`: the main job on embedded defaults. Starts a local MongoDB-compatible
// server (FerretDB), an SMTP sink, the mail-logger daemon and a monitor with the `system`
// driver and a simulated serial sensor; shows readings arriving, hot-adds a device with
// SIGHUP, then sends the daily digest and prints the mails it produced.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { getDeviceNamespace } from 'raspimon/identity';
import { MailLoggerClient, MailLoggerServer } from 'raspimon/mail-logger';
import { Monitor } from 'raspimon/monitor';
import { Scheduler } from 'raspimon/scheduler';
import { startFerretDB } from '../../test/helpers/ferretdb.js';
import { SmtpSink } from '../../test/helpers/smtp-sink.js';
import { startPtyPair } from '../../test/helpers/socat.js';
import { renderTable, type TableRow } from './live-table.js';
import { startOneWireFile, startSerialSensor } from './sensors.js';

const seconds = Number(process.env.DEMO_SECONDS ?? 30);
const live = process.stdout.isTTY && !process.env.CI;
const say = (text: string): void => console.log(`demo: ${text}`);
const dir = mkdtempSync(path.join(tmpdir(), 'raspimon-demo-'));

say('starting FerretDB (MongoDB-compatible, SQLite backend), an SMTP sink and a socat PTY pair…');
const [database, sink, pty] = await Promise.all([startFerretDB(), SmtpSink.start(), startPtyPair()]);

let namespace: string;
try {
  namespace = getDeviceNamespace();
  say(`device identity: ${namespace} (from this machine's wired MAC)`);
} catch (error) {
  namespace = 'raspimon_demo';
  say(`device identity failed, using ${namespace}: ${(error as Error).message}`);
}

// The configuration lives in the database, as on a real device.
const keys = [
  { keyId: 1, unit: 'load × 100', description: '1-minute load average' },
  { keyId: 2, unit: 'kB', description: 'memory available' },
  { keyId: 3, unit: 'MiB', description: 'disk free on /' },
  { keyId: 4, unit: 's', description: 'uptime' },
  { keyId: 5, unit: 'm°C', description: 'CPU temperature' },
  { keyId: 10, unit: '0.1 °C', description: 'air temperature' },
  { keyId: 11, unit: '%RH', description: 'relative humidity' },
  { keyId: 20, unit: 'm°C', description: 'boiler pipe temperature' },
];
const systemKeys: Record<string, number> = { load1: 1, memAvailable: 2, diskFree: 3, uptime: 4 };
if (existsSync('/sys/class/thermal/thermal_zone0/temp')) systemKeys.cpuTemperature = 5;
const devices = [
  {
    id: 1,
    name: 'pi',
    description: 'this Raspberry Pi',
    driver: 'system',
    config: { keys: systemKeys },
    interval: 2,
  },
  {
    id: 2,
    name: 'thermo',
    description: 'serial thermometer/hygrometer (simulated through socat)',
    vendorId: '1a86',
    productId: '7523',
    driver: 'serial-line',
    config: { path: pty.device, baudRate: 9600, keys: { T: 10, H: 11 } },
  },
];
const admin = new MongoClient(database.uri);
const db = admin.db(namespace);
await db.collection('keys').insertMany(keys);
await db.collection('devices').insertMany(devices);

// The mail-logger daemon, with credentials in a 0600 file as in production.
const credentials = path.join(dir, 'mail_credentials');
writeFileSync(
  credentials,
  JSON.stringify({ smtp: sink.url, from: 'pi@example.org', to: 'team@example.org' }),
  {
    mode: 0o600,
  },
);
const scheduler = new Scheduler().start();
const mailServer = await MailLoggerServer.start({
  credentials,
  listen: `unix://${path.join(dir, 'mail-logger.sock')}`,
  stateDir: path.join(dir, 'mail-logger'),
  scheduler,
});

// From here on it is examples/main.ts, with the demo's addresses.
const logger = MailLoggerClient.open(`unix://${path.join(dir, 'mail-logger.sock')}`, { source: namespace });
const monitor = new Monitor({
  uri: database.uri,
  namespace,
  scheduler,
  logger,
  pollSeconds: 5,
  stateDir: path.join(dir, 'monitor'),
});
monitor.handleSignals({ onStop: () => undefined });
await monitor.start();
logger.info(`demo: monitoring ${namespace}`);
const serial = startSerialSensor(pty.peer);
const oneWire = path.join(dir, 'temperature');
const boiler = startOneWireFile(oneWire);
say(`monitor started with ${monitor.devices().length} devices; readings for ${seconds} s…\n`);

const names = new Map<number, string>([
  [3, 'boiler'],
  ...devices.map((d) => [d.id, d.name] as [number, string]),
]);
const units = new Map(keys.map((k) => [k.keyId, k.unit]));
const startedAt = Date.now();
let addedBoiler = false;
let lastPrinted = 0;
while (Date.now() - startedAt < seconds * 1000) {
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const elapsed = (Date.now() - startedAt) / 1000;
  if (!addedBoiler && elapsed >= seconds / 3) {
    // Hot reload as an operator would do it: a document in the database, then SIGHUP.
    addedBoiler = true;
    await db.collection('devices').insertOne({
      id: 3,
      name: 'boiler',
      description: 'DS18B20 1-Wire probe (seed-style pyClass/pyConf)',
      pyClass: 'file',
      pyConf: `{'path': '${oneWire}', 'keyId': 20}`,
      interval: 1,
    });
    process.kill(process.pid, 'SIGHUP');
    say('added device 3 "boiler" to the database and sent SIGHUP');
  }
  const latest = await monitor.latest();
  const rows: TableRow[] = latest.map((r) => ({
    device: `${r.id} ${names.get(r.id) ?? '?'}`,
    keyId: r.keyId,
    unit: units.get(r.keyId) ?? '',
    value: r.value,
    ts: r.ts,
  }));
  const s = monitor.stats();
  const summary = `${elapsed.toFixed(0)} s: ${s.written} readings stored, ${s.devices} devices, ${sink.messages.length} mail(s) sent`;
  if (live) {
    process.stdout.write(`\x1b[2J\x1b[H${renderTable(rows, summary)}\n`);
  } else if (elapsed - lastPrinted >= 10 || elapsed >= seconds) {
    lastPrinted = elapsed;
    console.log(`${renderTable(rows, summary)}\n`);
  }
}

serial.stop();
boiler.stop();
await monitor.stop();
const stats = monitor.stats();
const stored = await db.collection('readings').countDocuments();
const perDevice = await db
  .collection('readings')
  .aggregate<{ _id: number; n: number }>([{ $group: { _id: '$id', n: { $sum: 1 } } }, { $sort: { _id: 1 } }])
  .toArray();
say(
  `stopped: ${stored} readings in ${namespace}.readings (${perDevice.map((d) => `device ${d._id}: ${d.n}`).join(', ')})`,
);

say('sending the daily digest now (normally at 08:00)…');
await logger.flush();
await mailServer.sendDigest('daily');
const deadline = Date.now() + 10_000;
while (!sink.messages.some((m) => /digest/i.test(m.subject)) && Date.now() < deadline) {
  await new Promise((resolve) => setTimeout(resolve, 100));
}
for (const mail of sink.messages) {
  console.log(`\n──── mail to ${mail.to}: ${mail.subject}\n${mail.text.trim()}`);
}

await logger.close();
await mailServer.close();
await scheduler.stop();
await admin.close();
await Promise.all([database.dispose(), sink.close(), pty.dispose()]);
rmSync(dir, { recursive: true, force: true });

// CI runs the demo too: it must have stored readings from every device and mailed a digest.
const problems: string[] = [];
for (const id of [1, 2, 3])
  if (!perDevice.some((d) => d._id === id && d.n > 0)) problems.push(`no readings from device ${id}`);
if (!sink.messages.some((m) => /digest/i.test(m.subject))) problems.push('no digest mail arrived');
if (stats.dropped > 0) problems.push(`${stats.dropped} readings dropped`);
if (problems.length > 0) {
  console.error(`\ndemo FAILED: ${problems.join('; ')}`);
  process.exit(1);
}
say(`ok: ${stored} readings from 3 devices, ${sink.messages.length} mail(s)`);
