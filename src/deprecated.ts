// Names the root `raspimon` exported in 0.1 that now live only on their part's subpath:
// deprecated aliases, kept for one minor version (listed in the CHANGELOG).
import type * as identity from './identity/index.js';
import * as mailLogger from './mail-logger/index.js';
import * as monitor from './monitor/index.js';
import * as scheduler from './scheduler/index.js';

/** @deprecated since 0.2: import it from 'raspimon/monitor'; this alias goes in 0.3. */
export type BucketsQuery = monitor.BucketsQuery;
/** @deprecated since 0.2: import it from 'raspimon/monitor'; this alias goes in 0.3. */
export type BucketStats = monitor.BucketStats;
/** @deprecated since 0.2: import it from 'raspimon/mail-logger'; this alias goes in 0.3. */
export type Credentials = mailLogger.Credentials;
/** @deprecated since 0.2: import it from 'raspimon/mail-logger'; this alias goes in 0.3. */
export const DEFAULT_TRANSPORT = mailLogger.DEFAULT_TRANSPORT;
/** @deprecated since 0.2: import it from 'raspimon/monitor'; this alias goes in 0.3. */
export const defaultMongoUri = monitor.defaultMongoUri;
/** @deprecated since 0.2: import it from 'raspimon/monitor'; this alias goes in 0.3. */
export type DeviceSpec = monitor.DeviceSpec;
/** @deprecated since 0.2: import it from 'raspimon/monitor'; this alias goes in 0.3. */
export type DeviceState = monitor.DeviceState;
/** @deprecated since 0.2: import it from 'raspimon/monitor'; this alias goes in 0.3. */
export type DriverConfigCheck = monitor.DriverConfigCheck;
/** @deprecated since 0.2: import it from 'raspimon/monitor'; this alias goes in 0.3. */
export type DriverConfigProblem = monitor.DriverConfigProblem;
/** @deprecated since 0.2: import it from 'raspimon/scheduler'; this alias goes in 0.3. */
export type ErrorHandler = scheduler.ErrorHandler;
/** @deprecated since 0.2: import it from 'raspimon/monitor'; this alias goes in 0.3. */
export type IntegrityReport = monitor.IntegrityReport;
/** @deprecated since 0.2: import it from 'raspimon/identity'; this alias goes in 0.3. */
export type InterfaceVerdict = identity.InterfaceVerdict;
/** @deprecated since 0.2: import it from 'raspimon/scheduler'; this alias goes in 0.3. */
export type JobKind = scheduler.JobKind;
/** @deprecated since 0.2: import it from 'raspimon/monitor'; this alias goes in 0.3. */
export type KeySpec = monitor.KeySpec;
/** @deprecated since 0.2: import it from 'raspimon/mail-logger'; this alias goes in 0.3. */
export type MailLoggerClientStats = mailLogger.MailLoggerClientStats;
/** @deprecated since 0.2: import it from 'raspimon/mail-logger'; this alias goes in 0.3. */
export type MailLoggerCloseOptions = mailLogger.MailLoggerCloseOptions;
/** @deprecated since 0.2: import it from 'raspimon/mail-logger'; this alias goes in 0.3. */
export type MailLoggerFlushOptions = mailLogger.MailLoggerFlushOptions;
/** @deprecated since 0.2: import it from 'raspimon/mail-logger'; this alias goes in 0.3. */
export type MailLoggerServerStats = mailLogger.MailLoggerServerStats;
/** @deprecated since 0.2: import it from 'raspimon/mail-logger'; this alias goes in 0.3. */
export type MailLoggerTee = mailLogger.MailLoggerTee;
/** @deprecated since 0.2: import it from 'raspimon/mail-logger'; this alias goes in 0.3. */
export type MailMessage = mailLogger.MailMessage;
/** @deprecated since 0.2: import it from 'raspimon/mail-logger'; this alias goes in 0.3. */
export type MailTransport = mailLogger.MailTransport;
/** @deprecated since 0.2: import it from 'raspimon/monitor'; this alias goes in 0.3. */
export type MonitorScheduler = monitor.MonitorScheduler;
/** @deprecated since 0.2: import it from 'raspimon/monitor'; this alias goes in 0.3. */
export type MonitorStats = monitor.MonitorStats;
/** @deprecated since 0.2: import it from 'raspimon/monitor'; this alias goes in 0.3. */
export type MonitorSummary = monitor.MonitorSummary;
/** @deprecated since 0.2: import it from 'raspimon/monitor'; this alias goes in 0.3. */
export type Reading = monitor.Reading;
/** @deprecated since 0.2: import it from 'raspimon/monitor'; this alias goes in 0.3. */
export type ReadingListener = monitor.ReadingListener;
/** @deprecated since 0.2: import it from 'raspimon/monitor'; this alias goes in 0.3. */
export type ReadingsQuery = monitor.ReadingsQuery;
/** @deprecated since 0.2: import it from 'raspimon/monitor'; this alias goes in 0.3. */
export type ReloadSummary = monitor.ReloadSummary;
/** @deprecated since 0.2: import it from 'raspimon/monitor'; this alias goes in 0.3. */
export type RetentionOptions = monitor.RetentionOptions;
/** @deprecated since 0.2: import it from 'raspimon/monitor'; this alias goes in 0.3. */
export type StoredListener = monitor.StoredListener;
/** @deprecated since 0.2: import it from 'raspimon/monitor'; this alias goes in 0.3. */
export type StoredReading = monitor.StoredReading;
/** @deprecated since 0.2: import it from 'raspimon/scheduler'; this alias goes in 0.3. */
export const systemClock = scheduler.systemClock;
/** @deprecated since 0.2: import it from 'raspimon/monitor'; this alias goes in 0.3. */
export type TimeInput = monitor.TimeInput;
