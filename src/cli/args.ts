// Command-line parsing: finds the command words (global flags may come before them),
// parses the flags with node:util parseArgs in strict mode and turns typed values out
// of the strings. Pure: no I/O.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CliUsageError } from './errors.js';

/** Flags of one command, in parseArgs' format. */
export type FlagSpec = NonNullable<ParseArgsConfig['options']>;

/** Flags every command accepts. */
export const globalFlags = {
  uri: { type: 'string' },
  namespace: { type: 'string' },
  timeout: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'V' },
} as const satisfies FlagSpec;

/** The command words and where the rest of the command line starts. */
export interface CommandWords {
  /** Up to two words that are not flags or flag values, e.g. `['devices', 'add']`. */
  words: string[];
  /** True when `--help` or `-h` appears (before a `--`). */
  help: boolean;
  /** True when `--version` or `-V` appears (before a `--`). */
  version: boolean;
  /** Flag values taken, with their flag, e.g. `['--namespace', 'check']` (for hints). */
  flagValues: Array<[flag: string, value: string]>;
}

/**
 * Finds the command words in `argv` without knowing the command yet: a token is a flag
 * value when it follows a string flag of `knownFlags` (the union of every command's flags).
 */
export function findCommandWords(argv: readonly string[], knownFlags: FlagSpec, maxWords = 2): CommandWords {
  const stringLong = new Set(
    Object.entries(knownFlags)
      .filter(([, f]) => f.type === 'string')
      .map(([name]) => name),
  );
  const stringShort = new Set(
    Object.values(knownFlags)
      .filter((f) => f.type === 'string' && f.short !== undefined)
      .map((f) => f.short),
  );
  const words: string[] = [];
  const flagValues: Array<[string, string]> = [];
  let help = false;
  let version = false;
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (token === '--') break;
    if (token === '--help' || token === '-h') help = true;
    if (token === '--version' || token === '-V') version = true;
    const takesValue = token.startsWith('--')
      ? !token.includes('=') && stringLong.has(token.slice(2))
      : token.startsWith('-') && token.length === 2 && stringShort.has(token.slice(1));
    if (takesValue) {
      const value = argv[i + 1];
      if (value !== undefined) flagValues.push([token, value]);
      i++;
    } else if (!token.startsWith('-') || token.length === 1) {
      if (words.length < maxWords) words.push(token);
    }
  }
  return { words, help, version, flagValues };
}

/** How a document field is read from its flag: `['key', 'integer']` reads `--key` as an integer. */
export type FieldFlag = readonly [flag: string, type: 'string' | 'integer' | 'number'];

/** The document fields `FlagValues.fields` reads from a table of `FieldFlag`s. */
export type FlagFields<Table extends Readonly<Record<string, FieldFlag>>> = {
  -readonly [Field in keyof Table]?: Table[Field][1] extends 'string' ? string : number;
};

/** Typed access to parsed flag values; malformed values are usage errors. */
export class FlagValues {
  constructor(
    private readonly values: Record<string, string | boolean | undefined>,
    private readonly usage: string,
  ) {}

  /** A string flag, or undefined when absent. */
  string(name: string): string | undefined {
    const value = this.values[name];
    return typeof value === 'string' ? value : undefined;
  }

  /** A string flag that must be present. */
  required(name: string): string {
    const value = this.string(name);
    if (value === undefined) throw new CliUsageError(`missing --${name}`, this.usage);
    return value;
  }

  /** A boolean flag. */
  flag(name: string): boolean {
    return this.values[name] === true;
  }

  /** An integer flag (any sign: the monitor's validation judges the range). */
  integer(name: string): number | undefined {
    const text = this.string(name);
    if (text === undefined) return undefined;
    const value = Number(text);
    if (text.trim() === '' || !Number.isSafeInteger(value)) {
      throw new CliUsageError(`--${name} must be an integer, got ${JSON.stringify(text)}`, this.usage);
    }
    return value;
  }

  /** A number flag (e.g. seconds, fractions allowed). */
  number(name: string): number | undefined {
    const text = this.string(name);
    if (text === undefined) return undefined;
    const value = Number(text);
    if (text.trim() === '' || !Number.isFinite(value)) {
      throw new CliUsageError(`--${name} must be a number, got ${JSON.stringify(text)}`, this.usage);
    }
    return value;
  }

  /**
   * The document fields given as flags, read in `table` order (so the first malformed one
   * is the one reported); absent flags are left out.
   *
   * @example
   * ```ts
   * values.fields({ keyId: ['key', 'integer'], message: ['message', 'string'] });
   * // { keyId: 7 } for `--key 7`
   * ```
   */
  fields<const Table extends Readonly<Record<string, FieldFlag>>>(table: Table): FlagFields<Table> {
    const doc: Record<string, string | number> = {};
    for (const [field, [flag, type]] of Object.entries(table)) {
      const value = this[type](flag);
      if (value !== undefined) doc[field] = value;
    }
    return doc as FlagFields<Table>;
  }
}

/** Flags and positionals of one command, after its command words. */
export interface ParsedCommandLine {
  values: FlagValues;
  positionals: string[];
}

/**
 * Parses `argv` strictly against the global flags plus the command's own; the first
 * `wordCount` positionals (the command words) are dropped.
 */
export function parseCommandLine(
  argv: readonly string[],
  flags: FlagSpec,
  wordCount: number,
  usage: string,
): ParsedCommandLine {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: { ...globalFlags, ...flags },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new CliUsageError(parseErrorMessage(error), usage);
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  return { values: new FlagValues(values, usage), positionals: parsed.positionals.slice(wordCount) };
}

// parseArgs' messages talk about "options" and positionals; say the same in our words.
function parseErrorMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const flag = /'(-[^' ]+)/.exec(message)?.[1] ?? '';
  if (message.startsWith('Unknown option')) return `unknown flag ${flag}`;
  if (message.includes('argument missing')) return `${flag} needs a value`;
  if (message.includes('ambiguous'))
    return `${flag} needs a value; for a value starting with a dash write ${flag}=-VALUE`;
  if (message.includes('does not take an argument')) return `${flag} takes no value`;
  return message.split('\n')[0] ?? message;
}

/**
 * Checks the number of positionals a command got against their names: a name ending in `?`
 * may be left out, one ending in `…` (the last) takes any number.
 */
export function expectPositionals(
  positionals: readonly string[],
  names: readonly string[],
  usage: string,
): void {
  const required = names.filter((n) => !n.endsWith('?') && !n.endsWith('…'));
  if (positionals.length < required.length) {
    throw new CliUsageError(
      `missing ${required
        .slice(positionals.length)
        .map((n) => `<${n}>`)
        .join(' ')}`,
      usage,
    );
  }
  if (positionals.length > names.length && !names.at(-1)?.endsWith('…')) {
    throw new CliUsageError(`unexpected argument ${JSON.stringify(positionals[names.length])}`, usage);
  }
}
