import { RaspimonError } from '../errors.js';

/**
 * A monitor option or a configuration document is invalid. Thrown by `new Monitor()` for
 * bad options; problems in the `devices`/`keys` collections are reported through the
 * logger instead, so one bad document never stops the others.
 */
export class ConfigError extends RaspimonError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_CONFIG', message, options);
  }
}

/**
 * An optional peer dependency (`mongodb` or `serialport`) is not installed. The message
 * names the `npm i` command that fixes it.
 */
export class MissingPeerError extends RaspimonError {
  /** The npm package that is missing, e.g. `'mongodb'`. */
  readonly peer: string;

  constructor(peer: string, purpose: string, options?: { cause?: unknown }) {
    super(
      'ERR_MISSING_PEER',
      `raspimon/monitor needs the optional peer dependency "${peer}" ${purpose}, but it is not installed: run \`npm i ${peer}\``,
      options,
    );
    this.peer = peer;
  }
}

/**
 * A device driver failed: its factory, `start()`, `read()` or `stop()` threw, or took
 * longer than the driver timeout. Reported through the logger, never thrown to the caller;
 * the device is retried with backoff.
 */
export class DriverError extends RaspimonError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_DRIVER', message, options);
  }
}

/**
 * A query helper or `check()` could not reach or read the database. `cause` holds the
 * driver's error (e.g. a server selection timeout). Readings are never lost to this: the
 * writer buffers and spools them on its own.
 */
export class DatabaseError extends RaspimonError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_DATABASE', message, options);
  }
}

/**
 * A Monitor method was called in a state that does not allow it (`code:
 * 'ERR_MONITOR_STATE'`): start() a second time, a query before start() or after stop().
 * The message says what to call instead.
 *
 * @example
 * ```ts
 * try {
 *   await monitor.latest();
 * } catch (e) {
 *   if (e instanceof MonitorStateError) await monitor.start();
 * }
 * ```
 */
export class MonitorStateError extends RaspimonError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_MONITOR_STATE', message, options);
  }
}

/**
 * Another monitor already runs on this namespace and state dir (`code:
 * 'ERR_MONITOR_LOCKED'`). start() refuses rather than store every reading twice. The
 * message names the lock and what holds it.
 */
export class MonitorLockedError extends RaspimonError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_MONITOR_LOCKED', message, options);
  }
}
