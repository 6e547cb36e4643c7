import { afterAll, describe, expect, it } from 'vitest';
import { MissingPeerError } from '../../../../src/monitor/errors.js';
import {
  createModbusDriver,
  validateModbusConfig,
} from '../../../../src/monitor/intake/drivers/modbus/modbus.js';
import { createMqttDriver, validateMqttConfig } from '../../../../src/monitor/intake/drivers/mqtt/mqtt.js';
import { MqttOutput, resolveMqttOutput } from '../../../../src/monitor/outputs/mqtt/output.js';
import { realScheduler, recordingLogger } from '../../support.js';
import { deviceSpec, driverContext } from './driver-context.js';

const scheduler = realScheduler();
afterAll(() => scheduler.stop());

/** As Node says it when a package is not installed. */
const missing = (name: string): Promise<never> =>
  Promise.reject(Object.assign(new Error(`Cannot find package '${name}'`), { code: 'ERR_MODULE_NOT_FOUND' }));

describe('mqtt and modbus-serial are optional peers, loaded on first use', () => {
  it('a modbus device without modbus-serial fails to start with the npm command that fixes it', async () => {
    const check = validateModbusConfig({
      path: '/dev/ttyUSB0',
      points: [{ keyId: 1, unitId: 1, register: 0, kind: 'input' }],
    });
    if (!check.ok) throw new Error('config');
    const driver = createModbusDriver({ importer: missing }).create(
      check.config,
      driverContext(deviceSpec(1, 'modbus', check.config), scheduler),
    );
    const error = await Promise.resolve(driver.start!()).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(MissingPeerError);
    expect((error as MissingPeerError).message).toMatch(
      /"modbus-serial" for modbus devices.*npm i modbus-serial/,
    );
  });

  it('an mqtt device and the mqtt output without mqtt say to install it', async () => {
    const check = validateMqttConfig({ url: 'mqtt://127.0.0.1:1', topic: 't', keys: [{ keyId: 1 }] });
    if (!check.ok) throw new Error('config');
    const driver = createMqttDriver({ importer: missing }).create(
      check.config,
      driverContext(deviceSpec(1, 'mqtt', check.config), scheduler),
    );
    await expect(driver.start!()).rejects.toThrow(/npm i mqtt/);
    const output = new MqttOutput(resolveMqttOutput({ url: 'mqtt://127.0.0.1:1' })!, {
      namespace: 'raspimon_x',
      scheduler,
      logger: recordingLogger(),
      retry: { minSeconds: 1, maxSeconds: 2 },
      importer: missing,
    });
    await expect(output.start()).rejects.toBeInstanceOf(MissingPeerError);
  });

  it('options.mqtt is checked at the call, naming the field', () => {
    expect(() => resolveMqttOutput({ url: 'http://x' })).toThrow(
      /options.mqtt.url must be mqtt:\/\/host:port/,
    );
    expect(() => resolveMqttOutput({ url: 'mqtt://x', prefix: 'a/#' })).toThrow(
      /options.mqtt.prefix must be a topic without/,
    );
    expect(() => resolveMqttOutput({ url: 'mqtt://x', maxBuffered: 0 })).toThrow(/options.mqtt.maxBuffered/);
    expect(() => resolveMqttOutput({ url: 'mqtt://x', retain: false })).toThrow(
      /options.mqtt.retain is not a known option/,
    );
    expect(resolveMqttOutput({ url: 'mqtt://x' })).toMatchObject({
      prefix: 'raspimon',
      discoveryPrefix: 'homeassistant',
      maxBuffered: 10000,
    });
  });
});
