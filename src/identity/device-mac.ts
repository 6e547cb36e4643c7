import { RaspimonTypeError } from '../errors.js';
import { describeValue } from '../internal/index.js';
import { DeviceIdentityError } from './errors.js';
import type { InterfaceVerdict } from './facts.js';
import { macToNamespace } from './mac.js';
import { selectIdentityInterface } from './select.js';
import { defaultSysfsRoot, readSysfsListing } from './sysfs.js';

/** Options of {@link getDeviceMac} and {@link getDeviceNamespace}. */
export interface DeviceIdentityOptions {
  /**
   * Database name prefix used by {@link getDeviceNamespace}.
   * @default 'raspimon_'
   */
  prefix?: string;
  /**
   * Use this interface only (e.g. `'eth1'`); it must still qualify.
   * @default the first wired NIC: eth0, end0, then others by name
   */
  interface?: string;
  /**
   * Accept a Wi-Fi NIC when no wired one exists (a Pi Zero W / 2 W has only `wlan0`).
   * @default false
   */
  allowWireless?: boolean;
  /**
   * Where interfaces are listed; tests pass a fake tree.
   * @default '/sys/class/net'
   */
  sysfsRoot?: string;
}

/** The interface whose MAC identifies the device. */
export interface DeviceMac {
  /** Kernel name of the interface, e.g. `'eth0'`. */
  interface: string;
  /** Lowercase colon form, e.g. `'bc:ae:c5:71:22:fc'`. */
  mac: string;
  /** False only for a Wi-Fi NIC accepted through `allowWireless`. */
  wired: boolean;
}

const optionTypes = {
  prefix: 'string',
  interface: 'string',
  allowWireless: 'boolean',
  sysfsRoot: 'string',
} as const;

function checkOptions(caller: string, options: unknown): asserts options is DeviceIdentityOptions {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new RaspimonTypeError(
      'ERR_INVALID_ARG_TYPE',
      `${caller}: options must be an object such as { allowWireless: true }, got ${describeValue(options)}.`,
    );
  }
  for (const [name, type] of Object.entries(optionTypes)) {
    const value = (options as Record<string, unknown>)[name];
    if (value !== undefined && typeof value !== type) {
      throw new RaspimonTypeError(
        'ERR_INVALID_ARG_TYPE',
        `${caller}: options.${name} must be a ${type}, got ${describeValue(value)}.`,
      );
    }
  }
}

/** Every interface seen and why it was rejected, for the error message. */
function listVerdicts(verdicts: readonly InterfaceVerdict[]): string {
  if (verdicts.length === 0) return 'no interfaces at all';
  return verdicts.map((v) => `${v.name}${v.mac ? ` (${v.mac})` : ''}: ${v.reason}`).join('; ');
}

/**
 * Finds the MAC that identifies this device: the wired (Ethernet) NIC's permanent
 * address, read from sysfs so an unplugged cable does not hide it.
 *
 * @example
 * ```ts
 * getDeviceMac(); // { interface: 'eth0', mac: 'dc:a6:32:11:22:33', wired: true }
 * ```
 * @throws DeviceIdentityError (`ERR_DEVICE_IDENTITY`) listing every interface seen
 * and why each was rejected.
 */
export function getDeviceMac(options: DeviceIdentityOptions = {}): DeviceMac {
  checkOptions('getDeviceMac', options);
  const root = options.sysfsRoot ?? defaultSysfsRoot;
  const listing = readSysfsListing(root);
  if (listing === null) {
    throw new DeviceIdentityError(
      `getDeviceMac: cannot list network interfaces in ${root}; run on Linux, or pass sysfsRoot pointing at a /sys/class/net-like directory.`,
    );
  }
  const verdicts = selectIdentityInterface(listing, options);
  const chosen = verdicts.find((v) => v.chosen);
  if (chosen?.mac) return { interface: chosen.name, mac: chosen.mac, wired: chosen.wired };
  const wanted =
    options.interface === undefined
      ? 'no wired physical NIC with a permanent MAC'
      : `interface ${options.interface} cannot identify this device`;
  const fix =
    options.interface === undefined
      ? 'plug in or enable the Ethernet adapter, pass { interface } to name one, or { allowWireless: true } on Wi-Fi-only boards'
      : 'name an interface listed here as usable, or drop the interface option';
  throw new DeviceIdentityError(
    `getDeviceMac: ${wanted} in ${root} (${listVerdicts(verdicts)}); ${fix}.`,
    verdicts,
  );
}

/**
 * The device's database name: `prefix` + the identity MAC without colons.
 *
 * @example
 * ```ts
 * const namespace = getDeviceNamespace(); // 'raspimon_dca632112233'
 * ```
 * @throws DeviceIdentityError as {@link getDeviceMac} does.
 */
export function getDeviceNamespace(options: DeviceIdentityOptions = {}): string {
  checkOptions('getDeviceNamespace', options);
  return macToNamespace(getDeviceMac(options).mac, options.prefix);
}
