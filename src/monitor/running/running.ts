// What a started Monitor holds: every running piece, built once by start() as one record and
// kept after stop() for stats(). Its own file so the builder, the jobs, stop() and the views
// can name it without importing the Monitor.
import type { InstanceLock } from '../../internal/index.js';
import type { Scheduler } from '../../scheduler/index.js';
import type { ConfigReloader } from '../config/reloader.js';
import type { DeviceFleet } from '../intake/running-devices.js';
import type { ReadingIntake } from '../intake/reading-intake.js';
import type { MqttOutput } from '../outputs/mqtt/output.js';
import type { MonitorQueries } from '../read-side.js';
import type { MonitorRules } from '../rules/runtime.js';
import type { FleetHeartbeat } from '../status/heartbeat.js';
import type { NamespacePresence } from '../status/presence.js';
import type { StatusWrites } from '../status/status-change.js';
import type { StatusFileWriter } from '../status/status-file.js';
import type { DatabaseConnection } from '../storage/connection.js';
import type { ReadingsWriter } from '../storage/readings-writer.js';
import type { Rollups } from '../storage/rollups/rollups.js';
import type { MonitorScheduler } from '../types.js';

/** Everything start() builds, in one piece; kept after stop() for stats(). */
export interface Running {
  scheduler: MonitorScheduler;
  /** The scheduler the monitor created (options.scheduler omitted): stopped by stop(). */
  ownScheduler: Scheduler | undefined;
  lock: InstanceLock;
  /** options.pidFile while this monitor's pid is in it. */
  pidFile: string | undefined;
  connection: DatabaseConnection;
  writer: ReadingsWriter;
  intake: ReadingIntake;
  fleet: DeviceFleet;
  reloader: ConfigReloader;
  queries: MonitorQueries;
  rollups: Rollups;
  /** Removes the rollups' stored-readings listener. */
  unhookRollups: () => void;
  /** Ids of the repeating jobs (config poll, presence, rollups, retention, status file). */
  jobs: string[];
  rules: MonitorRules;
  heartbeat: FleetHeartbeat;
  presence: NamespacePresence;
  /** The MQTT output, when options.mqtt is set. */
  mqtt: MqttOutput | undefined;
  /** `<stateDir>/status.json` for `raspimon status`, when it is due, and when this run started. */
  status: { writer: StatusFileWriter; writes: StatusWrites; startedAt: number };
}
