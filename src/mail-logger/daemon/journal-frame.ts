// How one journal line is framed, and how a damaged journal is read back. Pure: no I/O.
//
// A line is `#<length hex>:<crc32 hex> <payload>\n` (as rsyslog's and SQLite's journals
// frame records): the length says where the payload ends even when its newline was hit, the
// checksum tells a damaged payload from a good one. A client frame's checksum is seeded with
// its session id, so a frame is tied to its session even when the `{"k":"c"}` marker line
// naming that session is the damaged one. Lines written before 0.3 are bare JSON (`{…}\n`)
// and are still read.
import { crc32 } from 'node:zlib';

const HASH = 0x23;
const COLON = 0x3a;
const SPACE = 0x20;
const NEWLINE = 0x0a;
const BRACE = 0x7b;
/** Longest header: `#` + 8 hex digits + `:` + 8 hex digits + space. */
const MAX_HEADER = 19;

/** The checksum seed of a session's client frames. */
export function sessionSeed(session: string): number {
  return crc32(session);
}

function header(length: number, crc: number): string {
  return `#${length.toString(16)}:${crc.toString(16).padStart(8, '0')} `;
}

/** One append waiting for the journal: a run of one session's client frames, or framed text. */
export interface BatchItem {
  /** The client session of a run of its raw frame lines; null for framed text (events, a held batch). */
  session: string | null;
  data: Buffer | string;
}

const NEWLINE_BUFFER = Buffer.from('\n');

/**
 * The bytes of one group-commit batch: framed text as is, and each client frame line (zero
 * copy) behind its header, its checksum seeded by its session, after a `{"k":"c"}` marker
 * line wherever the session differs from the one named last in the file (`fileSession`).
 * Returns the bytes and the session named last.
 */
export function frameBatch(
  items: readonly BatchItem[],
  fileSession: string | null,
): { buffer: Buffer; fileSession: string | null } {
  const pieces: Buffer[] = [];
  let named = fileSession;
  let seedOf: string | null = null;
  let seed = 0;
  for (const item of items) {
    if (item.session === null) {
      pieces.push(typeof item.data === 'string' ? Buffer.from(item.data) : item.data);
      continue;
    }
    if (item.session !== named) {
      pieces.push(Buffer.from(frameText(JSON.stringify({ k: 'c', id: item.session }))));
      named = item.session;
    }
    if (seedOf !== item.session) {
      seedOf = item.session;
      seed = sessionSeed(item.session);
    }
    const run = item.data as Buffer;
    for (let start = 0; start < run.length;) {
      const nl = run.indexOf(NEWLINE, start);
      const end = nl === -1 ? run.length : nl;
      const payload = run.subarray(start, end);
      pieces.push(
        frameHeader(payload, seed),
        nl === -1 ? Buffer.concat([payload, NEWLINE_BUFFER]) : run.subarray(start, nl + 1),
      );
      start = end + 1;
    }
  }
  return { buffer: pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces), fileSession: named };
}

/** A framed daemon event line (`json` has no newline). */
export function frameText(json: string): string {
  return `${header(Buffer.byteLength(json), crc32(json))}${json}\n`;
}

/** The header of a client frame's `payload` (without its newline). */
export function frameHeader(payload: Buffer, seed: number): Buffer {
  return Buffer.from(header(payload.length, crc32(payload, seed)));
}

/** A line read back: its payload and, for a client frame, the session its checksum names. */
export interface GoodLine {
  /** JSON text. */
  payload: string;
  /** The session a client frame belongs to; null for a daemon event or a pre-0.3 line. */
  session: string | null;
  /** True for a pre-0.3 line without a header. */
  legacy: boolean;
}

/** Bytes that could not be read as lines, skipped whole. */
export interface BadRegion {
  offset: number;
  bytes: number;
  /** What was wrong with its first line, e.g. `checksum mismatch`. */
  reason: string;
}

/** Checks a framed line at `at`; returns its payload end, or why it is not one. */
function framedAt(
  bytes: Buffer,
  at: number,
  seeds: ReadonlyMap<string, number>,
  current: string | null,
): { end: number; session: string | null; payload: string } | string {
  let i = at + 1;
  let length = 0;
  const limit = Math.min(bytes.length, at + MAX_HEADER);
  for (; i < limit && bytes[i] !== COLON; i++) length = length * 16 + hexValue(bytes[i]!);
  if (i >= limit || i === at + 1 || Number.isNaN(length)) return 'unreadable header';
  let crc = 0;
  const crcStart = ++i;
  for (; i < crcStart + 8 && i < bytes.length; i++) crc = crc * 16 + hexValue(bytes[i]!);
  if (i !== crcStart + 8 || Number.isNaN(crc) || bytes[i] !== SPACE) return 'unreadable header';
  const start = i + 1;
  const end = start + length;
  if (end >= bytes.length) return 'cut short';
  const payload = bytes.subarray(start, end);
  const plain = crc32(payload);
  if (plain === crc) return { end, session: null, payload: payload.toString('utf8') };
  // A client frame: its session's seed, the current one first (a damaged marker is thus
  // recovered from the frame itself).
  if (current !== null && crc32(payload, seeds.get(current)) === crc)
    return { end, session: current, payload: payload.toString('utf8') };
  for (const [session, seed] of seeds) {
    if (session !== current && crc32(payload, seed) === crc)
      return { end, session, payload: payload.toString('utf8') };
  }
  return 'checksum mismatch';
}

