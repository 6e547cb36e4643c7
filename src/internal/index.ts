// Shared ground for every part (checks, describe, backoff, bounded waits): not a part and
// not public API. Parts import from here; nothing here imports a part.
export { describeError, describeValue } from './describe.js';
export { checkBoolean, checkPositive, checkText, isPlainObject, isThenable } from './checks.js';
export type { PositiveCheck } from './checks.js';
export { Backoff } from './backoff.js';
export type { BackoffOptions } from './backoff.js';
export { Signal, within } from './within.js';
export { findPackage, packageVersion } from './package-version.js';
export type { RaspimonPackage } from './package-version.js';
export { tryInstanceLock } from './instance-lock.js';
export type { InstanceLock, InstanceLockOptions, LockAttempt, LockHolder } from './instance-lock.js';
export { newZonedDateTimeFormat, zonedDateTimeFormat } from './zoned-format.js';
