// Public API of raspimon/errors: every error class raspimon throws, and the registry of their
// codes. The root `raspimon` exports the same classes; no other subpath does (0.1's re-exports
// from the parts' subpaths are deprecated aliases, removed in 0.3).
export { RaspimonError, RaspimonRangeError, RaspimonTypeError } from '../errors.js';
// Each part keeps its error classes in its own errors.ts, which exports nothing else.
export * from '../scheduler/errors.js';
export * from '../mail-logger/errors.js';
export * from '../identity/errors.js';
export * from '../monitor/errors.js';
export * from '../http/errors.js';
export { errorCodes } from './codes.js';
export type { ErrorCode, ErrorCodeInfo } from './codes.js';
