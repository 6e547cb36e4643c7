import { readFile } from 'node:fs/promises';
import { DriverError } from '../../../errors.js';
import type { DriverConfigProblem, DriverDefinition } from '../../../types.js';
import { checkKeyId, checkNumber, checkString, unknownFields } from '../config-fields.js';

/**
 * Parses the number a sensor file holds (e.g. a DS18B20 `temperature` file: `"23125\n"`)
 * and applies `value × scale + offset` (a plain number, fractions kept: the monitor then
 * stores round(value × 10^decimals) of the key). Throws a {@link DriverError} when the
 * file holds no number: that is a device fault, not a reading.
 */
export function valueFromFileText(text: string, scale: number, offset: number, path: string): number {
  const trimmed = text.trim();
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(trimmed)) {
    throw new DriverError(
      `${path} holds no number (${JSON.stringify(trimmed.slice(0, 40))}); check the sensor or the path`,
    );
  }
  return Number(trimmed) * scale + offset;
}

/**
 * `file` driver: reads a number from a file every interval, e.g. a 1-Wire DS18B20's
 * `/sys/bus/w1/devices/28-…/temperature` (millidegrees Celsius: `scale: 0.001` with a `°C`
 * key of 1 decimal stores 23.125 °C as 231). Config `{ path, keyId, scale = 1, offset = 0 }`;
 * scale and offset apply before the key's decimals.
 */
export const fileDriver: DriverDefinition = {
  validateConfig(config) {
    const problems: DriverConfigProblem[] = [];
    unknownFields(config, ['path', 'keyId', 'scale', 'offset'], problems);
    const path = checkString(config.path, 'config.path', problems, true);
    const keyId = checkKeyId(config.keyId, 'config.keyId', problems);
    const scale = checkNumber(config.scale, 1, 'config.scale', problems);
    const offset = checkNumber(config.offset, 0, 'config.offset', problems);
    if (problems.length > 0 || keyId === undefined) return { ok: false, problems };
    return { ok: true, config: { path, keyId, scale, offset }, keyIds: [keyId] };
  },
  create(config) {
    const path = config.path as string;
    const keyId = config.keyId as number;
    const scale = config.scale as number;
    const offset = config.offset as number;
    return {
      async read() {
        const text = await readFile(path, 'utf8');
        return [{ keyId, value: valueFromFileText(text, scale, offset, path) }];
      },
    };
  },
};
