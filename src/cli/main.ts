// The `raspimon` command line: finds the command, parses its flags, runs it with a
// context, and turns errors into a message on stderr and an exit status.
import { getDeviceNamespace } from '../identity/index.js';
import { RaspimonError } from '../errors.js';
import { createDriverRegistry } from '../monitor/index.js';
import { findCommandWords, parseCommandLine, globalFlags, type FlagSpec } from './args.js';
import { checkCommands } from './commands/check.js';
import { deviceCommands, devicesUsage } from './commands/devices.js';
import { keyCommands, keysUsage } from './commands/keys.js';
import { fleetCommands, fleetUsage } from './commands/fleet.js';
import { readingsCommands, readingsUsage } from './commands/readings.js';
import { rollupsCommands, rollupsUsage } from './commands/rollups.js';
import { ruleCommands, rulesUsage } from './commands/rules.js';
import { globalFlagsHelp, type CliIO, type Command, type CommandContext } from './command.js';
import { Database, checkNamespace, defaultTimeoutSeconds, defaultUri } from './database.js';
import { loadCustomDrivers, type DriverEntries } from './drivers.js';
import { CliUsageError, ConfigRejectedError, failureExitCode, usageExitCode } from './errors.js';

const commands: readonly Command[] = [
  ...deviceCommands,
  ...keyCommands,
  ...readingsCommands,
  ...rollupsCommands,
  ...checkCommands,
  ...ruleCommands,
  ...fleetCommands,
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
keys) and its readings, validating every change exactly as the monitor does.

Commands:
${commands.map((c) => `  ${c.words.join(' ').padEnd(24)}${c.summary}`).join('\n')}

Run raspimon <command> --help for its flags.

${globalFlagsHelp}

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

function reportError(io: CliIO, error: unknown): number {
  const write = (text: string): void => void io.stderr.write(text);
  if (error instanceof CliUsageError) {
    write(`raspimon: ${error.message}\n\n${error.usage}\n`);
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
  const { words, help } = findCommandWords(argv, allFlags);
  const found = findCommand(words);
  if (help) {
    io.stdout.write(`${found.command?.usage ?? found.usage}\n`);
    return 0;
  }
  if (!found.command)
    return reportError(io, new CliUsageError(found.error ?? 'missing command', found.usage));
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
        values.string('namespace') ?? (io.defaultNamespace ?? getDeviceNamespace)(),
        command.usage,
      ));
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
        database ??= new Database(
          values.string('uri') ?? io.env.MONGODB_URI ?? defaultUri,
          namespaceOf(),
          timeoutOf(),
          command.usage,
        );
        return database.db();
      },
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
      print: (text) => void io.stdout.write(text),
    };
    await command.run(context);
    return 0;
  } catch (error) {
    return reportError(io, error);
  } finally {
    await database?.close().catch(() => undefined);
  }
}
