// Loading the daemon's state at start, when files may be damaged (an SD card's media errors):
// a damaged snapshot is moved aside and the state rebuilt from the previous generation and
// the journals; damaged journal regions are skipped exactly, kept aside in journal.corrupt and
// reported. What was found is returned as text for one ALERT mail and the daemon's log.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import {
  CORRUPT_FILE,
  fsyncDir,
  generations,
  journalName,
  PREVIOUS_SNAPSHOT,
  replay,
  SNAPSHOT,
} from './journal-files.js';
import { DaemonState } from './state.js';

/** The state as loaded, where to go on appending, and what damage was found. */
export interface Recovery {
  state: DaemonState;
  /** Generation of the snapshot the state was built on (0: none). */
  snapshotGen: number;
  /** The newest journal generation (the one to append to). */
  gen: number;
  /** Bytes of the newest journal file to keep (a torn last line after them is cut). */
  keep: number;
  /** Bytes of the newest journal file as read (null when it does not exist yet). */
  size: number | null;
  /** One sentence per problem found, for the ALERT mail; empty when all was well. */
  problems: string[];
  /** Lines for the daemon's log (each problem, and a cut torn line). */
  log: string[];
}

/** `2026-12-06T21-30-00Z`, for file names. */
function stamp(epochMs: number): string {
  return new Date(epochMs)
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replaceAll(':', '-');
}

async function readSnapshot(file: string): Promise<{ state: DaemonState; gen: number } | 'missing' | Error> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    return error as Error;
  }
  try {
    return DaemonState.fromSnapshot(text);
  } catch (error) {
    return error as Error;
  }
}

/** Record ids pending in a damaged snapshot's text (as far as it can be read). */
async function pendingRidsIn(file: string): Promise<Set<number>> {
  const text = await fs.readFile(file, 'utf8').catch(() => '');
  return new Set([...text.matchAll(/"rid":(\d+)/g)].map((m) => Number(m[1])));
}

