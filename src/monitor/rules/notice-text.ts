// The words of a rule notice: the record text (what the mail body and `rules test` show) and
// the mail subject, for a fire, a reminder and a resolve. Values are stored integers; they
// are shown scaled with the key's unit. Pure: the evaluator decides when, this says what.
import { formatValue, shownValue } from '../status/format-value.js';
import type { DeviceSpec, KeySpec } from '../types.js';
import { conditionText, formatDuration, isoTime, pairLabel, withMessage } from './format.js';
import type { RuleCause, RuleSpec } from './types.js';

/**
 * What a notice names of its rule: all a resolve needs, so the saved state of a rule removed
 * while the monitor was down still words one.
 */
export type NoticeRule = Pick<RuleSpec, 'id' | 'name' | 'keyId' | 'level' | 'message'>;

/** One notice to word. Values and thresholds in stored units; times in epoch ms. */
export interface NoticeInput {
  /** Which transition. */
  kind: 'firing' | 'reminder' | 'resolved';
  /** The rule. */
  rule: NoticeRule;
  /** The device of the (rule, device) pair. */
  device: Pick<DeviceSpec, 'id' | 'name'>;
  /** The key of the rule, when it is known (for unit and decimals). */
  key: KeySpec | undefined;
  /** Why it fires (fired). */
  cause: RuleCause;
  /** The value that made it fire, or the latest while firing (undefined for no data). */
  value: number | undefined;
  /** The threshold crossed (seconds for no-data). */
  threshold: number;
  /** When the condition began. */
  sinceMs: number;
  /** When it fired. */
  firedMs: number;
  /** When this notice is given. */
  nowMs: number;
  /** Resolved: the value that resolved it (a reading back past the threshold). */
  resolvedValue?: number;
  /** Resolved for another reason, e.g. `'rule removed from the configuration'`. */
  reason?: string;
  /** The value furthest past the threshold while it fired. */
  peak?: number;
  /**
   * How long it has fired, measured on the monotonic clock (the wall clock may have stepped).
   * @default nowMs - firedMs
   */
  firedForMs?: number;
  /** Reminder: time since the last notice, when reminders were missed (said, not back-filled). */
  silentMs?: number;
}

/** A worded notice. */
export interface NoticeText {
  /** The record text: the line in the mail body, the log and `rules test`. */
  text: string;
  /** The mail subject, without level tag and namespace: `freezer: freezer warm firing (…)`. */
  subject: string;
  /** The tag the mail subject opens with: the rule's level, or `RESOLVED`. */
  subjectTag: string;
  /** The value as shown (scaled by the key), for the record's context. */
  shownValue: number | undefined;
  /** The threshold as shown (scaled; seconds for no-data), for the record's context. */
  shownThreshold: number;
}

const opposite: Record<RuleCause, string> = { above: 'above', below: 'below', noData: 'silent' };

/**
 * Words a fire, reminder or resolve.
 *
 * @example
 * ```ts
 * noticeText({ kind: 'resolved', rule, device, key, cause: 'above', value: -120, threshold: -150,
 *   sinceMs, firedMs, nowMs, resolvedValue: -162, peak: -118 }).subject
 * // 'freezer: freezer warm resolved after 12 min (-16.2 °C, threshold -15.0 °C)'
 * ```
 */
export function noticeText(input: NoticeInput): NoticeText {
  const { kind, rule, device, key, cause, value, threshold, sinceMs, firedMs, nowMs } = input;
  const firedFor = formatDuration(input.firedForMs ?? nowMs - firedMs);
  const label = pairLabel(rule, device, key);
  const condition = conditionText(cause, value, threshold, key);
  const head = `${device.name}: ${rule.name}`;
  const show = (v: number): string => formatValue(v, key);
  const shown = {
    shownValue: value === undefined ? undefined : cause === 'noData' ? value : shownValue(value, key),
    shownThreshold: cause === 'noData' ? threshold : shownValue(threshold, key),
  };
  if (kind === 'firing') {
    return {
      text: withMessage(`firing: ${label}: ${condition} since ${isoTime(sinceMs)}`, rule),
      subject: `${head} firing (${conditionText(cause, value, threshold, key, { form: 'subject' })})`,
      subjectTag: rule.level,
      ...shown,
    };
  }
  if (kind === 'reminder') {
    return {
      text: withMessage(
        `still firing: ${label}: ${condition} since ${isoTime(sinceMs)} (firing for ${firedFor}${input.silentMs !== undefined ? `; no reminder for ${formatDuration(input.silentMs)}` : ''})`,
        rule,
      ),
      subject: `${head} still firing after ${firedFor} (${conditionText(cause, value, threshold, key, { form: 'subject' })})`,
      subjectTag: rule.level,
      ...shown,
    };
  }
  const duration = firedFor;
  let why: string;
  let subjectWhy: string;
  if (input.resolvedValue !== undefined && cause !== 'noData') {
    why = `value ${show(input.resolvedValue)} is no longer ${opposite[cause]} ${show(threshold)}`;
    subjectWhy = `${show(input.resolvedValue)}, threshold ${show(threshold)}`;
  } else if (cause === 'noData') {
    why = input.reason ?? 'readings arrive again';
    subjectWhy = why;
  } else {
    why = input.reason ?? 'resolved';
    subjectWhy = why;
  }
  const fired =
    cause === 'noData'
      ? `it fired for ${duration} since ${isoTime(firedMs)} (${condition})`
      : `it fired for ${duration} since ${isoTime(firedMs)} (${opposite[cause]} ${show(threshold)} since ${isoTime(sinceMs)})`;
  const peak =
    cause !== 'noData' && input.peak !== undefined
      ? `; peak while firing ${show(input.peak)}`
      : cause !== 'noData' && value !== undefined
        ? `; last value while firing ${show(value)}`
        : '';
  return {
    text: withMessage(`resolved: ${label}: ${why}; ${fired}${peak}`, rule),
    subject: `${head} resolved after ${duration} (${subjectWhy})`,
    subjectTag: 'RESOLVED',
    ...shown,
    ...(input.resolvedValue !== undefined && cause !== 'noData'
      ? { shownValue: shownValue(input.resolvedValue, key) }
      : {}),
  };
}
