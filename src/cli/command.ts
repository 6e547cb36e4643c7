// What a command is and what it gets to work with: parsed flags, where to print, and the
// configuration database, opened on first use and closed by the runner.
import type { Db } from 'mongodb';
import type { DriverDefinition, DriverFactory, MonitorLogger } from '../monitor/index.js';
import type { FlagSpec, FlagValues } from './args.js';
import type { TextSink } from './output.js';
import type { Signaller } from './reload.js';

/** The outside world of one CLI run; the binary passes the real one, tests their own. */
export interface CliIO {
  stdout: TextSink;
  stderr: TextSink;
  /** Environment (`MONGODB_URI`, `RASPIMON_NAMESPACE`). */
  env: Readonly<Record<string, string | undefined>>;
  /** Directory relative paths (`--config @file`, `--drivers`) are resolved from. */
  cwd: string;
  /** Aborted to end a long-running command (`readings tail --follow`) cleanly. */
  signal?: AbortSignal;
  /** Sends signals for `--reload`. @default process */
  signaller?: Signaller;
  /** The default namespace when `--namespace` is absent. @default getDeviceNamespace */
  defaultNamespace?: () => string;
  /** Current time in epoch ms (`rules test`, `fleet`, `status`). @default Date.now */
  now?: () => number;
  /** Where `fleet watch` logs its ALERTs. @default MailLoggerClient.open(--mail-logger) */
  logger?: MonitorLogger;
}

/** What a running command works with. */
export interface CommandContext {
  io: CliIO;
  values: FlagValues;
  positionals: string[];
  /** Usage text of this command, for usage errors. */
  usage: string;
  /** The namespace database (connects on first call). */
  db(): Promise<Db>;
  /**
   * The namespace database for a command that reads the configuration: rejects with
   * NamespaceNotFoundError when it has none of `collections` (default `devices`), as a
   * mistyped --namespace has none.
   */
  configurationDb(collections?: readonly string[]): Promise<Db>;
  /** The namespace in use. */
  namespace(): string;
  /** Custom drivers from `--drivers <module>` (none without it). */
  drivers(): Promise<Readonly<Record<string, DriverFactory | DriverDefinition>>>;
  /** Drivers as the monitor has them: built-ins plus `--drivers <module>`. */
  registry(): Promise<ReadonlyMap<string, DriverDefinition>>;
  /** Prints to stdout. */
  print(text: string): void;
  /** The version of the raspimon package, e.g. `0.1.0`. */
  version(): string;
}

/** One command, e.g. `devices add`. */
export interface Command {
  words: readonly [string] | readonly [string, string];
  /** One line for the overview. */
  summary: string;
  usage: string;
  /** Its own flags (the global ones are added). */
  flags: FlagSpec;
  /**
   * Names of its positionals, in order; the runner refuses fewer or more (a usage error)
   * before `run`. A name ending in `?` may be left out, one ending in `…` takes any number.
   * @default [] (none)
   */
  positionals?: readonly string[];
  run(context: CommandContext): Promise<void>;
}

/** Flags shared by several commands. */
export const sharedFlags = {
  json: { json: { type: 'boolean' } },
  drivers: { drivers: { type: 'string' } },
  reload: { reload: { type: 'string' } },
} as const satisfies Record<string, FlagSpec>;

/**
 * The flags of a command that writes one validated document (`devices add`, `rules set`):
 * the document's `fields`, then `--disabled` (and `--enabled` for a `set`), `--dry-run`,
 * `--drivers` and `--reload`.
 *
 * @example
 * ```ts
 * documentWriteFlags({ name: { type: 'string' } }, 'set');
 * // { name, enabled, disabled, 'dry-run', drivers, reload }
 * ```
 */
export function documentWriteFlags(fields: FlagSpec, write: 'add' | 'set'): FlagSpec {
  return {
    ...fields,
    ...(write === 'set' ? { enabled: { type: 'boolean' } } : {}),
    disabled: { type: 'boolean' },
    'dry-run': { type: 'boolean' },
    ...sharedFlags.drivers,
    ...sharedFlags.reload,
  };
}

/** Help lines of the global flags, appended to every usage text. */
export const globalFlagsHelp = `Connection:
  --uri <uri>               MongoDB server (default: $MONGODB_URI or mongodb://localhost:27017/)
  --namespace <db>          database of this device (default: $RASPIMON_NAMESPACE, else
                            getDeviceNamespace(), e.g. raspimon_dca632112233, from the
                            wired MAC)
  --timeout <seconds>       how long to wait for the server (default 5)
  -h, --help                show this help`;
