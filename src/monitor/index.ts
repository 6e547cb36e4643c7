// Public API of raspimon/monitor: the Monitor, its options and what its methods return, and the
// driver interface a custom driver implements. Tools for a workstation or the server that
// watches the fleet are in raspimon/tools; error classes in raspimon (and raspimon/errors).
// mongodb and serialport are loaded only by start().
export { Monitor } from './monitor.js';
export { defaultMongoUri } from './options.js';
export type { MonitorOptions } from './options.js';
export type { RetentionOptions } from './storage/retention.js';
export type { MqttOutputOptions } from './outputs/mqtt/output.js';
export type { MonitorStats } from './status/stats.js';
export type { ReloadSummary } from './intake/running-devices.js';
export type { DeviceState } from './status/device-state.js';
export type { MonitorSummary } from './status/summary.js';
export { formatValue } from './status/format-value.js';
export type { IntegrityReport } from './config/integrity.js';
export type { ReadingListener } from './intake/reading-intake.js';
export type { StoredListener, StoredReading } from './storage/readings-writer.js';
export type { ReadingsQuery, BucketsQuery } from './read-side.js';
export type { Reading, BucketStats, TimeInput } from './storage/readings-queries.js';
export type {
  MonitorLogger,
  MonitorScheduler,
  Driver,
  DriverContext,
  DriverDefinition,
  DriverFactory,
  DriverReading,
  DriverConfigCheck,
  DriverConfigProblem,
  DeviceSpec,
  KeySpec,
} from './types.js';

// Deprecated aliases of what this subpath exported in 0.1 (removed in 0.3): the tools now in
// raspimon/tools, names that became internal, and the error classes.
export * from './deprecated.js';
export {
  ConfigError,
  DatabaseError,
  DriverError,
  MissingPeerError,
  MonitorLockedError,
  MonitorStateError,
  RaspimonError,
  RaspimonRangeError,
  RaspimonTypeError,
} from '../errors/deprecated.js';
