// Public API of raspimon/monitor. mongodb and serialport are loaded only by start().
export { Monitor } from './monitor.js';
export type { MonitorStats } from './monitor-stats.js';
export type { ReloadSummary } from './fleet.js';
export { defaultMongoUri } from './options.js';
export type { MonitorOptions } from './options.js';
export type { DeviceState } from './device-state.js';
export type { ReadingListener } from './reading-intake.js';
export type { StoredListener, StoredReading } from './readings-writer.js';
export type { ReadingsQuery, BucketsQuery } from './monitor-queries.js';
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
export { parsePyConf } from './py-conf.js';
export type { PyConfResult } from './py-conf.js';
export { validateConfig } from './config-validate.js';
export type { ConfigProblem, ValidatedConfig } from './config-validate.js';
export type { IntegrityReport, OrphanReadings } from './integrity.js';
export { checkIntegrity, createDriverRegistry } from './integrity-check.js';
export type { Reading, BucketStats, TimeInput } from './queries.js';
export type {
  ChartPoint,
  DeviceFailureSummary,
  DeviceSummary,
  KeySummary,
  MonitorSummary,
  RuleSummary,
} from './summary.js';
export type { RollupDocument } from './rollups/bucket-math.js';
export type { RebuildResult } from './rollups/recompute.js';
export { rebuildRollups } from './rollups/recompute.js';
export type { RetentionOptions } from './rollups/retention.js';
export type { RollupStats } from './rollups/rollups.js';
export { createSerialLineDriver } from './drivers/serial-line.js';
export type { SerialLineOptions, SerialPortInfo, SerialPortLister } from './drivers/serial-line.js';
export { createModbusDriver } from './intake/drivers/modbus/driver.js';
export type { ModbusDriverOptions } from './intake/drivers/modbus/driver.js';
export { createMqttDriver } from './intake/drivers/mqtt/driver.js';
export type { MqttDriverOptions } from './intake/drivers/mqtt/driver.js';
export type { MqttOutputOptions } from './outputs/mqtt/output.js';
export { parseLine } from './drivers/line-format.js';
export type { LineResult } from './drivers/line-format.js';
export { systemMetrics, probeSystemMetrics } from './drivers/system.js';
export type { SystemMetric, SystemSample } from './drivers/system.js';
export { builtInDriverNames } from './drivers/registry.js';
export { RaspimonError, RaspimonRangeError, RaspimonTypeError } from '../errors.js';
export { FleetWatch, listFleet } from './fleet-watch.js';
export type { FleetEntry, FleetWatchOptions } from './fleet-watch.js';
export { validateRules, ruleFields, ruleLevels } from './rules/validate.js';
export { RuleEvaluator } from './rules/evaluator.js';
export type { RuleEvent, RuleEvaluatorOptions } from './rules/evaluator.js';
export type { RuleSpec, RuleLevel, RuleCause, FiringState } from './rules/types.js';
export { statusFileName } from './status-file.js';
export type { StatusFile, StatusFileDevice } from './status-file.js';
