import type * as Mongo from 'mongodb';
import type * as SerialPortPackage from 'serialport';
import type { ModbusRTU } from 'modbus-serial/ModbusRTU.js';
import type * as MqttPackage from 'mqtt';
import { MissingPeerError } from './errors.js';

/** The `mongodb` package's exports. */
export type MongoModule = typeof Mongo;
type SerialPortModule = typeof SerialPortPackage;
/** The `mqtt` (MQTT.js) package's exports. */
export type MqttModule = typeof MqttPackage;
/** The `modbus-serial` client class. */
export type ModbusRtuClass = typeof ModbusRTU;

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

/** Loads `mqtt` (MQTT.js) on first use: only `mqtt` devices and the `mqtt` output need it. */
export async function loadMqtt(importer: ModuleImporter = nativeImport): Promise<MqttModule> {
  return (await loadPeer('mqtt', 'for mqtt devices and the mqtt output', importer)) as MqttModule;
}

/** Loads `modbus-serial` on first use: only `modbus` devices need it (it rides on `serialport`). */
export async function loadModbusSerial(importer: ModuleImporter = nativeImport): Promise<ModbusRtuClass> {
  const loaded = (await loadPeer('modbus-serial', 'for modbus devices', importer)) as {
    default?: ModbusRtuClass;
  };
  // CommonJS module: the class is the default export under ESM, the module itself under CJS.
  return (loaded.default ?? loaded) as ModbusRtuClass;
}
