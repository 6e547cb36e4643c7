// Rule state across restarts: the firing (rule, device) pairs, saved in the monitor's state
// dir after each fire, reminder or resolve (coalesced, temp file + rename, off the hot
// path), so a rule that was firing does not fire again after a restart.
import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describeError } from '../../internal/index.js';
import type { MonitorLogger } from '../types.js';
import type { FiringState } from './types.js';

/** File name of the rule state inside the state dir. */
export const ruleStateFile = 'rules-state.json';

/** Epoch ms a saved time may have: from 1970 (a Pi before NTP) to the year 5138. */
const maxEpochMs = 1e14;

const isId = (v: unknown): boolean => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isTime = (v: unknown): boolean => typeof v === 'number' && v >= 0 && v <= maxEpochMs;
const isFinite = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v);

/**
 * A saved firing state of the right shape and ranges: valid JSON of another shape (a time
 * of 1e20, an id of 2.5) is dropped with a warning and the rule judged afresh, as for an
 * unparsable file, rather than planned from nonsense.
 */
function isFiringState(value: unknown): value is FiringState {
  const s = value as Partial<FiringState> | null;
  return (
    typeof s === 'object' &&
    s !== null &&
    isId(s.ruleId) &&
    isId(s.deviceId) &&
    typeof s.ruleName === 'string' &&
    (s.level === 'WARNING' || s.level === 'ERROR' || s.level === 'ALERT') &&
    (s.cause === 'above' || s.cause === 'below' || s.cause === 'noData') &&
    isTime(s.sinceMs) &&
    isTime(s.firedMs) &&
    isTime(s.lastNoticeMs) &&
    isFinite(s.threshold) &&
    (s.value === undefined || s.value === null || isFinite(s.value))
  );
}

/** Loads and saves the firing states of one monitor. */
export class RuleStateStore {
  private readonly file: string;
  private writing: Promise<void> | undefined;
  private again = false;
  private failureReported = false;

  constructor(
    stateDir: string,
    private readonly logger: MonitorLogger,
    private readonly states: () => FiringState[],
  ) {
    this.file = path.join(stateDir, ruleStateFile);
  }

  /** The saved states; none when the file is missing, and a warning when it is unreadable. */
  async load(): Promise<FiringState[]> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
        this.logger.warning(
          `rules: cannot read the rule state ${this.file} (${describeError(error)}); firing rules may fire again`,
        );
      return [];
    }
    try {
      const data = JSON.parse(text) as unknown;
      // Valid JSON of another shape (null, a number, no `firing` list) is as unreadable.
      const firing =
        typeof data === 'object' && data !== null ? (data as { firing?: unknown }).firing : undefined;
      const list: unknown[] = Array.isArray(firing) ? firing : [];
      const good = list.filter(isFiringState).map((s) => ({ ...s, value: s.value ?? undefined }));
      if (!Array.isArray(firing))
        this.logger.warning(
          `rules: ${this.file} has no "firing" list; it is ignored and firing rules are judged afresh from the next readings`,
        );
      else if (good.length !== list.length)
        this.logger.warning(
          `rules: ${this.file} holds ${list.length - good.length} unreadable state(s); they are ignored and those rules judged afresh from the next readings`,
        );
      return good;
    } catch (error) {
      this.logger.warning(
        `rules: the rule state ${this.file} is not JSON (${describeError(error)}); firing rules may fire again`,
      );
      return [];
    }
  }

  /** Saves the current states soon; calls while a write runs coalesce into one more. */
  save(): void {
    if (this.writing) {
      this.again = true;
      return;
    }
    this.writing = this.write().finally(() => {
      this.writing = undefined;
      if (this.again) {
        this.again = false;
        this.save();
      }
    });
  }

  /** Waits until every requested save is written. */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
  }

  private async write(): Promise<void> {
    try {
      const temp = `${this.file}.tmp`;
      await writeFile(temp, JSON.stringify({ version: 1, firing: this.states() }) + '\n');
      await rename(temp, this.file);
      this.failureReported = false;
    } catch (error) {
      if (!this.failureReported) {
        this.failureReported = true;
        this.logger.error(
          `rules: cannot save the rule state in ${this.file} (${describeError(error)}); after a restart firing rules may fire again`,
        );
      }
    }
  }
}
