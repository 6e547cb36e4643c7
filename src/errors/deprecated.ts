// The error classes the parts' subpaths re-exported in 0.1: deprecated aliases, kept for one
// minor version. Import errors from `raspimon` or `raspimon/errors`.
import * as errors from './index.js';

/** @deprecated since 0.2: import it from 'raspimon' or 'raspimon/errors'; this alias goes in 0.3. */
export const RaspimonError = errors.RaspimonError;
/** @deprecated since 0.2: import it from 'raspimon' or 'raspimon/errors'; this alias goes in 0.3. */
export type RaspimonError = errors.RaspimonError;
/** @deprecated since 0.2: import it from 'raspimon' or 'raspimon/errors'; this alias goes in 0.3. */
export const RaspimonRangeError = errors.RaspimonRangeError;
/** @deprecated since 0.2: import it from 'raspimon' or 'raspimon/errors'; this alias goes in 0.3. */
export type RaspimonRangeError = errors.RaspimonRangeError;
/** @deprecated since 0.2: import it from 'raspimon' or 'raspimon/errors'; this alias goes in 0.3. */
export const RaspimonTypeError = errors.RaspimonTypeError;
/** @deprecated since 0.2: import it from 'raspimon' or 'raspimon/errors'; this alias goes in 0.3. */
export type RaspimonTypeError = errors.RaspimonTypeError;
/** @deprecated since 0.2: import it from 'raspimon' or 'raspimon/errors'; this alias goes in 0.3. */
export const SchedulerStateError = errors.SchedulerStateError;
/** @deprecated since 0.2: import it from 'raspimon' or 'raspimon/errors'; this alias goes in 0.3. */
export type SchedulerStateError = errors.SchedulerStateError;
/** @deprecated since 0.2: import it from 'raspimon' or 'raspimon/errors'; this alias goes in 0.3. */
export const CronPatternError = errors.CronPatternError;
/** @deprecated since 0.2: import it from 'raspimon' or 'raspimon/errors'; this alias goes in 0.3. */
export type CronPatternError = errors.CronPatternError;
/** @deprecated since 0.2: import it from 'raspimon' or 'raspimon/errors'; this alias goes in 0.3. */
export const CredentialsError = errors.CredentialsError;
/** @deprecated since 0.2: import it from 'raspimon' or 'raspimon/errors'; this alias goes in 0.3. */
export type CredentialsError = errors.CredentialsError;
/** @deprecated since 0.2: import it from 'raspimon' or 'raspimon/errors'; this alias goes in 0.3. */
export const MailLoggerError = errors.MailLoggerError;
/** @deprecated since 0.2: import it from 'raspimon' or 'raspimon/errors'; this alias goes in 0.3. */
export type MailLoggerError = errors.MailLoggerError;
/** @deprecated since 0.2: import it from 'raspimon' or 'raspimon/errors'; this alias goes in 0.3. */
export const DeviceIdentityError = errors.DeviceIdentityError;
/** @deprecated since 0.2: import it from 'raspimon' or 'raspimon/errors'; this alias goes in 0.3. */
export type DeviceIdentityError = errors.DeviceIdentityError;
/** @deprecated since 0.2: import it from 'raspimon' or 'raspimon/errors'; this alias goes in 0.3. */
export const ConfigError = errors.ConfigError;
/** @deprecated since 0.2: import it from 'raspimon' or 'raspimon/errors'; this alias goes in 0.3. */
export type ConfigError = errors.ConfigError;
/** @deprecated since 0.2: import it from 'raspimon' or 'raspimon/errors'; this alias goes in 0.3. */
export const MissingPeerError = errors.MissingPeerError;
/** @deprecated since 0.2: import it from 'raspimon' or 'raspimon/errors'; this alias goes in 0.3. */
export type MissingPeerError = errors.MissingPeerError;
/** @deprecated since 0.2: import it from 'raspimon' or 'raspimon/errors'; this alias goes in 0.3. */
export const DriverError = errors.DriverError;
/** @deprecated since 0.2: import it from 'raspimon' or 'raspimon/errors'; this alias goes in 0.3. */
export type DriverError = errors.DriverError;
/** @deprecated since 0.2: import it from 'raspimon' or 'raspimon/errors'; this alias goes in 0.3. */
export const DatabaseError = errors.DatabaseError;
/** @deprecated since 0.2: import it from 'raspimon' or 'raspimon/errors'; this alias goes in 0.3. */
export type DatabaseError = errors.DatabaseError;
/** @deprecated since 0.2: import it from 'raspimon' or 'raspimon/errors'; this alias goes in 0.3. */
export const MonitorStateError = errors.MonitorStateError;
/** @deprecated since 0.2: import it from 'raspimon' or 'raspimon/errors'; this alias goes in 0.3. */
export type MonitorStateError = errors.MonitorStateError;
/** @deprecated since 0.2: import it from 'raspimon' or 'raspimon/errors'; this alias goes in 0.3. */
export const MonitorLockedError = errors.MonitorLockedError;
/** @deprecated since 0.2: import it from 'raspimon' or 'raspimon/errors'; this alias goes in 0.3. */
export type MonitorLockedError = errors.MonitorLockedError;
/** @deprecated since 0.2: import it from 'raspimon' or 'raspimon/errors'; this alias goes in 0.3. */
export const StatusServerError = errors.StatusServerError;
/** @deprecated since 0.2: import it from 'raspimon' or 'raspimon/errors'; this alias goes in 0.3. */
export type StatusServerError = errors.StatusServerError;
