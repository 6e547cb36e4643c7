// Names raspimon/monitor (and the root) exported in 0.1 that moved to raspimon/tools or became
// internal: deprecated aliases, kept for one minor version (listed in the CHANGELOG).
import * as tools from '../tools/index.js';
import type * as integrity from './config/integrity.js';
import * as registry from './intake/drivers/registry.js';
import type * as serialLine from './intake/drivers/serial-line/serial-line.js';
import * as system from './intake/drivers/system/system.js';
import type * as ruleTypes from './rules/types.js';
import * as ruleValidation from './rules/validate.js';
import type * as statusFile from './status/status-file.js';
import type * as summary from './status/summary.js';
import type * as bucketMath from './storage/rollups/bucket-math.js';
import type * as rollups from './storage/rollups/rollups.js';

/** @deprecated since 0.2: no longer public (what no user calls became internal); this alias goes in 0.3. */
export const builtInDriverNames = registry.builtInDriverNames;
/** @deprecated since 0.2: no longer public: it is a part of `MonitorSummary` (e.g. `MonitorSummary['devices'][number]`); this alias goes in 0.3. */
export type ChartPoint = summary.ChartPoint;
/** @deprecated since 0.2: import it from 'raspimon/tools'; this alias goes in 0.3. */
export const checkIntegrity = tools.checkIntegrity;
/** @deprecated since 0.2: import it from 'raspimon/tools'; this alias goes in 0.3. */
export type ConfigProblem = tools.ConfigProblem;
/** @deprecated since 0.2: import it from 'raspimon/tools'; this alias goes in 0.3. */
export const createDriverRegistry = tools.createDriverRegistry;
/** @deprecated since 0.2: import it from 'raspimon/tools'; this alias goes in 0.3. */
export const createSerialLineDriver = tools.createSerialLineDriver;
/** @deprecated since 0.2: no longer public: it is a part of `MonitorSummary` (e.g. `MonitorSummary['devices'][number]`); this alias goes in 0.3. */
export type DeviceFailureSummary = summary.DeviceFailureSummary;
/** @deprecated since 0.2: no longer public: it is a part of `MonitorSummary` (e.g. `MonitorSummary['devices'][number]`); this alias goes in 0.3. */
export type DeviceSummary = summary.DeviceSummary;
/** @deprecated since 0.2: no longer public (what no user calls became internal); this alias goes in 0.3. */
export type FiringState = ruleTypes.FiringState;
/** @deprecated since 0.2: import it from 'raspimon/tools'; this alias goes in 0.3. */
export type FleetEntry = tools.FleetEntry;
/** @deprecated since 0.2: import it from 'raspimon/tools'; this alias goes in 0.3. */
export const FleetWatch = tools.FleetWatch;
/** @deprecated since 0.2: import it from 'raspimon/tools'; this alias goes in 0.3. */
export type FleetWatch = tools.FleetWatch;
/** @deprecated since 0.2: import it from 'raspimon/tools'; this alias goes in 0.3. */
export type FleetWatchOptions = tools.FleetWatchOptions;
/** @deprecated since 0.2: no longer public: it is a part of `MonitorSummary` (e.g. `MonitorSummary['devices'][number]`); this alias goes in 0.3. */
export type KeySummary = summary.KeySummary;
/** @deprecated since 0.2: import it from 'raspimon/tools'; this alias goes in 0.3. */
export type LineResult = tools.LineResult;
/** @deprecated since 0.2: import it from 'raspimon/tools'; this alias goes in 0.3. */
export const listFleet = tools.listFleet;
/** @deprecated since 0.2: no longer public: it is `IntegrityReport['orphans'][number]`; this alias goes in 0.3. */
export type OrphanReadings = integrity.OrphanReadings;
/** @deprecated since 0.2: import it from 'raspimon/tools'; this alias goes in 0.3. */
export const parseLine = tools.parseLine;
/** @deprecated since 0.2: import it from 'raspimon/tools'; this alias goes in 0.3. */
export const parsePyConf = tools.parsePyConf;
/** @deprecated since 0.2: import it from 'raspimon/tools'; this alias goes in 0.3. */
export const probeSystemMetrics = tools.probeSystemMetrics;
/** @deprecated since 0.2: import it from 'raspimon/tools'; this alias goes in 0.3. */
export type PyConfResult = tools.PyConfResult;
/** @deprecated since 0.2: import it from 'raspimon/tools'; this alias goes in 0.3. */
export type RebuildResult = tools.RebuildResult;
/** @deprecated since 0.2: import it from 'raspimon/tools'; this alias goes in 0.3. */
export const rebuildRollups = tools.rebuildRollups;
/** @deprecated since 0.2: no longer public (what no user calls became internal); this alias goes in 0.3. */
export type RollupDocument = bucketMath.RollupDocument;
/** @deprecated since 0.2: no longer public (what no user calls became internal); this alias goes in 0.3. */
export type RollupStats = rollups.RollupStats;
/** @deprecated since 0.2: no longer public (what no user calls became internal); this alias goes in 0.3. */
export type RuleCause = ruleTypes.RuleCause;
/** @deprecated since 0.2: import it from 'raspimon/tools'; this alias goes in 0.3. */
export const RuleEvaluator = tools.RuleEvaluator;
/** @deprecated since 0.2: import it from 'raspimon/tools'; this alias goes in 0.3. */
export type RuleEvaluator = tools.RuleEvaluator;
/** @deprecated since 0.2: import it from 'raspimon/tools'; this alias goes in 0.3. */
export type RuleEvaluatorOptions = tools.RuleEvaluatorOptions;
/** @deprecated since 0.2: import it from 'raspimon/tools'; this alias goes in 0.3. */
export type RuleEvent = tools.RuleEvent;
/** @deprecated since 0.2: no longer public (what no user calls became internal); this alias goes in 0.3. */
export const ruleFields = ruleValidation.ruleFields;
/** @deprecated since 0.2: no longer public (what no user calls became internal); this alias goes in 0.3. */
export type RuleLevel = ruleTypes.RuleLevel;
/** @deprecated since 0.2: no longer public (what no user calls became internal); this alias goes in 0.3. */
export const ruleLevels = ruleValidation.ruleLevels;
/** @deprecated since 0.2: import it from 'raspimon/tools'; this alias goes in 0.3. */
export type RuleSpec = tools.RuleSpec;
/** @deprecated since 0.2: no longer public: it is a part of `MonitorSummary` (e.g. `MonitorSummary['devices'][number]`); this alias goes in 0.3. */
export type RuleSummary = summary.RuleSummary;
/** @deprecated since 0.2: import it from 'raspimon/tools'; this alias goes in 0.3. */
export type SerialLineOptions = tools.SerialLineOptions;
/** @deprecated since 0.2: no longer public (what no user calls became internal); this alias goes in 0.3. */
export type SerialPortInfo = serialLine.SerialPortInfo;
/** @deprecated since 0.2: import it from 'raspimon/tools'; this alias goes in 0.3. */
export type SerialPortLister = tools.SerialPortLister;
/** @deprecated since 0.2: import it from 'raspimon/tools'; this alias goes in 0.3. */
export type StatusFile = tools.StatusFile;
/** @deprecated since 0.2: no longer public (what no user calls became internal); this alias goes in 0.3. */
export type StatusFileDevice = statusFile.StatusFileDevice;
/** @deprecated since 0.2: import it from 'raspimon/tools'; this alias goes in 0.3. */
export const statusFileName = tools.statusFileName;
/** @deprecated since 0.2: import it from 'raspimon/tools'; this alias goes in 0.3. */
export type SystemMetric = tools.SystemMetric;
/** @deprecated since 0.2: no longer public (what no user calls became internal); this alias goes in 0.3. */
export const systemMetrics = system.systemMetrics;
/** @deprecated since 0.2: import it from 'raspimon/tools'; this alias goes in 0.3. */
export type SystemSample = tools.SystemSample;
/** @deprecated since 0.2: import it from 'raspimon/tools'; this alias goes in 0.3. */
export const validateConfig = tools.validateConfig;
/** @deprecated since 0.2: import it from 'raspimon/tools'; this alias goes in 0.3. */
export type ValidatedConfig = tools.ValidatedConfig;
/** @deprecated since 0.2: import it from 'raspimon/tools'; this alias goes in 0.3. */
export const validateRules = tools.validateRules;
