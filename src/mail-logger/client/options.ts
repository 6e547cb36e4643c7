// The client's options and the checks of its arguments, resolved in one place.
import os from 'node:os';
import path from 'node:path';
import { RaspimonTypeError } from '../../errors.js';
import { checkPositive, describeValue, isPlainObject } from '../../internal/index.js';

/** Where {@link MailLoggerClientOptions.tee} writes: stderr, nowhere, or your function. */
export type MailLoggerTee = 'stderr' | false | ((line: string) => void);

/** Options of {@link MailLoggerClient.open}. */
export interface MailLoggerClientOptions {
  /**
   * Who is logging, shown in mails, e.g. the device namespace from `getDeviceNamespace()`.
   * @default `${os.hostname()}/${program file name}`
   */
  source?: string;
  /**
   * Records kept while the daemon is unreachable or has not acknowledged them yet; beyond
   * this the least severe (oldest first) are dropped and their count is mailed.
   * @default 10000
   */
  maxBufferedRecords?: number;
  /**
   * Where warnings, errors and alerts go while the daemon cannot be reached (so a Pi whose
   * daemon is down is not silent in `journalctl`): one line when the daemon is found
   * unreachable (with the count of records held), each WARNING/ERROR/ALERT logged
   * meanwhile (the first 50 of each spell; the rest counted), and one line when it is back.
   * `false` writes nothing; a function gets each line.
   * @default 'stderr'
   */
  tee?: MailLoggerTee;
  /**
   * The clock that stamps records, epoch ms: pass the program's Scheduler (or a
   * ManualClock) so records carry the same time as everything else.
   * @default the system clock
   */
  clock?: {
    /** Epoch ms. */
    now(): number;
  };
}

/** Counters of one client, for health checks and tests. */
export interface MailLoggerClientStats {
  /** Records waiting for the daemon's acknowledgement. */
  buffered: number;
  /** Records dropped because the buffer was full. */
  dropped: number;
  /** Records not sent because their level's schedule is SILENTLY. */
  silenced: number;
  /** Whether a connection to the daemon is up. */
  connected: boolean;
}

/** Options of {@link MailLoggerClient.flush}. */
export interface MailLoggerFlushOptions {
  /**
   * Give up waiting after this many seconds, rejecting with `ERR_FLUSH_TIMEOUT`; the
   * records stay buffered and are sent when the daemon is reachable again.
   * @default undefined (wait until the daemon acknowledges, however long that takes)
   */
  timeoutSeconds?: number;
}

/** Options of {@link MailLoggerClient.close}. */
export interface MailLoggerCloseOptions {
  /** Seconds to wait for the daemon to acknowledge what is buffered. @default 5 */
  timeoutSeconds?: number;
}

export interface ResolvedClientOptions {
  source: string;
  maxBufferedRecords: number;
  tee: ((line: string) => void) | null;
  now: () => number;
}

function defaultSource(): string {
  const program = process.argv[1] === undefined ? 'node' : path.basename(process.argv[1]);
  return `${os.hostname()}/${program}`;
}

function optionsObject(what: string, options: unknown): Record<string, unknown> {
  if (!isPlainObject(options) && (typeof options !== 'object' || options === null)) {
    throw new RaspimonTypeError(
      'ERR_INVALID_ARG_TYPE',
      `${what} takes an options object, got ${describeValue(options)}`,
    );
  }
  return options as Record<string, unknown>;
}

/** Checks the options of `open()` and fills in defaults, without touching the caller's object. */
export function resolveClientOptions(options: MailLoggerClientOptions): ResolvedClientOptions {
  optionsObject('MailLoggerClient.open()', options);
  const maxBufferedRecords = checkPositive('option maxBufferedRecords', options.maxBufferedRecords, {
    fallback: 10_000,
    integer: true,
  });
  if (options.source !== undefined && typeof options.source !== 'string') {
    throw new RaspimonTypeError(
      'ERR_INVALID_ARG_TYPE',
      `option source must be a string, got ${describeValue(options.source)}`,
    );
  }
  const tee = options.tee ?? 'stderr';
  if (tee !== 'stderr' && tee !== false && typeof tee !== 'function') {
    throw new RaspimonTypeError(
      'ERR_INVALID_ARG_TYPE',
      `option tee must be 'stderr', false or a function, got ${describeValue(tee)}`,
    );
  }
  const clock = options.clock;
  if (clock !== undefined && typeof (clock as { now?: unknown } | null)?.now !== 'function') {
    throw new RaspimonTypeError(
      'ERR_INVALID_ARG_TYPE',
      `option clock must have a now() method (a Scheduler or a ManualClock), got ${describeValue(clock)}`,
    );
  }
  return {
    source: (options.source ?? defaultSource()).slice(0, 200),
    maxBufferedRecords,
    tee:
      tee === 'stderr'
        ? (line) => void process.stderr.write(`raspimon mail-logger: ${line}\n`)
        : tee === false
          ? null
          : tee,
    now: clock === undefined ? Date.now : () => clock.now(),
  };
}

/** The flush/close timeout in ms (undefined: none); throws for a bad value, at the call. */
export function timeoutMs(what: string, options: unknown, fallbackSeconds?: number): number | undefined {
  const seconds = optionsObject(what, options).timeoutSeconds;
  if (seconds === undefined && fallbackSeconds === undefined) return undefined;
  const checked = checkPositive('option timeoutSeconds', seconds, {
    allowZero: true,
    unit: 'seconds',
    ...(fallbackSeconds === undefined ? {} : { fallback: fallbackSeconds }),
  });
  // setTimeout cannot wait longer than 2^31 - 1 ms (about 24.8 days): beyond that, no timeout.
  const ms = checked * 1000;
  return ms > 2 ** 31 - 1 ? undefined : ms;
}

// Kept small enough that a frame always stays under the daemon's 64 KiB limit, even if
// every character needs a 6-byte JSON escape.
export const MAX_MESSAGE_CHARS = 8000;
const MAX_CONTEXT_CHARS = 4000;

/** A log call's context as JSON text, at the call (later mutations do not leak in); never throws. */
export function stringifyContext(context: object): string {
  try {
    const json = JSON.stringify(context);
    if (json === undefined) return '{}';
    const object = json.startsWith('{') ? json : `{"value":${json}}`;
    return object.length <= MAX_CONTEXT_CHARS
      ? object
      : JSON.stringify({ truncated: object.slice(0, MAX_CONTEXT_CHARS / 2) });
  } catch (error) {
    return JSON.stringify({ unserializable: error instanceof Error ? error.message : String(error) });
  }
}
