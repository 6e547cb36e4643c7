// The `raspimon` command line: finds the command, parses its flags, runs it with a
// context, and turns errors into a message on stderr and an exit status.
import { getDeviceNamespace } from '../identity/index.js';
import { RaspimonError } from '../errors.js';
import { packageVersion } from '../internal/index.js';
import { createDriverRegistry } from '../tools/index.js';
import { expectPositionals, findCommandWords, parseCommandLine, globalFlags, type FlagSpec } from './args.js';
import { checkCommands } from './commands/check.js';
import { deviceCommands, devicesUsage } from './commands/devices.js';
import { initCommands } from './commands/init.js';
import { keyCommands, keysUsage } from './commands/keys.js';
import { fleetCommands, fleetUsage } from './commands/fleet.js';
import { readingsCommands, readingsUsage } from './commands/readings.js';
import { rollupsCommands, rollupsUsage } from './commands/rollups.js';
import { ruleCommands, rulesUsage } from './commands/rules.js';
import { statusCommands } from './commands/status.js';
import { globalFlagsHelp, type CliIO, type Command, type CommandContext } from './command.js';
import {
  Database,
  checkNamespace,
  defaultTimeoutSeconds,
  defaultUri,
  requireConfiguration,
} from './database.js';
import { loadCustomDrivers, type DriverEntries } from './drivers.js';
import { CliUsageError, ConfigRejectedError, failureExitCode, usageExitCode } from './errors.js';
import { printable } from './output.js';

const helpUsage = `Usage: raspimon help [<command>]

Shows the help of a command, e.g. raspimon help devices add (the same as
raspimon devices add --help).`;

const helpCommand: Command = {
  words: ['help'],
  summary: 'show the help of a command: raspimon help devices add',
  usage: helpUsage,
  flags: {},
  positionals: ['command…'],
  run(context) {
    const found = findCommand(context.positionals);
    if (context.positionals.length > 0 && !found.command && found.error?.startsWith('unknown'))
      throw new CliUsageError(found.error, mainUsage);
    context.print(`${found.command?.usage ?? found.usage}\n`);
    return Promise.resolve();
  },
};

// One line per part; each part's file exports its commands.
const commands: readonly Command[] = [
  ...initCommands,
  ...deviceCommands,
  ...keyCommands,
  ...readingsCommands,
  ...rollupsCommands,
  ...checkCommands,
  ...ruleCommands,
  ...fleetCommands,
  ...statusCommands,
  helpCommand,
];
const groupUsages: Readonly<Record<string, string>> = {
  devices: devicesUsage,
  keys: keysUsage,
  readings: readingsUsage,
  rollups: rollupsUsage,
  rules: rulesUsage,
  fleet: fleetUsage,
};

/** The overview printed by `raspimon --help`. */
export const mainUsage = `Usage: raspimon <command> [flags]

Edits and inspects the configuration a raspimon Monitor reads from MongoDB (devices,
keys, rules) and its readings, validating every change exactly as the monitor does.

Commands:
${commands.map((c) => `  ${c.words.join(' ').padEnd(24)}${c.summary}`).join('\n')}

Run raspimon help <command> (or raspimon <command> --help) for its flags.

${globalFlagsHelp}
  -V, --version             print the version of raspimon

Exit status: 0 done; 1 refused (nothing written), not found, check found problems,
database or reload failure; 2 command line not understood.`;

const allFlags: FlagSpec = Object.assign({}, globalFlags, ...commands.map((c) => c.flags)) as FlagSpec;

function findCommand(words: readonly string[]): { command?: Command; usage: string; error?: string } {
  const [first, second] = words;
  if (first === undefined) return { usage: mainUsage, error: 'missing command' };
  const group = groupUsages[first];
  const command = commands.find(
    (c) => c.words[0] === first && (c.words.length === 1 || c.words[1] === second),
  );
  if (command) return { command, usage: command.usage };
  if (group === undefined) return { usage: mainUsage, error: `unknown command ${JSON.stringify(first)}` };
  if (second === undefined) return { usage: group, error: `missing ${first} command` };
  return { usage: group, error: `unknown command ${JSON.stringify(`${first} ${second}`)}` };
}

/** `raspimon devices add` from `Usage: raspimon devices add --id …`: where --help is. */
function commandOfUsage(usage: string): string {
  return /^Usage: (raspimon(?: [a-z][\w-]*)*)/.exec(usage)?.[1] ?? 'raspimon';
}

