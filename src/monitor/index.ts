// Public API of raspimon/monitor: the Monitor, its options and what its methods return, and the
// driver interface a custom driver implements. Tools for a workstation or the server that
// watches the fleet are in raspimon/tools; error classes in raspimon (and raspimon/errors).
// mongodb and serialport are loaded only by start().
export { Monitor } from './monitor.js';
export { defaultMongoUri } from './options.js';
export type { MonitorOptions } from './options.js';
export type { RetentionOptions } from './storage/retention.js';
export type { MonitorStats } from './status/stats.js';
export type { ReloadSummary } from './intake/running-devices.js';
export type { DeviceState } from './status/device-state.js';
export type { MonitorSummary } from './status/summary.js';
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
export {
  builtInDriverNames,
  type ChartPoint,
  checkIntegrity,
  type ConfigProblem,
  createDriverRegistry,
  createSerialLineDriver,
  type DeviceFailureSummary,
  type DeviceSummary,
  type FiringState,
  type FleetEntry,
  FleetWatch,
  type FleetWatchOptions,
  type KeySummary,
  type LineResult,
  listFleet,
  type OrphanReadings,
  parseLine,
  parsePyConf,
  probeSystemMetrics,
  type PyConfResult,
  type RebuildResult,
  rebuildRollups,
  type RollupDocument,
  type RollupStats,
  type RuleCause,
  RuleEvaluator,
  type RuleEvaluatorOptions,
  type RuleEvent,
  ruleFields,
  type RuleLevel,
  ruleLevels,
  type RuleSpec,
  type RuleSummary,
  type SerialLineOptions,
  type SerialPortInfo,
  type SerialPortLister,
  type StatusFile,
  type StatusFileDevice,
  statusFileName,
  type SystemMetric,
  systemMetrics,
  type SystemSample,
  validateConfig,
  type ValidatedConfig,
  validateRules,
} from './deprecated.js';
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
