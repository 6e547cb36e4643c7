// Public API of raspimon/scheduler. Everything else in this folder is internal.
export { Scheduler } from './scheduler.js';
export type { SchedulerOptions, ErrorHandler } from './options.js';
export { ManualClock } from './manual-clock.js';
export { systemClock } from './clock.js';
export type { Clock } from './clock.js';
export type { JobInfo, JobKind, JobFunction } from './job.js';

// Deprecated aliases of the error classes this subpath exported in 0.1 (removed in 0.3): import
// them from `raspimon` or `raspimon/errors`.
export {
  CronPatternError,
  RaspimonError,
  RaspimonRangeError,
  RaspimonTypeError,
  SchedulerStateError,
} from '../errors/deprecated.js';
