import { ConfigError } from '../../errors.js';
import type { DriverDefinition, DriverFactory } from '../../types.js';
import { fileDriver } from './file/file.js';
import { createModbusDriver } from './modbus/modbus.js';
import { createMqttDriver } from './mqtt/mqtt.js';
import { createSerialLineDriver } from './serial-line/serial-line.js';
import { systemDriver } from './system/system.js';

/** Names of the drivers that are always registered. */
export const builtInDriverNames = ['system', 'file', 'serial-line', 'modbus', 'mqtt'] as const;

/**
 * The built-ins plus the user's drivers (a user driver with a built-in's name replaces it,
 * e.g. a `serial-line` with an injected port lister).
 */
export function buildRegistry(
  user: Readonly<Record<string, DriverFactory | DriverDefinition>> = {},
): Map<string, DriverDefinition> {
  const registry = new Map<string, DriverDefinition>([
    ['system', systemDriver],
    ['file', fileDriver],
    ['serial-line', createSerialLineDriver()],
    ['modbus', createModbusDriver()],
    ['mqtt', createMqttDriver()],
  ]);
  for (const [name, entry] of Object.entries(user)) {
    if (typeof entry === 'function') registry.set(name, { create: entry });
    else if (typeof entry === 'object' && entry !== null && typeof entry.create === 'function')
      registry.set(name, entry);
    else
      throw new ConfigError(
        `options.drivers.${name} must be a factory function or { create, validateConfig? }, got ${typeof entry}`,
      );
  }
  return registry;
}
