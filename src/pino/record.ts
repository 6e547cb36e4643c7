// Pure mapping of one pino log line (the JSON object pino writes) to a mail-logger record.
import type { Level } from '../mail-logger/index.js';

/** Pino's standard levels by number. */
const standardLevels: ReadonlyArray<readonly [number, string]> = [
  [60, 'fatal'],
  [50, 'error'],
  [40, 'warn'],
  [30, 'info'],
  [20, 'debug'],
  [10, 'trace'],
];

/**
 * Default mapping of pino levels to mail-logger levels: trace/debug → DEBUG, info → INFO,
 * warn → WARNING, error → ERROR, fatal → ALERT.
 */
export const defaultPinoLevels: Readonly<Record<string, Level>> = {
  trace: 'DEBUG',
  debug: 'DEBUG',
  info: 'INFO',
  warn: 'WARNING',
  error: 'ERROR',
  fatal: 'ALERT',
};

/** Fields pino adds to every line that say nothing a mail needs. */
const droppedFields = new Set(['pid', 'hostname', 'time', 'level', 'v']);

/** What the transport logs through MailLoggerClient. */
export interface MailRecord {
  /** The mail-logger level the pino level maps to. */
  level: Level;
  /** The line's `msg` (or `messageKey`) field; else `err.message`; else a placeholder. */
  message: string;
  /** Every other field of the line (err kept as pino serialised it); undefined when none. */
  context: Record<string, unknown> | undefined;
}

/**
 * The mail-logger level of a pino `level` field: a label (`'warn'`, or a custom one) or a
 * number. `mapping` (labels or numbers as keys) wins over the defaults; a number that is
 * not a standard level maps as the nearest standard level below it (a custom level 45
 * between warn and error is a WARNING).
 */
export function mapLevel(level: unknown, mapping: Readonly<Record<string, Level>>): Level {
  if (typeof level === 'string') return mapping[level] ?? defaultPinoLevels[level] ?? 'INFO';
  if (typeof level === 'number' && Number.isFinite(level)) {
    const exact = mapping[String(level)];
    if (exact) return exact;
    const label = standardLevels.find(([n]) => level >= n)?.[1] ?? 'trace';
    return mapping[label] ?? defaultPinoLevels[label]!;
  }
  return 'INFO';
}

/**
 * Turns one parsed pino line into a record: `msg` (or `messageKey`) becomes the message,
 * the other fields the context, minus pid/hostname/time/level.
 */
export function toMailRecord(
  line: Record<string, unknown>,
  mapping: Readonly<Record<string, Level>>,
  messageKey = 'msg',
): MailRecord {
  const context: Record<string, unknown> = {};
  let fields = 0;
  for (const [key, value] of Object.entries(line)) {
    if (key === messageKey || droppedFields.has(key)) continue;
    context[key] = value;
    fields++;
  }
  const raw = line[messageKey];
  const errMessage = (line.err as { message?: unknown } | undefined)?.message;
  let message: string;
  if (typeof raw === 'string' && raw !== '') message = raw;
  else if (typeof raw === 'number' || typeof raw === 'boolean') message = String(raw);
  else if (typeof raw === 'object' && raw !== null) message = JSON.stringify(raw);
  else if (typeof errMessage === 'string') message = errMessage;
  else message = '(pino line without a message)';
  return { level: mapLevel(line.level, mapping), message, context: fields > 0 ? context : undefined };
}

/**
 * Parses one NDJSON line; a line that is not a JSON object (e.g. something else wrote to
 * the stream) becomes an INFO record with the text as message, so nothing is lost silently.
 */
export function parseLine(
  text: string,
  mapping: Readonly<Record<string, Level>>,
  messageKey = 'msg',
): MailRecord | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  try {
    const value: unknown = JSON.parse(trimmed);
    if (typeof value === 'object' && value !== null && !Array.isArray(value))
      return toMailRecord(value as Record<string, unknown>, mapping, messageKey);
  } catch {
    // not JSON: forwarded as text below
  }
  return { level: 'INFO', message: trimmed, context: undefined };
}
