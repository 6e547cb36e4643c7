export { MailLoggerClient } from './client/client.js';
export type {
  MailLoggerClientOptions,
  MailLoggerClientStats,
  MailLoggerCloseOptions,
  MailLoggerFlushOptions,
  MailLoggerTee,
} from './client/options.js';
export { MailLoggerServer } from './daemon/server.js';
export type { MailLoggerServerStats } from './daemon/server.js';
export type { MailLoggerServerOptions } from './daemon/options.js';
export { Level, Schedule } from './levels.js';
export type { Credentials } from './delivery/credentials.js';
export type { MailMessage, MailTransport } from './delivery/mail-transport.js';
export { DEFAULT_TRANSPORT } from './protocol.js';

// Deprecated aliases of the error classes this subpath exported in 0.1 (removed in 0.3): import
// them from `raspimon` or `raspimon/errors`.
export {
  CredentialsError,
  MailLoggerError,
  RaspimonError,
  RaspimonRangeError,
  RaspimonTypeError,
} from '../errors/deprecated.js';
