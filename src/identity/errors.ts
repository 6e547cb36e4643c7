import { RaspimonError } from '../errors.js';
import type { InterfaceVerdict } from './facts.js';

/**
 * No usable network interface was found for the device's identity (or a MAC string
 * was malformed). `interfaces` lists every interface seen and why each was rejected.
 *
 * @example
 * ```ts
 * try {
 *   getDeviceNamespace();
 * } catch (e) {
 *   if (e instanceof DeviceIdentityError) for (const i of e.interfaces) console.error(i.name, i.reason);
 * }
 * ```
 */
export class DeviceIdentityError extends RaspimonError {
  /** Every interface seen, with its MAC (if readable) and why it was rejected. */
  readonly interfaces: readonly InterfaceVerdict[];

  constructor(message: string, interfaces: readonly InterfaceVerdict[] = [], code = 'ERR_DEVICE_IDENTITY') {
    super(code, message);
    this.interfaces = interfaces;
  }
}
