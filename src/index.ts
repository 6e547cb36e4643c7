// The public API of all four parts. Each is also its own subpath (raspimon/scheduler,
// raspimon/mail-logger, raspimon/monitor, raspimon/identity) for smaller imports.
export { RaspimonError, RaspimonRangeError, RaspimonTypeError } from './errors.js';
export * from './identity/index.js';
