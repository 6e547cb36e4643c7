// Public API of raspimon/errors: every error class raspimon throws, and the registry of their
// codes. The root `raspimon` exports the same classes; no other subpath does (0.1's re-exports
// from the parts' subpaths are deprecated aliases, removed in 0.3).
export { RaspimonError, RaspimonRangeError, RaspimonTypeError } from '../errors.js';
export { CronPatternError, SchedulerStateError } from '../scheduler/errors.js';
export { CredentialsError, MailLoggerError } from '../mail-logger/errors.js';
export { DeviceIdentityError } from '../identity/errors.js';
export {
  ConfigError,
  DatabaseError,
  DriverError,
  MissingPeerError,
  MonitorLockedError,
  MonitorStateError,
} from '../monitor/errors.js';
export { StatusServerError } from '../http/errors.js';
export { errorCodes } from './codes.js';
export type { ErrorCode, ErrorCodeInfo } from './codes.js';