/** Loads snapshot and journals from `dir` (locked by the caller), recovering from damage. */
export async function recoverState(dir: string, now: number): Promise<Recovery> {
  const problems: string[] = [];
  const log: string[] = [];
  let state = new DaemonState();
  let snapshotGen = 0;
  /** A damaged snapshot (moved to `movedTo`), or a missing one while the previous is there (null). */
  let damagedSnapshot: { movedTo: string | null; gen: number | null } | null = null;
  const current = await readSnapshot(path.join(dir, SNAPSHOT));
  if (current instanceof Error) {
    const movedTo = path.join(dir, `${SNAPSHOT}.damaged-${stamp(now)}`);
    const text = await fs.readFile(path.join(dir, SNAPSHOT), 'utf8').catch(() => '');
    const gen = /"gen":(\d+)/.exec(text)?.[1];
    await fs.rename(path.join(dir, SNAPSHOT), movedTo);
    await fsyncDir(dir);
    damagedSnapshot = { movedTo, gen: gen === undefined ? null : Number(gen) };
    log.push(
      `snapshot damaged: ${path.join(dir, SNAPSHOT)} cannot be read (${current.message}); moved to ${movedTo}`,
    );
    const previous = await readSnapshot(path.join(dir, PREVIOUS_SNAPSHOT));
    if (typeof previous === 'object' && !(previous instanceof Error))
      ({ state, gen: snapshotGen } = previous);
    else if (previous instanceof Error)
      log.push(
        `the previous snapshot ${path.join(dir, PREVIOUS_SNAPSHOT)} cannot be read either (${previous.message})`,
      );
  } else if (current !== 'missing') {
    ({ state, gen: snapshotGen } = current);
  } else {
    // Never missing while the previous one exists (it is linked before the rename), unless
    // deleted or lost by the medium: the previous generation is then the one to build on.
    const previous = await readSnapshot(path.join(dir, PREVIOUS_SNAPSHOT));
    if (typeof previous === 'object' && !(previous instanceof Error)) {
      ({ state, gen: snapshotGen } = previous);
      damagedSnapshot = { movedTo: null, gen: null };
      log.push(`snapshot missing: ${path.join(dir, SNAPSHOT)} is gone; rebuilt from ${PREVIOUS_SNAPSHOT}`);
    }
  }
  await fs.rm(path.join(dir, `${SNAPSHOT}.tmp`), { force: true });
  await fs.rm(path.join(dir, `${PREVIOUS_SNAPSHOT}.tmp`), { force: true });
  // Generations at or after the snapshot's hold the events since it, oldest first (a newer
  // one exists when the daemon died while writing the next snapshot).
  const live = (await generations(dir)).filter((g) => g >= snapshotGen);
  const bad: Array<{ file: string; offset: number; bytes: number; reason: string; data: Buffer }> = [];
  let gen = snapshotGen;
  let keep = 0;
  let size: number | null = null;
  for (const [i, g] of live.entries()) {
    const bytes = await fs.readFile(path.join(dir, journalName(g)));
    const scan = replay(bytes, state);
    const last = i === live.length - 1;
    for (const region of scan.bad)
      bad.push({
        file: journalName(g),
        ...region,
        data: bytes.subarray(region.offset, region.offset + region.bytes),
      });
    if (scan.torn > 0 && !last) {
      // Only the newest file is being written: an older one ending short was damaged.
      bad.push({
        file: journalName(g),
        offset: scan.keep,
        bytes: scan.torn,
        reason: 'cut short',
        data: bytes.subarray(scan.keep),
      });
    } else if (scan.torn > 0) {
      log.push(
        `journal ${journalName(g)}: a torn last line (${scan.torn} bytes, never acknowledged) cut at offset ${scan.keep}`,
      );
    }
    gen = g;
    keep = scan.keep;
    size = bytes.length;
  }
  if (bad.length > 0) {
    const corrupt = path.join(dir, CORRUPT_FILE);
    const at = new Date(now).toISOString();
    const lines = bad.map((b) =>
      JSON.stringify({
        at,
        file: b.file,
        offset: b.offset,
        bytes: b.bytes,
        reason: b.reason,
        text: b.data.toString('utf8'),
        base64: b.data.toString('base64'),
      }),
    );
    // Best effort: a full disk must not stop the start (the bytes stay in the journal file
    // until a later snapshot removes that generation).
    let keptIn = corrupt;
    try {
      const handle = await fs.open(corrupt, 'a', 0o600);
      try {
        await handle.write(lines.join('\n') + '\n');
        await handle.sync();
      } finally {
        await handle.close();
      }
    } catch (error) {
      keptIn = `the journal file itself (${corrupt} cannot be written: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`;
    }
    const total = bad.reduce((n, b) => n + b.bytes, 0);
    for (const b of bad)
      log.push(
        `journal damaged: ${b.file} offset ${b.offset}, ${b.bytes} bytes (${b.reason}) skipped and kept in ${keptIn}; the good lines after it are replayed`,
      );
    const where = bad
      .map((b) => `${b.file} at offset ${b.offset} (${b.bytes} bytes, ${b.reason})`)
      .join('; ');
    problems.push(
      `The mail logger's journal was damaged (a storage error?): ${bad.length} region(s), ${total} bytes, could not be read and were skipped: ${where}. ` +
        `The records in them are lost; they are kept as found in ${keptIn}. Every readable record after them was kept and is mailed as usual.`,
    );
  }
  if (damagedSnapshot !== null) {
    // Nothing is lost when the journals since the generation rebuilt from are all there.
    const complete =
      live.length > 0 &&
      live[0] === snapshotGen &&
      live.every((g, i) => g === snapshotGen + i) &&
      (damagedSnapshot.gen === null || live.at(-1)! >= damagedSnapshot.gen);
    let loss = 'nothing acknowledged was lost';
    if (!complete && damagedSnapshot.movedTo === null) {
      loss = `the journals since generation ${snapshotGen} are not all there, so records acknowledged before the newest of them may be lost`;
    } else if (!complete) {
      const rids = await pendingRidsIn(damagedSnapshot.movedTo!);
      const pending = new Set(
        [...state.pending.instant, ...state.pending.daily, ...state.pending.weekly].map((r) => r.rid),
      );
      const missing = [...rids].filter((rid) => !pending.has(rid)).length;
      loss =
        `the journals since generation ${snapshotGen} are not all there, so records held only in the damaged snapshot may be lost: ` +
        `it still shows ${rids.size} pending record id(s), ${missing} of them not pending after the rebuild (mailed since, or lost)`;
    }
    const what =
      damagedSnapshot.movedTo === null
        ? `The mail logger's snapshot ${path.join(dir, SNAPSHOT)} was missing (deleted, or lost by the storage).`
        : `The mail logger's snapshot was damaged (a storage error?) and could not be read; it was moved to ${damagedSnapshot.movedTo}.`;
    problems.push(
      `${what} The state was rebuilt from ${snapshotGen === 0 ? 'the start' : `the previous snapshot (generation ${snapshotGen})`} and ${live.length} journal file(s): ${loss}.`,
    );
  }
  return { state, snapshotGen, gen, keep, size, problems, log };
}
