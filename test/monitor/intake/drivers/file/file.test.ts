// The file driver (src/monitor/intake/drivers/file/): the pure value parser, then the driver
// as the monitor creates it, reading a real file.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DriverError } from '../../../../../src/errors/index.js';
import { valueFromFileText } from '../../../../../src/monitor/intake/drivers/file/file.js';
import { tempDir } from '../../../support.js';
import { createDriver as create } from '../support.js';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => (tmp = tempDir('raspimon-file-driver-')));
afterEach(() => tmp.remove());

describe('file driver value', () => {
  it('applies scale and offset, keeping fractions (the key decimals round later); a file without a number is a device error', () => {
    expect(valueFromFileText('21562\n', 1, 0, 'f')).toBe(21562);
    expect(valueFromFileText('21.562', 1000, -500, 'f')).toBe(21062);
    expect(valueFromFileText('-18562', 0.001, 0, 'f')).toBeCloseTo(-18.562, 9);
    expect(() => valueFromFileText('', 1, 0, '/sys/t')).toThrow(/holds no number/);
    expect(() => valueFromFileText('72 01 4b 46 : crc=57 YES', 1, 0, '/sys/t')).toThrow(
      /DriverError|holds no number/,
    );
  });
});

describe('file driver', () => {
  it('reads a DS18B20-style temperature file with scale and offset; no number is a device error', async () => {
    const file = path.join(tmp.dir, 'temperature');
    writeFileSync(file, '21562\n');
    expect(await create('file', { path: file, keyId: 4 }).read()).toEqual([{ keyId: 4, value: 21562 }]);
    const [scaled] = (await create('file', {
      path: file,
      keyId: 4,
      scale: 0.1,
      offset: -100,
    }).read()) as Array<{
      keyId: number;
      value: number;
    }>;
    expect(scaled!.keyId).toBe(4);
    expect(scaled!.value).toBeCloseTo(2056.2, 9);
    writeFileSync(file, 'not ready\n');
    await expect(create('file', { path: file, keyId: 4 }).read()).rejects.toBeInstanceOf(DriverError);
  });
});
