// Pure parsing of what drivers read: serial lines, port listings, sensor files, /proc/meminfo.
import { describe, expect, it } from 'vitest';
import { parseLine } from '../../../../../src/tools/index.js';
import { findPort } from '../../../../../src/monitor/intake/drivers/serial-line/serial-line.js';

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
