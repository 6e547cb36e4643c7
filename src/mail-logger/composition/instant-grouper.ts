import type { Level } from '../levels.js';

/** Timers the grouper needs; the daemon backs them with the Scheduler. */
export interface GrouperTimers {
  after(seconds: number, fn: () => void): string;
  cancel(id: string): void;
}

export interface InstantGrouperOptions {
  /** Seconds after a quiet period before the first mail, so records logged together share it. */
  groupSettle: number;
  /** Least seconds between two instant mails: records arriving meanwhile share the next one. */
  groupWait: number;
  /** Seconds of a rate-limit window. */
  groupInterval: number;
  /** Mails one flood group may cause per window; later records of it wait for the window's end. */
  maxInstantMails: number;
  timers: GrouperTimers;
  /** Mails every instant record pending now. */
  emit: () => void;
  /** The daemon's log, for one line when a group starts being held and one when it is released. */
  log?: (line: string) => void;
}

/** Mails per window for all groups together (ALERTs excepted), as a multiple of `maxInstantMails`. */
const TOTAL_FACTOR = 5;

/**
 * The flood group of a record: its level and its message with numbers folded, so
 * "timeout after 1200 ms" and "timeout after 900 ms" count as one flood.
 */
export function floodGroup(level: Level, msg: string): string {
  return `${level} ${msg.slice(0, 200).replace(/\d+(?:[.,]\d+)*/g, '#')}`;
}

interface GroupState {
  /** Mails this group caused in the current window. */
  mails: number;
  /** Records of it held since its last mail. */
  held: number;
  /** Its hold was logged in this window. */
  announced: boolean;
}

/**
 * Decides when instant records are mailed, like Alertmanager's group_wait/group_interval
 * but with a leading edge, so a lone alert goes out in `groupSettle` (tens of ms) instead
 * of a whole `groupWait`:
 *
 * - after a quiet period the first record is mailed `groupSettle` later (with whatever
 *   arrived meanwhile);
 * - then mails are at least `groupWait` apart, each carrying what arrived in between;
 * - the flood limit holds per level and message ({@link floodGroup}): a group that caused
 *   `maxInstantMails` mails in a `groupInterval` window is held, its records wait for one
 *   grouped mail at the window's end (or ride along in another group's mail), while a record
 *   of any other group (a new ALERT) is still mailed within `groupWait`. All groups together
 *   cause at most 5 × `maxInstantMails` mails per window; only a new ALERT passes that.
 *
 * No clock: only timers, so a ManualClock drives it in tests.
 */
export class InstantGrouper {
  private settleTimer: string | null = null;
  private spacingTimer: string | null = null;
  private windowTimer: string | null = null;
  private waitingForSpacing = false;
  private readonly groups = new Map<string, GroupState>();
  /** Groups with a record waiting for the next mail. */
  private readonly waiting = new Set<string>();
  private mailsInWindow = 0;
  private heldRecords = 0;

  constructor(private readonly options: InstantGrouperOptions) {}

  /** A record of flood group `group` became pending (see {@link floodGroup}). */
  onRecord(group: string): void {
    let state = this.groups.get(group);
    if (state === undefined) this.groups.set(group, (state = { mails: 0, held: 0, announced: false }));
    if (this.isHeld(group, state)) {
      if (!state.announced)
        this.options.log?.(
          `mail - held kind=instant group=${JSON.stringify(group)} mails=${state.mails} until=window-end window=${this.options.groupInterval}s`,
        );
      state.announced = true;
      state.held++;
      this.heldRecords++;
      return;
    }
    this.waiting.add(group);
    if (this.settleTimer !== null || this.waitingForSpacing) return;
    if (this.spacingTimer !== null) this.waitingForSpacing = true;
    else this.settleTimer = this.options.timers.after(this.options.groupSettle, this.onSettled);
  }

  close(): void {
    for (const id of [this.settleTimer, this.spacingTimer, this.windowTimer]) {
      if (id !== null) this.options.timers.cancel(id);
    }
    this.settleTimer = this.spacingTimer = this.windowTimer = null;
  }

  private isHeld(group: string, state: GroupState): boolean {
    if (state.mails >= this.options.maxInstantMails) return true;
    const total = this.options.maxInstantMails * TOTAL_FACTOR;
    return this.mailsInWindow >= total && !(group.startsWith('ALERT ') && state.mails === 0);
  }

  private readonly onSettled = (): void => {
    this.settleTimer = null;
    this.send();
  };

  private readonly onSpacingEnd = (): void => {
    this.spacingTimer = null;
    if (this.waitingForSpacing) {
      this.waitingForSpacing = false;
      this.send();
    }
  };

  private readonly onWindowEnd = (): void => {
    this.windowTimer = null;
    const held = this.heldRecords;
    const heldGroups = [...this.groups.values()].filter((g) => g.held > 0).length;
    this.groups.clear();
    this.mailsInWindow = 0;
    this.heldRecords = 0;
    if (held > 0) {
      this.options.log?.(`mail - released kind=instant records=${held} groups=${heldGroups}`);
      this.waiting.clear();
      this.startSpacing();
      this.options.emit();
    }
  };

  private send(): void {
    if (this.waiting.size === 0) return;
    for (const group of this.waiting) {
      const state = this.groups.get(group)!;
      state.mails++;
    }
    this.waiting.clear();
    // Held records pending now ride along in this mail.
    for (const state of this.groups.values()) state.held = 0;
    this.heldRecords = 0;
    this.mailsInWindow++;
    this.windowTimer ??= this.options.timers.after(this.options.groupInterval, this.onWindowEnd);
    this.startSpacing();
    this.options.emit();
  }

  private startSpacing(): void {
    if (this.spacingTimer !== null) this.options.timers.cancel(this.spacingTimer);
    this.spacingTimer = this.options.timers.after(this.options.groupWait, this.onSpacingEnd);
  }
}
