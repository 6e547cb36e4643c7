export { MailLoggerClient } from './client.js';
export type {
  MailLoggerClientOptions,
  MailLoggerClientStats,
  MailLoggerCloseOptions,
  MailLoggerFlushOptions,
  MailLoggerTee,
} from './client-options.js';
export { MailLoggerServer } from './server.js';
export type { MailLoggerServerStats } from './server.js';
export type { MailLoggerServerOptions } from './options.js';
export { Level, Schedule } from './levels.js';
export { CredentialsError, MailLoggerError } from './errors.js';
export type { Credentials } from './credentials.js';
export type { MailMessage, MailTransport } from './mail-transport.js';
export { DEFAULT_TRANSPORT } from './protocol.js';
export { RaspimonError, RaspimonRangeError, RaspimonTypeError } from '../errors.js';
