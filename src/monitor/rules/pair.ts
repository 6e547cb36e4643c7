// The state of one (rule, device) pair and of one rule's set of pairs, as the evaluator keeps
// them: plain records mutated in place (no allocation per reading once a pair exists), made
// new, or made from a state a previous run saved.
import type { DeviceSpec, KeySpec } from '../types.js';
import type { FiringState, RuleCause, RuleSpec } from './types.js';

/** The condition holds for no one. */
export const OK = 0;
/** Past the threshold, waiting out `forSeconds`. */
export const PENDING = 1;
/** Fired: reminders and a resolve follow. */
export const FIRING = 2;

/** One (rule, device) pair's state. Wall times are shown and saved; durations use the monotonic ones. */
export interface Pair {
  device: Pick<DeviceSpec, 'id' | 'name'>;
  status: typeof OK | typeof PENDING | typeof FIRING;
  cause: RuleCause | undefined;
  /** Pending: when the threshold was first crossed; firing: when the condition began (wall, shown). */
  sinceMs: number;
  /** The same instant on the monotonic clock (forSeconds is judged on it). */
  sinceMono: number;
  /** Firing: when it fired (wall, shown). */
  firedMs: number;
  /** The same instant on the monotonic clock. */
  firedMono: number;
  /** Firing: when it fired or last reminded (wall, saved). */
  lastNoticeMs: number;
  /** The same instant on the monotonic clock (reminders are due from it). */
  lastNoticeMono: number;
  /** Latest value while firing (undefined for no-data). */
  value: number | undefined;
  /** The value furthest past the threshold while firing (undefined for no-data). */
  peak: number | undefined;
  threshold: number;
  /** Wall time of the pair's last reading (or of the start of watching), shown by no-data. */
  lastSeenMs: number;
  /** The same instant on the monotonic clock (the no-data deadline counts from it). */
  lastSeenMono: number;
}

/** One rule being evaluated: the rule, its key (unit and decimals of its notices), its pairs by device id. */
export interface Entry {
  rule: RuleSpec;
  key: KeySpec | undefined;
  pairs: Map<number, Pair>;
}

/** A pair that starts watching now: ok, last seen now (its no-data deadline counts from here). */
export function newPair(device: Pick<DeviceSpec, 'id' | 'name'>, now: number, mono: number): Pair {
  return {
    device,
    status: OK,
    cause: undefined,
    sinceMs: now,
    sinceMono: mono,
    firedMs: now,
    firedMono: mono,
    lastNoticeMs: now,
    lastNoticeMono: mono,
    value: undefined,
    peak: undefined,
    threshold: 0,
    lastSeenMs: now,
    lastSeenMono: mono,
  };
}

/** The state of a firing pair as it is saved across restarts (read back by {@link restoredPair}). */
export function savedState(entry: Entry, pair: Pair): FiringState {
  return {
    ruleId: entry.rule.id,
    ruleName: entry.rule.name,
    level: entry.rule.level,
    deviceId: pair.device.id,
    cause: pair.cause!,
    sinceMs: pair.sinceMs,
    firedMs: pair.firedMs,
    lastNoticeMs: pair.lastNoticeMs,
    value: pair.value,
    threshold: pair.threshold,
  };
}

/**
 * The firing pair of a saved state, seen now. The saved times are wall times of a previous
 * run (its monotonic clock is gone): their age on today's wall clock, never less than 0
 * (the clock may have stepped back meanwhile), places them on this run's monotonic clock.
 */
export function restoredPair(
  device: Pick<DeviceSpec, 'id' | 'name'>,
  state: FiringState,
  now: number,
  mono: number,
): Pair {
  const at = (wallMs: number): number => mono - Math.max(0, now - wallMs);
  return {
    ...newPair(device, now, mono),
    status: FIRING,
    cause: state.cause,
    sinceMs: state.sinceMs,
    sinceMono: at(state.sinceMs),
    firedMs: state.firedMs,
    firedMono: at(state.firedMs),
    lastNoticeMs: state.lastNoticeMs,
    lastNoticeMono: at(state.lastNoticeMs),
    value: state.value,
    peak: state.value,
    threshold: state.threshold,
  };
}

/** Whether `rule` still has the condition `cause` names (a firing pair of another cause is resolved). */
export function causeApplies(rule: RuleSpec, cause: RuleCause): boolean {
  if (cause === 'above') return rule.above !== undefined;
  if (cause === 'below') return rule.below !== undefined;
  return rule.noDataSeconds !== undefined;
}

/** Whether `rule` watches `device` (by the rule's device, or by the keys the device produces). */
export function watches(rule: RuleSpec, device: DeviceSpec): boolean {
  return rule.deviceId !== undefined
    ? rule.deviceId === device.id
    : (device.keyIds?.includes(rule.keyId) ?? false);
}
