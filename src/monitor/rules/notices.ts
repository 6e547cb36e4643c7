// The three transitions that speak — fire, reminder, resolve: the state each leaves on the
// pair, its record at the rule's level, and the listeners. The words come from
// notice-text.ts; when a transition happens is the evaluator's call.
import type { KeySpec, MonitorLogger } from '../types.js';
import { isoTime } from './format.js';
import { noticeText, type NoticeInput, type NoticeRule, type NoticeText } from './notice-text.js';
import { FIRING, OK, type Entry, type Pair } from './pair.js';
import type { FiringState, RuleCause } from './types.js';

/** One transition the evaluator logged, as `rules test` and tests see it. */
export interface RuleEvent {
  /** Which transition. */
  kind: 'firing' | 'reminder' | 'resolved';
  /** The rule's id. */
  ruleId: number;
  /** The device's id. */
  deviceId: number;
  /** When it happened (epoch ms; for a fire, when the rule fired). */
  atMs: number;
  /** When the condition began (epoch ms). */
  sinceMs: number;
  /** The whole record text. */
  text: string;
}

/** Where notices go (the evaluator's options). */
export interface NoticeSinks {
  logger: MonitorLogger;
  onChange?(): void;
  onEvent?(event: RuleEvent): void;
}

/** The rule and key a pair's notices name: an {@link Entry}, or what a saved state gives. */
export interface NoticeSubject {
  rule: NoticeRule;
  key: KeySpec | undefined;
}

/** What a saved state names of its rule once the rule is gone (no key: `-1`). */
export function savedRule(state: FiringState): NoticeRule {
  return { id: state.ruleId, name: state.ruleName, keyId: -1, level: state.level, message: undefined };
}

/** Fires, reminds and resolves pairs, and says so. */
export class PairNotices {
  /** `planAt` makes sure the check job runs by a monotonic time (a fire's first reminder). */
  constructor(
    private readonly sinks: NoticeSinks,
    private readonly planAt: (atMono: number) => void,
  ) {}

  /** Turns `pair` firing for `cause`, as of `now` (wall) and `mono` (monotonic). */
  fire(
    entry: Entry,
    pair: Pair,
    cause: RuleCause,
    value: number | undefined,
    threshold: number,
    sinceMs: number,
    sinceMono: number,
    now: number,
    mono: number,
  ): void {
    pair.status = FIRING;
    pair.cause = cause;
    pair.sinceMs = sinceMs;
    pair.sinceMono = sinceMono;
    pair.firedMs = now;
    pair.firedMono = mono;
    pair.lastNoticeMs = now;
    pair.lastNoticeMono = mono;
    pair.value = value;
    pair.threshold = threshold;
    pair.peak = value;
    const text = this.notice(entry, pair, 'firing', now, mono);
    this.log(entry, pair, 'firing', text, now);
    if (entry.rule.repeatSeconds !== undefined) this.planAt(mono + entry.rule.repeatSeconds * 1000);
  }

  /** A reminder that `pair` still fires; says how long it was silent when reminders were missed. */
  remind(entry: Entry, pair: Pair, now: number, mono: number): void {
    const silentMs = mono - pair.lastNoticeMono;
    const missed = entry.rule.repeatSeconds !== undefined && silentMs >= 2 * entry.rule.repeatSeconds * 1000;
    pair.lastNoticeMs = now;
    pair.lastNoticeMono = mono;
    const text = this.notice(entry, pair, 'reminder', now, mono, missed ? { silentMs } : {});
    this.log(entry, pair, 'reminder', text, now);
  }

  /** Turns `pair` ok: by a value back past the threshold, or for the reason `why`. */
  resolve(
    subject: NoticeSubject,
    pair: Pair,
    now: number,
    mono: number,
    why: string | undefined,
    resolvedValue?: number,
  ): void {
    const text = this.notice(subject, pair, 'resolved', now, mono, { reason: why, resolvedValue });
    this.log(subject, pair, 'resolved', text, now);
    pair.status = OK;
    pair.cause = undefined;
  }

  private notice(
    subject: NoticeSubject,
    pair: Pair,
    kind: RuleEvent['kind'],
    now: number,
    mono: number,
    extra: Pick<NoticeInput, 'reason' | 'resolvedValue' | 'silentMs'> = {},
  ): NoticeText {
    return noticeText({
      kind,
      rule: subject.rule,
      device: pair.device,
      key: subject.key,
      cause: pair.cause!,
      value: pair.value,
      threshold: pair.threshold,
      sinceMs: pair.sinceMs,
      firedMs: pair.firedMs,
      nowMs: now,
      firedForMs: mono - pair.firedMono,
      peak: pair.peak,
      ...extra,
    });
  }

  private log(
    subject: NoticeSubject,
    pair: Pair,
    kind: RuleEvent['kind'],
    notice: NoticeText,
    now: number,
  ): void {
    const rule = subject.rule;
    const text = notice.text;
    const context = {
      subject: notice.subject,
      subjectTag: notice.subjectTag,
      rule: rule.id,
      ruleName: rule.name,
      state: kind,
      deviceId: pair.device.id,
      deviceName: pair.device.name,
      keyId: rule.keyId,
      unit: subject.key?.unit,
      cause: pair.cause,
      value: notice.shownValue,
      threshold: notice.shownThreshold,
      since: isoTime(pair.sinceMs),
    };
    const logger = this.sinks.logger;
    if (rule.level === 'ALERT') logger.alert(text, context);
    else if (rule.level === 'ERROR') logger.error(text, context);
    else logger.warning(text, context);
    this.sinks.onEvent?.({
      kind,
      ruleId: rule.id,
      deviceId: pair.device.id,
      atMs: now,
      sinceMs: pair.sinceMs,
      text,
    });
    this.sinks.onChange?.();
  }
}
