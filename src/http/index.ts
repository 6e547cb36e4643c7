// Public API of raspimon/http: the opt-in status page, /api/summary and /metrics.
export { serveStatus } from './serve.js';
export type { ServeStatusOptions, StatusServer } from './serve.js';
export { createStatusHandler } from './handler.js';
export type { StatusHandler, StatusHandlerOptions, StatusMonitor } from './handler.js';
export { StatusServerError } from './errors.js';
export { RaspimonError } from '../errors.js';
