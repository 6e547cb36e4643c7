// Public API of raspimon/scheduler. Everything else in this folder is internal.
export { Scheduler } from './scheduler.js';
export type { SchedulerOptions, ErrorHandler } from './options.js';
export { ManualClock } from './manual-clock.js';
export { systemClock } from './clock.js';
export type { Clock } from './clock.js';
export type { JobInfo, JobKind, JobFunction } from './job.js';
export { SchedulerStateError, CronPatternError } from './errors.js';
export { RaspimonError, RaspimonRangeError, RaspimonTypeError } from '../errors.js';
