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
export { CredentialsError, MailLoggerError } from './errors.js';
export type { Credentials } from './delivery/credentials.js';
export type { MailMessage, MailTransport } from './delivery/mail-transport.js';
export { DEFAULT_TRANSPORT } from './protocol.js';
export { RaspimonError, RaspimonRangeError, RaspimonTypeError } from '../errors.js';