function reportError(io: CliIO, error: unknown): number {
  const write = (text: string): void => void io.stderr.write(printable(text));
  if (error instanceof CliUsageError) {
    write(`raspimon: ${error.message}\ntry '${commandOfUsage(error.usage)} --help'\n`);
    return usageExitCode;
  }
  if (error instanceof ConfigRejectedError) {
    write(`raspimon: ${error.message}\n${error.problems.map((p) => `  - ${p}\n`).join('')}`);
    return failureExitCode;
  }
  if (error instanceof RaspimonError) {
    const hint =
      error.code === 'ERR_DEVICE_IDENTITY'
        ? '\nraspimon: pass --namespace <database> to name the database yourself'
        : '';
    write(`raspimon: ${error.message}${hint}\n`);
    return failureExitCode;
  }
  write(
    `raspimon: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  return failureExitCode;
}

/**
 * Runs the `raspimon` command line and resolves to its exit status (never rejects).
 *
 * @example
 * ```ts
 * const status = await runCli(['devices', 'list', '--namespace', 'raspimon_test'], {
 *   stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd(),
 * });
 * ```
 */
export async function runCli(argv: readonly string[], io: CliIO): Promise<number> {
  const { words, help, version, flagValues } = findCommandWords(argv, allFlags);
  if (version) {
    io.stdout.write(`raspimon ${packageVersion(import.meta.url)}\n`);
    return 0;
  }
  const found = findCommand(words);
  if (help) {
    io.stdout.write(`${found.command?.usage ?? found.usage}\n`);
    return 0;
  }
  if (!found.command) {
    // `raspimon --namespace check`: the command word was taken as the flag's value.
    const taken = flagValues.find(([, value]) => commands.some((c) => c.words[0] === value));
    const why = taken
      ? ` (${JSON.stringify(taken[1])} was taken as the value of ${taken[0]}; give ${taken[0]} a value)`
      : '';
    return reportError(io, new CliUsageError(`${found.error ?? 'missing command'}${why}`, found.usage));
  }
  const command = found.command;
  let database: Database | undefined;
  try {
    const { values, positionals } = parseCommandLine(
      argv,
      command.flags,
      command.words.length,
      command.usage,
    );
    let namespace: string | undefined;
    const namespaceOf = (): string =>
      (namespace ??= checkNamespace(
        values.string('namespace') ??
          (io.env.RASPIMON_NAMESPACE || undefined) ??
          (io.defaultNamespace ?? getDeviceNamespace)(),
        command.usage,
      ));
    const uriOf = (): string => values.string('uri') ?? io.env.MONGODB_URI ?? defaultUri;
    const timeoutOf = (): number => {
      const seconds = values.number('timeout') ?? defaultTimeoutSeconds;
      if (seconds <= 0)
        throw new CliUsageError(
          `--timeout must be a positive number of seconds, got ${seconds}`,
          command.usage,
        );
      return seconds;
    };
    let drivers: Promise<DriverEntries> | undefined;
    let registry: ReturnType<CommandContext['registry']> | undefined;
    const context: CommandContext = {
      io,
      values,
      positionals,
      usage: command.usage,
      namespace: namespaceOf,
      db: () => {
        if (!database) {
          database = new Database(uriOf(), namespaceOf(), timeoutOf(), command.usage);
          // On a workstation the default is its own MAC: say which database is used.
          if (values.string('namespace') === undefined)
            io.stderr.write(
              `raspimon: namespace ${namespaceOf()} (${io.env.RASPIMON_NAMESPACE ? 'from $RASPIMON_NAMESPACE' : "this machine's wired MAC"}); pass --namespace <db> for another device\n`,
            );
        }
        return database.db();
      },
      configurationDb: async (collections) =>
        requireConfiguration(await context.db(), namespaceOf(), uriOf(), collections),
      drivers: () => {
        const specifier = values.string('drivers');
        drivers ??=
          specifier === undefined ? Promise.resolve({}) : loadCustomDrivers(specifier, io.cwd, command.usage);
        return drivers;
      },
      registry: () => {
        registry ??= context.drivers().then((entries) => createDriverRegistry(entries));
        return registry;
      },
      print: (text) => void io.stdout.write(printable(text)),
      version: () => packageVersion(import.meta.url),
    };
    expectPositionals(positionals, command.positionals ?? [], command.usage);
    await command.run(context);
    return 0;
  } catch (error) {
    return reportError(io, error);
  } finally {
    await database?.close().catch(() => undefined);
  }
}