function hexValue(byte: number): number {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  if (byte >= 0x61 && byte <= 0x66) return byte - 0x57;
  return NaN;
}

/** A pre-0.3 line at `at` (a JSON object up to the next newline), or why it is not one. */
function legacyAt(bytes: Buffer, at: number): { end: number; payload: string; value: unknown } | string {
  const end = bytes.indexOf(NEWLINE, at);
  if (end === -1) return 'cut short';
  const payload = bytes.toString('utf8', at, end);
  try {
    return { end, payload, value: JSON.parse(payload) as unknown };
  } catch {
    return 'not JSON';
  }
}

/** A line that names a session: a marker (its client frames follow) or a hello. */
export type SessionNamed = { marker: string } | { hello: string };

/** What {@link scanJournal} found. */
export interface ScanResult {
  /** Byte length of the part to keep (a torn last line after it is cut). */
  keep: number;
  /** Damaged regions in the middle (or at the end, when that is not a torn last line). */
  bad: BadRegion[];
  /** Bytes of a torn last line cut at `keep` (0 when none). */
  torn: number;
}

/**
 * Reads every good line of a journal file, in order, through `visit` (which returns the
 * session a marker or hello names, or throws for a line it cannot apply), skipping each
 * damaged region exactly: the next good line after it is found by its header and checksum.
 * Only a region at the end without a newline (a write cut short) is a torn tail.
 * `sessions` gives the seeds of the sessions known before this file (more are learned from
 * markers as they are read).
 */
export function scanJournal(
  bytes: Buffer,
  sessions: Iterable<string>,
  visit: (line: GoodLine) => SessionNamed | undefined,
): ScanResult {
  const seeds = new Map<string, number>();
  for (const session of sessions) seeds.set(session, sessionSeed(session));
  const bad: BadRegion[] = [];
  let current: string | null = null;
  let at = 0;
  let badStart = -1;
  let badReason = '';
  /** Tries a line at `at`; returns the offset after it, or a reason. */
  const lineAt = (strict: boolean): number | string => {
    const first = bytes[at];
    if (first === NEWLINE && !strict) return at + 1;
    let found: { end: number; session: string | null; payload: string; legacy: boolean } | string;
    if (first === HASH) {
      const framed = framedAt(bytes, at, seeds, current);
      found = typeof framed === 'string' ? framed : { ...framed, legacy: false };
      // While resynchronising, a line must also end where its length says.
      if (strict && typeof found !== 'string' && bytes[found.end] !== NEWLINE) return 'unaligned';
    } else if (first === BRACE && (at === 0 || bytes[at - 1] === NEWLINE)) {
      const legacy = legacyAt(bytes, at);
      found = typeof legacy === 'string' ? legacy : { ...legacy, session: null, legacy: true };
    } else {
      return 'not a journal line';
    }
    if (typeof found === 'string') return found;
    let named: SessionNamed | undefined;
    try {
      named = visit({ payload: found.payload, session: found.session, legacy: found.legacy });
    } catch (error) {
      return `unusable: ${(error as Error).message}`;
    }
    if (found.session !== null) current = found.session;
    if (named !== undefined) {
      const id = 'marker' in named ? named.marker : named.hello;
      if ('marker' in named) current = id;
      if (!seeds.has(id)) seeds.set(id, sessionSeed(id));
    }
    return found.end + 1;
  };
  while (at < bytes.length) {
    const next = lineAt(badStart !== -1);
    if (typeof next === 'number') {
      if (badStart !== -1) {
        bad.push({ offset: badStart, bytes: at - badStart, reason: badReason });
        badStart = -1;
      }
      at = next;
      continue;
    }
    if (badStart === -1) {
      badStart = at;
      badReason = next;
    }
    // Resynchronise: the next candidate line start (a header anywhere, a legacy line after a newline).
    let candidate = at + 1;
    while (candidate < bytes.length) {
      const c = bytes[candidate]!;
      if (c === HASH || (c === BRACE && bytes[candidate - 1] === NEWLINE)) break;
      candidate++;
    }
    at = candidate;
  }
  if (badStart === -1) return { keep: bytes.length, bad, torn: 0 };
  const tail = bytes.subarray(badStart);
  if (!tail.includes(NEWLINE)) return { keep: badStart, bad, torn: tail.length };
  bad.push({ offset: badStart, bytes: tail.length, reason: badReason });
  return { keep: badStart, bad, torn: 0 };
}
