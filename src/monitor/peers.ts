import type * as Mongo from 'mongodb';
import type * as SerialPortPackage from 'serialport';
import { MissingPeerError } from './errors.js';

/** The `mongodb` package's exports. */
export type MongoModule = typeof Mongo;
type SerialPortModule = typeof SerialPortPackage;

/** Imports a module by name; replaceable in tests to simulate a missing peer. */
export type ModuleImporter = (name: string) => Promise<unknown>;

const nativeImport: ModuleImporter = (name) => import(name);

function isModuleNotFound(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
}

async function loadPeer(name: string, purpose: string, importer: ModuleImporter): Promise<unknown> {
  try {
    return await importer(name);
  } catch (error) {
    if (isModuleNotFound(error)) throw new MissingPeerError(name, purpose, { cause: error });
    throw error;
  }
}

/** Loads `mongodb` on first use, so merely importing `raspimon/monitor` never needs it. */
export async function loadMongo(importer: ModuleImporter = nativeImport): Promise<MongoModule> {
  return (await loadPeer('mongodb', 'to store readings', importer)) as MongoModule;
}

/** Loads `serialport` on first use: only a `serial-line` device needs it. */
export async function loadSerialPort(importer: ModuleImporter = nativeImport): Promise<SerialPortModule> {
  return (await loadPeer('serialport', 'for serial-line devices', importer)) as SerialPortModule;
}
