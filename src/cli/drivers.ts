// The integrator's custom drivers (`--drivers ./drivers.js`), so the CLI validates with the
// same registry as their monitor and `devices add` accepts and refuses exactly what it would.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { DriverDefinition, DriverFactory } from '../monitor/index.js';
import { CliUsageError } from './errors.js';

/** Driver entries as the Monitor's `drivers` option takes them. */
export type DriverEntries = Readonly<Record<string, DriverFactory | DriverDefinition>>;

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
