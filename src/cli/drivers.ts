// The driver registry the CLI validates against: the monitor's built-ins plus the
// integrator's custom drivers (`--drivers ./drivers.js`), so `devices add` accepts and
// refuses exactly what the monitor would.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  Monitor,
  type DriverDefinition,
  type DriverFactory,
  type MonitorScheduler,
} from '../monitor/index.js';
import { CliUsageError } from './errors.js';

/** Driver entries as the Monitor's `drivers` option takes them. */
export type DriverEntries = Readonly<Record<string, DriverFactory | DriverDefinition>>;

// The monitor never runs here: its constructor only needs something shaped like a scheduler.
const inertScheduler: MonitorScheduler = {
  onceAfter: () => '',
  repeatEvery: () => '',
  remove: () => false,
};

/**
 * The registry a Monitor with these custom drivers would use.
 *
 * WORKAROUND: raspimon/monitor's index exports `validateConfig` but not the registry it
 * needs (built-in DriverDefinitions with their config checks). Until it exports one
 * (e.g. `buildDriverRegistry(drivers)`), we read the registry a never-started Monitor
 * builds in its constructor. The check below fails loudly if that field ever moves.
 */
export function driverRegistry(custom: DriverEntries = {}): ReadonlyMap<string, DriverDefinition> {
  const monitor = new Monitor({
    uri: 'mongodb://localhost/',
    namespace: 'raspimon_cli',
    scheduler: inertScheduler,
    drivers: custom,
  });
  const registry = (monitor as unknown as { registry?: unknown }).registry;
  if (!(registry instanceof Map)) {
    throw new Error(
      'raspimon internal error: the Monitor no longer exposes its driver registry; the CLI needs an exported one',
    );
  }
  return registry as ReadonlyMap<string, DriverDefinition>;
}

/**
 * Loads custom drivers from `--drivers <module>`: a file path (relative to `cwd`) or a
 * package name, whose named export `drivers` maps names to factories.
 */
export async function loadCustomDrivers(
  specifier: string,
  cwd: string,
  usage: string,
): Promise<DriverEntries> {
  const isPath = specifier.startsWith('.') || path.isAbsolute(specifier);
  const target = isPath ? pathToFileURL(path.resolve(cwd, specifier)).href : specifier;
  let module: { drivers?: unknown };
  try {
    module = (await import(target)) as { drivers?: unknown };
  } catch (error) {
    throw new CliUsageError(
      `--drivers ${JSON.stringify(specifier)} cannot be loaded (${(error as Error).message})`,
      usage,
    );
  }
  const drivers = module.drivers;
  if (typeof drivers !== 'object' || drivers === null) {
    throw new CliUsageError(
      `--drivers ${JSON.stringify(specifier)} has no export named "drivers"; export the same object you pass to new Monitor({ drivers }): export const drivers = { name: factory }`,
      usage,
    );
  }
  return drivers as DriverEntries;
}
