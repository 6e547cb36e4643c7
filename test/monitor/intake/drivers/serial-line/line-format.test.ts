// Pure parsing of what drivers read: serial lines, port listings, sensor files, /proc/meminfo.
import { describe, expect, it } from 'vitest';
import { parseLine } from '../../../../../src/monitor/index.js';
import { findPort } from '../../../../../src/monitor/intake/drivers/serial-line/serial-line.js';
import { valueFromFileText } from '../../../../../src/monitor/intake/drivers/file/file.js';
import { parseMeminfo } from '../../../../../src/monitor/intake/drivers/system/system.js';

describe('serial line format', () => {
  it('parses NAME=VALUE pairs through the keys map, KEYID VALUE, and JSON', () => {
    expect(parseLine('temp=2150 hum=40\r', { temp: 1, hum: 2 })).toEqual({
      ok: true,
      readings: [
        { keyId: 1, value: 2150 },
        { keyId: 2, value: 40 },
      ],
    });
    expect(parseLine('temp=-5;hum=41', { temp: 1, hum: 2 })).toEqual({
      ok: true,
      readings: [
        { keyId: 1, value: -5 },
        { keyId: 2, value: 41 },
      ],
    });
    expect(parseLine('7 -12', {})).toEqual({ ok: true, readings: [{ keyId: 7, value: -12 }] });
    expect(parseLine('{"keyId": 3, "value": 99}', {})).toEqual({
      ok: true,
      readings: [{ keyId: 3, value: 99 }],
    });
    expect(parseLine('[{"keyId": 3, "value": 1}, {"keyId": 4, "value": 2}]', {})).toEqual({
      ok: true,
      readings: [
        { keyId: 3, value: 1 },
        { keyId: 4, value: 2 },
      ],
    });
    expect(parseLine('   ', {})).toEqual({ ok: true, readings: [] });
  });

  it.each([
    'garbage',
    'temp=abc',
    'unknown=5',
    '=5',
    '{"keyId": "3", "value": 1}',
    '{not json',
    '1 2 3',
    'x 5',
  ])('rejects %j with a reason', (line) => {
    const result = parseLine(line, { temp: 1 });
    expect(result.ok).toBe(false);
  });
});

describe('port discovery', () => {
  // Shaped like SerialPort.list() on a Raspberry Pi with an FTDI adapter and an Arduino.
  const piPorts = [
    { path: '/dev/ttyAMA0', manufacturer: undefined, vendorId: undefined, productId: undefined },
    {
      path: '/dev/ttyUSB0',
      manufacturer: 'FTDI',
      serialNumber: 'A50285BI',
      pnpId: 'usb-FTDI_FT232R_USB_UART_A50285BI-if00-port0',
      vendorId: '0403',
      productId: '6001',
    },
    {
      path: '/dev/ttyACM0',
      manufacturer: 'Arduino (www.arduino.cc)',
      pnpId: 'usb-Arduino__www.arduino.cc__0043-if00',
      vendorId: '2341',
      productId: '0043',
    },
  ];

  it('matches vendorId/productId case-insensitively (Windows reports uppercase hex)', () => {
    expect(findPort(piPorts, '2341', '0043')?.path).toBe('/dev/ttyACM0');
    expect(
      findPort([{ path: 'COM3', vendorId: '0403', productId: '6001'.toUpperCase() }], '0x0403', '6001')?.path,
    ).toBe('COM3');
    expect(findPort(piPorts, '1a86', '7523')).toBeUndefined();
  });
});

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

  it('parses /proc/meminfo', () => {
    expect(
      parseMeminfo('MemTotal:        3884360 kB\nMemAvailable:    2000000 kB\n').get('MemAvailable'),
    ).toBe(2_000_000);
  });
});
