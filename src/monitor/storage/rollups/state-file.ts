// Reading and writing `<stateDir>/rollups.json`, the rollups' saved state. A file that is
// missing, unreadable or of the wrong shape reads as none (warned, except missing): the open
// hours are then recomputed from the raw readings. A write that fails is warned each time.
import { readFile, rename, writeFile } from 'node:fs/promises';
import { describeError } from '../../../internal/index.js';
import type { MonitorLogger } from '../../types.js';
import { savedStateProblem, type SavedState } from './saved-state.js';

/** The saved state, or undefined when there is none usable. */
export async function readStateFile(file: string, logger: MonitorLogger): Promise<SavedState | undefined> {
  try {
    const parsed: unknown = JSON.parse(await readFile(file, 'utf8'));
    const problem = savedStateProblem(parsed);
    if (problem === undefined) return parsed as SavedState;
    logger.warning(
      `rollups: ${file} is valid JSON of the wrong shape (${problem}); the open hours are recomputed from the raw readings`,
    );
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
      logger.warning(
        `rollups: cannot read ${file} (${describeError(error)}); the open hours are recomputed from the raw readings`,
      );
  }
  return undefined;
}

/** Replaces the file atomically (temp file + rename); false when it could not (warned). */
export async function writeStateFile(
  file: string,
  state: SavedState,
  logger: MonitorLogger,
): Promise<boolean> {
  const temp = `${file}.tmp`;
  try {
    await writeFile(temp, JSON.stringify(state));
    await rename(temp, file);
    return true;
  } catch (error) {
    logger.warning(
      `rollups: cannot save the open hours to ${file} (${describeError(error)}); after a crash they are recomputed from the raw readings`,
    );
    return false;
  }
}
