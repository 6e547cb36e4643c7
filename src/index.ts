// The front door: what the seed and the 20-line main script need — the four parts' classes and
// functions, their options types, and every error class. Each part is also its own subpath
// (raspimon/scheduler, raspimon/mail-logger, raspimon/monitor, raspimon/identity) with the rest
// of its API; workstation and server tools are in raspimon/tools, error codes in
// raspimon/errors. Importing from here never loads mongodb or serialport until start().
export {
  RaspimonError,
  RaspimonRangeError,
  RaspimonTypeError,
  SchedulerStateError,
  CronPatternError,
  CredentialsError,
  MailLoggerError,
  DeviceIdentityError,
  ConfigError,
  MissingPeerError,
  DriverError,
  DatabaseError,
  MonitorStateError,
  MonitorLockedError,
  StatusServerError,
} from './errors/index.js';

export {
  ManualClock,
  Scheduler,
  type Clock,
  type JobFunction,
  type JobInfo,
  type SchedulerOptions,
} from './scheduler/index.js';

export {
  Level,
  MailLoggerClient,
  MailLoggerServer,
  Schedule,
  type MailLoggerClientOptions,
  type MailLoggerServerOptions,
} from './mail-logger/index.js';

export {
  getDeviceMac,
  getDeviceNamespace,
  macToNamespace,
  type DeviceIdentityOptions,
  type DeviceMac,
} from './identity/index.js';

export {
  Monitor,
  type Driver,
  type DriverContext,
  type DriverDefinition,
  type DriverFactory,
  type DriverReading,
  type MonitorLogger,
  type MonitorOptions,
} from './monitor/index.js';

// Deprecated aliases of what the root exported in 0.1 (removed in 0.3): names that now live on
// their part's subpath or in raspimon/tools, and names that became internal. Each alias says
// where its name lives now.
export * from './deprecated.js';
export * from './monitor/deprecated.js';
