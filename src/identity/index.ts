export { getDeviceMac, getDeviceNamespace } from './device-mac.js';
export type { DeviceIdentityOptions, DeviceMac } from './device-mac.js';
export { macToNamespace } from './mac.js';
export type { InterfaceVerdict } from './facts.js';

// Deprecated aliases of the error classes this subpath exported in 0.1 (removed in 0.3): import
// them from `raspimon` or `raspimon/errors`.
export {
  DeviceIdentityError,
  RaspimonError,
  RaspimonRangeError,
  RaspimonTypeError,
} from '../errors/deprecated.js';
