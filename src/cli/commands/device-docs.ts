// What several `devices` commands share: reading the configuration, the --config flag, and
// finding one device by id or name.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parsePyConf } from '../../tools/index.js';
import type { FlagSpec } from '../args.js';
import type { CommandContext } from '../command.js';
import { databaseOperation } from '../database.js';
import { CliUsageError, ConfigRejectedError } from '../errors.js';
import { notFoundError } from '../id-or-name.js';

type Doc = Record<string, unknown>;

/** The flags of the device fields `devices add` and `devices set` both take. */
export const deviceFieldFlags = {
  name: { type: 'string' },
  driver: { type: 'string' },
  config: { type: 'string' },
  interval: { type: 'string' },
  description: { type: 'string' },
  'vendor-id': { type: 'string' },
  'product-id': { type: 'string' },
} as const satisfies FlagSpec;

/** The text fields of a device, each with its flag, as `FlagValues.fields` reads them. */
export const deviceTextFields = {
  name: ['name', 'string'],
  driver: ['driver', 'string'],
  description: ['description', 'string'],
  vendorId: ['vendor-id', 'string'],
  productId: ['product-id', 'string'],
} as const;

/** The devices and keys documents (without `_id`), in id order. */
export async function loadConfig(
  context: CommandContext,
  existing = false,
): Promise<{ devices: Doc[]; keys: Doc[] }> {
  // Listing or changing what is there needs a configured namespace; adding may create one.
  const db = existing ? await context.configurationDb(['devices', 'keys']) : await context.db();
  return databaseOperation('read the configuration', async () => {
    const [devices, keys] = await Promise.all([
      db
        .collection('devices')
        .find({}, { projection: { _id: 0 } })
        .sort({ id: 1 })
        .toArray(),
      db
        .collection('keys')
        .find({}, { projection: { _id: 0 } })
        .sort({ keyId: 1 })
        .toArray(),
    ]);
    return { devices, keys };
  });
}

/**
 * The `--config` flag as an object (JSON, a Python-literal dict, or `@file` holding one);
 * undefined when absent. `what` completes "refused to <what>", e.g. `add device 3 "boiler"`.
 */
export async function readConfigFlag(
  context: CommandContext,
  what: string,
): Promise<Record<string, unknown> | undefined> {
  const given = context.values.string('config');
  if (given === undefined) return undefined;
  let text = given;
  let source = '--config';
  if (given.startsWith('@')) {
    const file = path.resolve(context.io.cwd, given.slice(1));
    source = `--config ${given}`;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw new CliUsageError(
        `cannot read ${source} (${(error as NodeJS.ErrnoException).code ?? String(error)}: ${file})`,
        context.usage,
      );
    }
  }
  const parsed = parsePyConf(text.trim());
  if (!parsed.ok) {
    throw new ConfigRejectedError(
      `refused to ${what}: ${source} is not a JSON object (${parsed.error}); nothing was written`,
      [],
    );
  }
  return parsed.value;
}

/** The one device named by `which` (an id or a name); CliNotFoundError listing the others. */
export function findDevice(devices: readonly Doc[], which: string, namespace: string): Doc {
  const byId = /^\d+$/.test(which);
  const found = devices.find((d) => (byId ? d.id === Number(which) : d.name === which));
  if (found) return found;
  throw notFoundError('device', which, namespace, devices);
}
