// Public API of raspimon/http: the opt-in status page, /api/summary and /metrics.
export { serveStatus } from './serve.js';
export type { ServeStatusOptions, StatusServer } from './serve.js';
export { createStatusHandler } from './handler.js';
export type { StatusHandler, StatusHandlerOptions, StatusMonitor } from './handler.js';

// Deprecated aliases of the error classes this subpath exported in 0.1 (removed in 0.3): import
// them from `raspimon` or `raspimon/errors`.
export { RaspimonError, StatusServerError } from '../errors/deprecated.js';
