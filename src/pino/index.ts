// Public API of raspimon/pino: a pino transport forwarding log lines to the mail-logger daemon.
import { createPinoTransport } from './transport.js';

export { createPinoTransport };
export type { PinoTransportOptions } from './transport.js';
export { defaultPinoLevels, mapLevel, toMailRecord } from './record.js';
export type { MailRecord } from './record.js';

// Deprecated aliases of the error classes this subpath exported in 0.1 (removed in 0.3): import
// them from `raspimon` or `raspimon/errors`.
export { RaspimonError, RaspimonRangeError, RaspimonTypeError } from '../errors/deprecated.js';

// The one default export of raspimon: pino loads a transport by module name in its worker
// thread and calls the module's default export (`target: 'raspimon/pino'`). Use the named
// export everywhere else.
export default createPinoTransport;
