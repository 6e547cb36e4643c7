export { getDeviceMac, getDeviceNamespace } from './device-mac.js';
export type { DeviceIdentityOptions, DeviceMac } from './device-mac.js';
export { macToNamespace } from './mac.js';
export { DeviceIdentityError } from './errors.js';
export type { InterfaceVerdict } from './facts.js';
export { RaspimonError, RaspimonRangeError, RaspimonTypeError } from '../errors.js';
