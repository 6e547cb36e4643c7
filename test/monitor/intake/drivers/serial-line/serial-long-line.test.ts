// Issue 17 MEDIUM: a serial line without newlines. The readline parser kept 8 MB of 'A' and
// rescanned it at every chunk; the serial-line driver now holds at most maxLineBytes (default
// 4 KiB), drops the line up to its newline, counts it and reports it once.
import { SerialPort } from 'serialport';
import { afterEach, describe, expect, it } from 'vitest';
import { createSerialLineDriver } from '../../../../../src/monitor/index.js';
import { BoundedLines } from '../../../../../src/monitor/intake/drivers/serial-line/bounded-lines.js';
import { recordFigure } from '../../../../helpers/figures.js';
import { startPtyPair } from '../../../../helpers/socat.js';
import { waitFor } from '../../../../helpers/wait.js';
import { monitorHarness } from '../../../fixtures/monitor-harness.js';

const eightMB = 8 * 1024 * 1024;
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('a serial line without newlines', () => {
  it('BoundedLines: 8 MB of A in 1,000-byte chunks holds at most 4,096 bytes, scans each byte once, then splits good lines', () => {
    const lines: string[] = [];
    let tooLong = 0;
    const splitter = new BoundedLines(
      4096,
      (l) => lines.push(l),
      () => tooLong++,
    );
    const chunk = Buffer.alloc(1000, 'A');
    let sent = 0;
    for (; sent < eightMB; sent += chunk.length) splitter.push(chunk);
    splitter.push(Buffer.from('1 42\n1 43\r\n'));
    splitter.push(Buffer.from('1 4'));
    splitter.push(Buffer.from('4\n'));
    recordFigure({
      id: 'serial.no-newline.held-bytes',
      label: '8 MB without a newline: most bytes the serial-line splitter held (default maxLineBytes)',
      value: splitter.maxHeldBytes,
      unit: 'B',
      bound: '≤ 4096',
    });
    expect(splitter.maxHeldBytes).toBeLessThanOrEqual(4096);
    expect(splitter.scannedBytes).toBe(sent + 11 + 3 + 2);
    expect(tooLong).toBe(1);
    // '1 42' ended the 8 MB line, so it went with it; the lines after it are read.
    expect(lines).toEqual(['1 43', '1 44']);
  });

  it('through a socat PTY: 8 MB of A, then good lines are read; one report, counted as malformed; maxLineBytes validated', async () => {
    const pair = await startPtyPair();
    cleanups.push(() => pair.dispose());
    const h = await monitorHarness({
      prefix: 'long_',
      keys: [{ keyId: 1, unit: 'n' }],
      devices: [
        { id: 1, name: 'chatty', driver: 'serial-line', config: { path: pair.device } },
        { id: 2, name: 'bad', driver: 'serial-line', config: { path: pair.device, maxLineBytes: 8 } },
      ],
    });
    cleanups.push(() => h.dispose());
    const { monitor, logger } = h.monitor({
      flushSeconds: 0.05,
      pollSeconds: 3600,
      drivers: { 'serial-line': createSerialLineDriver() },
    });
    await monitor.start();
    expect(logger.text()).toMatch(
      /device 2 "bad": config\.maxLineBytes must be an integer from 16 to 1048576 .*got 8 .*this device is skipped/,
    );
    const sensor = new SerialPort({ path: pair.peer, baudRate: 9600, autoOpen: false });
    await new Promise<void>((resolve, reject) => sensor.open((e) => (e ? reject(e) : resolve())));
    cleanups.push(() => new Promise<void>((resolve) => sensor.close(() => resolve())));
    const block = Buffer.alloc(256 * 1024, 'A');
    for (let sent = 0; sent < eightMB; sent += block.length) {
      sensor.write(block);
      await new Promise<void>((resolve) => sensor.drain(() => resolve()));
    }
    sensor.write('1 42\n1 43\n1 44\n');
    const stored = async (): Promise<number[]> =>
      (await h.db.collection('readings').find({ id: 1 }).toArray()).map((d) => d.value as number).sort();
    await waitFor(
      async () => (await monitor.flush()) && (await stored()).length === 2,
      30_000,
      'the good lines',
    );
    expect(await stored()).toEqual([43, 44]);
    const reports = logger.records.filter((r) => r.context?.code === 'ERR_SERIAL_LINE_TOO_LONG');
    expect(reports).toHaveLength(1);
    expect(reports[0]!.message).toMatch(/longer than maxLineBytes \(4096 bytes; no newline\?\)/);
  }, 60_000);
});
