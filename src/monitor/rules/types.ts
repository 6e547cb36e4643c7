// The shapes of alert rules: the `rules` document after validation, and the state of one
// (rule, device) pair as it is kept across restarts.

/** Level a rule fires, reminds and resolves at (the mail logger's levels). */
export type RuleLevel = 'WARNING' | 'ERROR' | 'ALERT';

/**
 * A `rules` document after validation. Thresholds are in the key's stored integer units
 * (e.g. millidegrees for a key with unit `mC`); durations in seconds.
 */
export interface RuleSpec {
  /** Unique integer id. */
  id: number;
  /** Unique name, shown in every record (`rule 1 "freezer warm"`). */
  name: string;
  /** The key whose readings the rule watches. */
  keyId: number;
  /** Only this device; `undefined`: every device that produces `keyId`. */
  deviceId: number | undefined;
  /** Fires while the value is above this (strictly greater). */
  above: number | undefined;
  /** Fires while the value is below this (strictly less). */
  below: number | undefined;
  /** Fires when the key has had no reading for this many seconds (monotonic clock; 1 s to 366 days). */
  noDataSeconds: number | undefined;
  /**
   * The threshold must be crossed for this long (on the scheduler's monotonic clock, never on
   * reading timestamps) before the rule fires; at most 366 days.
   * @default 0
   */
  forSeconds: number;
  /**
   * A firing rule resolves only once the value is back past the threshold by this much.
   * @default 0
   */
  hysteresis: number;
  /**
   * @default 'WARNING'
   */
  level: RuleLevel;
  /**
   * Reminder every this many seconds while firing (60 s to 366 days); `undefined`: no
   * reminders. Reminders missed (monitor down) are not back-filled: one says how long.
   */
  repeatSeconds: number | undefined;
  /**
   * False: the rule is kept but not evaluated.
   * @default true
   */
  enabled: boolean;
  /** Free text shown beside the generated one. */
  message: string | undefined;
}

/** Why a (rule, device) pair fires. */
export type RuleCause = 'above' | 'below' | 'noData';

/** The persisted state of one firing (rule, device) pair. */
export interface FiringState {
  /** The rule's id. */
  ruleId: number;
  /** The rule's name and level when it fired, for a resolve after the rule is gone. */
  ruleName: string;
  /** The rule's level when it fired. */
  level: RuleLevel;
  /** The device's id. */
  deviceId: number;
  /** Why it fires. */
  cause: RuleCause;
  /** When the condition began (epoch ms). */
  sinceMs: number;
  /** When it fired (epoch ms). */
  firedMs: number;
  /** When it fired or last reminded (epoch ms). */
  lastNoticeMs: number;
  /** The value that made it fire (undefined for no-data). */
  value: number | undefined;
  /** The threshold crossed (seconds for no-data). */
  threshold: number;
}
