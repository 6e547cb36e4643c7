// Public API of raspimon/monitor. mongodb and serialport are loaded only by start().
export { Monitor } from './monitor.js';
export type { MonitorStats } from './status/stats.js';
export type { ReloadSummary } from './intake/running-devices.js';
export { defaultMongoUri } from './options.js';
export type { MonitorOptions } from './options.js';
export type { DeviceState } from './status/device-state.js';
export type { ReadingListener } from './intake/reading-intake.js';
export type { StoredListener, StoredReading } from './storage/readings-writer.js';
export type { ReadingsQuery, BucketsQuery } from './read-side.js';
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
export {
  ConfigError,
  MissingPeerError,
  DriverError,
  DatabaseError,
  MonitorStateError,
  MonitorLockedError,
} from './errors.js';
export { parsePyConf } from './config/py-conf.js';
export type { PyConfResult } from './config/py-conf.js';
export { validateConfig } from './config/validate.js';
export type { ConfigProblem, ValidatedConfig } from './config/validate.js';
export type { IntegrityReport, OrphanReadings } from './config/integrity.js';
export { checkIntegrity, createDriverRegistry } from './config/check.js';
export type { Reading, BucketStats, TimeInput } from './storage/readings-queries.js';
export type {
  ChartPoint,
  DeviceFailureSummary,
  DeviceStatus,
  DeviceSummary,
  KeySummary,
  MonitorSummary,
  RuleSummary,
} from './status/summary.js';
export { formatValue } from './status/format-value.js';
export type { ValueKey } from './status/format-value.js';
export type { RollupDocument } from './storage/rollups/bucket-math.js';
export type { RebuildResult } from './storage/rollups/recompute.js';
export { rebuildRollups } from './storage/rollups/recompute.js';
export type { RetentionOptions } from './storage/retention.js';
export type { RollupStats } from './storage/rollups/rollups.js';
export { createSerialLineDriver } from './intake/drivers/serial-line/serial-line.js';
export type {
  SerialLineOptions,
  SerialPortInfo,
  SerialPortLister,
} from './intake/drivers/serial-line/serial-line.js';
export { parseLine } from './intake/drivers/serial-line/line-format.js';
export type { LineResult } from './intake/drivers/serial-line/line-format.js';
export { systemMetrics, probeSystemMetrics } from './intake/drivers/system/system.js';
export type { SystemMetric, SystemSample } from './intake/drivers/system/system.js';
export { builtInDriverNames } from './intake/drivers/registry.js';
export { RaspimonError, RaspimonRangeError, RaspimonTypeError } from '../errors.js';
export { FleetWatch, listFleet } from './watch/fleet-watch.js';
export type { FleetEntry, FleetWatchOptions } from './watch/fleet-watch.js';
export { validateRules, ruleFields, ruleLevels } from './rules/validate.js';
export { RuleEvaluator } from './rules/evaluator.js';
export type { RuleEvent, RuleEvaluatorOptions } from './rules/evaluator.js';
export type { RuleSpec, RuleLevel, RuleCause, FiringState } from './rules/types.js';
export { statusFileName } from './status/status-file.js';
export type { StatusFile, StatusFileDevice } from './status/status-file.js';
