import { readFile } from 'node:fs/promises';
import { DriverError } from '../../../errors.js';
import type { DriverConfigProblem, DriverDefinition } from '../../../types.js';
import { checkKeyId, checkNumber, checkString, unknownFields } from '../config-fields.js';

/**
 * Parses the number a sensor file holds (e.g. a DS18B20 `temperature` file: `"23125\n"`)
 * and applies `value × scale + offset`, rounded. Throws a {@link DriverError} when the
 * file holds no number: that is a device fault, not a reading.
 */
export function valueFromFileText(text: string, scale: number, offset: number, path: string): number {
  const trimmed = text.trim();
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(trimmed)) {
    throw new DriverError(
      `${path} holds no number (${JSON.stringify(trimmed.slice(0, 40))}); check the sensor or the path`,
    );
  }
  return Math.round(Number(trimmed) * scale + offset);
}

/**
 * `file` driver: reads an integer from a file every interval, e.g. a 1-Wire DS18B20's
 * `/sys/bus/w1/devices/28-…/temperature` (millidegrees Celsius).
 * Config `{ path, keyId, scale = 1, offset = 0 }`.
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
