// The CLI's errors. Each has a stable code (README error table) and an exit status:
// 2 for a command line that cannot be understood, 1 for everything else.
import { RaspimonError } from '../errors.js';

/** Exit status of a command line that cannot be understood (as most Unix tools use). */
export const usageExitCode = 2;
/** Exit status of a refused change, a failed check or an unreachable peer. */
export const failureExitCode = 1;

/**
 * The command line cannot be understood: unknown command or flag, missing or malformed
 * value. The message ends with the usage of the command. Exit status 2.
 *
 * @example
 * ```ts
 * throw new CliUsageError('unknown command "device"; did you mean "devices"?', usage);
 * ```
 */
export class CliUsageError extends RaspimonError {
  /** Usage text of the command concerned, printed after the message. */
  readonly usage: string;

  constructor(message: string, usage: string) {
    super('ERR_CLI_USAGE', message);
    this.usage = usage;
  }
}

/**
 * A change was refused because the configuration would then be invalid, exactly as the
 * monitor would judge it (unknown driver, bad config, unknown keyId, id or name taken,
 * key still in use). Nothing was written. Exit status 1.
 */
export class ConfigRejectedError extends RaspimonError {
  /** One line per problem, e.g. `device 3 "boiler": config.path must be a string`. */
  readonly problems: readonly string[];

  constructor(message: string, problems: readonly string[]) {
    super('ERR_CLI_REJECTED', message);
    this.problems = problems;
  }
}

/** The device or key to remove does not exist. Nothing was written. Exit status 1. */
export class CliNotFoundError extends RaspimonError {
  constructor(message: string) {
    super('ERR_CLI_NOT_FOUND', message);
  }
}

/**
 * `--reload <pidfile>` could not signal the monitor: the pidfile is missing, does not
 * hold a pid, or names a process that is gone (stale) or belongs to another user.
 * Exit status 1.
 */
export class ReloadError extends RaspimonError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_CLI_RELOAD', message, options);
  }
}

/**
 * `raspimon check` found problems in the configuration or orphan readings. The report
 * was printed; the error only sets the exit status (1), so scripts can test it.
 */
export class IntegrityProblemsError extends RaspimonError {
  constructor(message: string) {
    super('ERR_CLI_INTEGRITY', message);
  }
}

/**
 * `raspimon devices test` ran the driver, but the monitor would refuse some of its values
 * (unknown keyId, not a finite number, or a stored value round(value × 10^decimals) that is
 * not a safe integer). The table was printed; the error only sets the exit status (1).
 */
export class ReadingsRefusedError extends RaspimonError {
  constructor(message: string) {
    super('ERR_CLI_READINGS_REFUSED', message);
  }
}

/**
 * A command that reads the configuration was pointed at a namespace that holds none (no
 * `devices` collection): nearly always a mistyped `--namespace`, or a workstation whose own
 * MAC names a database nobody uses. The message lists the databases the server has.
 * Exit status 1.
 */
export class NamespaceNotFoundError extends RaspimonError {
  constructor(message: string) {
    super('ERR_CLI_NAMESPACE', message);
  }
}

/**
 * `raspimon init` would overwrite a file that is already there, or cannot write the app.
 * Nothing was overwritten. Exit status 1.
 */
export class InitError extends RaspimonError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_CLI_INIT', message, options);
  }
}

/**
 * `raspimon status` found no status file, or one that is not the monitor's. Exit status 1.
 */
export class StatusUnavailableError extends RaspimonError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_CLI_STATUS', message, options);
  }
}
