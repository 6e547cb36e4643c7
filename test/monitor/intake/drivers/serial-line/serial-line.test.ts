import { SerialPort } from 'serialport';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSerialLineDriver } from '../../../../../src/tools/index.js';
import { startPtyPair, type PtyPair } from '../../../../helpers/socat.js';
import { useMonitorHarness } from '../../../fixtures/monitor-harness.js';
import { waitFor } from '../../../../helpers/wait.js';

let pair: PtyPair;
let sensor: SerialPort | undefined;

beforeEach(async () => {
  pair = await startPtyPair();
});
afterEach(async () => {
  if (sensor?.isOpen) await new Promise<void>((resolve) => sensor!.close(() => resolve()));
  await pair.dispose();
});
// Registered after the PTY's hooks, so the monitor stops before its port goes away.
const h = useMonitorHarness(() => ({ prefix: 'ser_' }));

function openSensor(path: string): Promise<SerialPort> {
  const port = new SerialPort({ path, baudRate: 9600, autoOpen: false });
  return new Promise((resolve, reject) => port.open((error) => (error ? reject(error) : resolve(port))));
}

async function values(keyId: number): Promise<number[]> {
  const docs = await h.db.collection('readings').find({ id: 1, keyId }).sort({ ts: 1 }).toArray();
  return docs.map((d) => d.value as number);
}

describe('serial-line driver through a socat PTY pair', () => {
  it('finds the port by vendorId/productId in a Pi-shaped listing, parses lines, counts malformed ones, resumes after unplug and replug', async () => {
    await h.db.collection('keys').insertMany([
      { keyId: 1, unit: 'c°C', description: 'temperature' },
      { keyId: 2, unit: '%', description: 'humidity' },
      { keyId: 3, unit: 'Pa', description: 'pressure' },
    ]);
    // Uppercase ids in the document, lowercase in the listing, as on a Windows-edited config.
    await h.db.collection('devices').insertOne({
      id: 1,
      name: 'arduino',
      vendorId: '1A86',
      productId: '7523',
      driver: 'serial-line',
      config: { baudRate: 9600, keys: { temp: 1, hum: 2 } },
    });
    const listing = [
      { path: '/dev/ttyAMA0' },
      { path: '/dev/ttyUSB0', manufacturer: 'FTDI', vendorId: '0403', productId: '6001' },
      {
        path: '/dev/ttyACM0',
        manufacturer: 'Arduino (www.arduino.cc)',
        pnpId: 'usb-Arduino__www.arduino.cc__0043-if00',
        vendorId: '2341',
        productId: '0043',
      },
      {
        path: pair.device,
        manufacturer: '1a86',
        pnpId: 'usb-1a86_USB_Serial-if00-port0',
        vendorId: '1a86',
        productId: '7523',
      },
    ];
    const { monitor, logger } = h.monitor({
      flushSeconds: 0.05,
      pollSeconds: 3600,
      retry: { minSeconds: 0.1, maxSeconds: 0.3 },
      drivers: { 'serial-line': createSerialLineDriver({ list: async () => listing }) },
    });
    await monitor.start();
    expect(logger.text('error')).toBe('');
    sensor = await openSensor(pair.peer);
    sensor.write('temp=2150 hum=40\n{"keyId": 3, "value": 101325}\nthis is noise\n7 5\n');
    await waitFor(async () => (await values(3)).length === 1, 5000, 'the JSON line');
    expect(await values(1)).toEqual([2150]);
    expect(await values(2)).toEqual([40]);
    expect(logger.text('warning')).toMatch(
      /malformed line from .*ttyDEVICE \(1 so far\): not NAME=VALUE, KEYID VALUE or JSON: "this is noise"/,
    );
    expect(monitor.stats().rejectedUnknownKey).toBe(1);

    // Unplugged: the PTY vanishes; the driver notices, the monitor retries with backoff.
    await pair.close();
    await waitFor(() => /serial port .* closed/.test(logger.text('error')), 5000, 'the unplug to be noticed');
    await new Promise<void>((resolve) => sensor!.close(() => resolve()));
    await waitFor(() => /start failed/.test(logger.text('error')), 10_000, 'a failed restart');
    await pair.reopen();
    sensor = await openSensor(pair.peer);
    let n = 0;
    await waitFor(
      async () => {
        sensor!.write(`temp=${2200 + n++}\n`);
        return (await values(1)).some((v) => v >= 2200);
      },
      10_000,
      'readings after the replug',
    );
    expect(monitor.devices().map((d) => [d.name, d.vendorId])).toEqual([['arduino', '1a86']]);
  });
});
