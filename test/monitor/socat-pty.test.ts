import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { ReadlineParser, SerialPort } from 'serialport';
import { afterEach, describe, expect, it } from 'vitest';
import { startPtyPair, type PtyPair } from '../helpers/socat.js';

let pair: PtyPair | undefined;
afterEach(async () => {
  await pair?.dispose();
  pair = undefined;
});

function openPort(path: string): Promise<SerialPort> {
  const port = new SerialPort({ path, baudRate: 9600, autoOpen: false });
  return new Promise((resolve, reject) => port.open((error) => (error ? reject(error) : resolve(port))));
}

describe('socat PTY pair', () => {
  it('carries lines written to one end to a SerialPort reading the other, also after close and reopen', async () => {
    pair = await startPtyPair();
    const sensor = await openPort(pair.peer);
    const device = await openPort(pair.device);
    const lines = device.pipe(new ReadlineParser({ delimiter: '\n' }));
    const first = once(lines, 'data');
    sensor.write('temp=2150\n');
    expect((await first)[0]).toBe('temp=2150');

    // Unplugged: socat exits and both links vanish (serialport itself is not told on a PTY,
    // which is why the serial-line driver watches its device node).
    await pair.close();
    expect(existsSync(pair.device)).toBe(false);
    await new Promise<void>((resolve) => device.close(() => resolve()));
    await new Promise<void>((resolve) => sensor.close(() => resolve()));

    await pair.reopen();
    const sensor2 = await openPort(pair.peer);
    const device2 = await openPort(pair.device);
    const lines2 = device2.pipe(new ReadlineParser({ delimiter: '\n' }));
    const again = once(lines2, 'data');
    sensor2.write('7 42\n');
    expect((await again)[0]).toBe('7 42');
    await new Promise<void>((resolve) => device2.close(() => resolve()));
    await new Promise<void>((resolve) => sensor2.close(() => resolve()));
  });
});
