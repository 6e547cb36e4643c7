// Public API of raspimon/tools: what runs on a workstation or on the server that watches the
// fleet, not on the Pi — the fleet watchdog, rollup rebuilds, integrity checks, validators of
// configuration and rules, the seed's pyConf parser, the serial line format, the Pi-health
// probe and the status file's name. Used by the `raspimon` CLI and in users' own tests.
// Importing it loads no mongodb or serialport until a function that needs one is called.
export { FleetWatch, listFleet } from '../monitor/watch/fleet-watch.js';
export type { FleetEntry, FleetWatchOptions } from '../monitor/watch/fleet-watch.js';
export { rebuildRollups } from '../monitor/storage/rollups/recompute.js';
export type { RebuildResult } from '../monitor/storage/rollups/recompute.js';
export { checkIntegrity, createDriverRegistry } from '../monitor/config/check.js';
export { validateConfig } from '../monitor/config/validate.js';
export type { ConfigProblem, ValidatedConfig } from '../monitor/config/validate.js';
export { validateRules } from '../monitor/rules/validate.js';
export { RuleEvaluator } from '../monitor/rules/evaluator.js';
export type { RuleEvent, RuleEvaluatorOptions } from '../monitor/rules/evaluator.js';
export type { RuleSpec } from '../monitor/rules/types.js';
export { parsePyConf } from '../monitor/config/py-conf.js';
export type { PyConfResult } from '../monitor/config/py-conf.js';
export { parseLine } from '../monitor/intake/drivers/serial-line/line-format.js';
export type { LineResult } from '../monitor/intake/drivers/serial-line/line-format.js';
export { createSerialLineDriver } from '../monitor/intake/drivers/serial-line/serial-line.js';
export type {
  SerialLineOptions,
  SerialPortLister,
} from '../monitor/intake/drivers/serial-line/serial-line.js';
export { createModbusDriver } from '../monitor/intake/drivers/modbus/modbus.js';
export { createMqttDriver } from '../monitor/intake/drivers/mqtt/mqtt.js';
export { probeSystemMetrics } from '../monitor/intake/drivers/system/system.js';
export type { SystemMetric, SystemSample } from '../monitor/intake/drivers/system/system.js';
export { statusFileName } from '../monitor/status/status-file.js';
export type { StatusFile } from '../monitor/status/status-file.js';
