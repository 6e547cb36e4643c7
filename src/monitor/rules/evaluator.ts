// The rule state machine, one per (rule, device) pair: ok → pending (forSeconds) → firing
// → ok, with hysteresis, no-data deadlines and reminders. Fed each accepted reading (no
// database query, no allocation once a pair exists); time-based transitions (no-data,
// reminders) run from one scheduler job planned at the earliest deadline.
// (Over 400 lines on purpose: the transitions of the state machine read best side by side.)
import type { DeviceSpec, KeySpec, MonitorLogger, MonitorScheduler } from '../types.js';
import { isoTime } from './format.js';
import { noticeText, type NoticeInput, type NoticeText } from './notice-text.js';
import type { FiringState, RuleCause, RuleSpec } from './types.js';

/** A replay over a long silence reminds at most this often in one check. */
const maxRemindersPerCheck = 1000;

const OK = 0;
const PENDING = 1;
const FIRING = 2;

interface Pair {
  device: Pick<DeviceSpec, 'id' | 'name'>;
  status: typeof OK | typeof PENDING | typeof FIRING;
  cause: RuleCause | undefined;
  /** Pending: when the threshold was first crossed; firing: when the condition began. */
  sinceMs: number;
  /** Firing: when it fired. */
  firedMs: number;
  /** Firing: when it fired or last reminded. */
  lastNoticeMs: number;
  /** Latest value while firing (undefined for no-data). */
  value: number | undefined;
  /** The value furthest past the threshold while firing (undefined for no-data). */
  peak: number | undefined;
  threshold: number;
  /** Clock time of the pair's last reading (or of the start of watching), for no-data. */
  lastSeenMs: number;
}

interface Entry {
  rule: RuleSpec;
  key: KeySpec | undefined;
  pairs: Map<number, Pair>;
}

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

/** What the evaluator needs: where records go, the clock, and optionally a scheduler. */
export interface RuleEvaluatorOptions {
  /** Where firing, reminder and resolved records go, at each rule's level. */
  logger: MonitorLogger;
  /** Epoch ms: the monitor's clock (the scheduler's). */
  now(): number;
  /** Runs the no-data and reminder checks; without one, call {@link RuleEvaluator.check} yourself. */
  scheduler?: MonitorScheduler;
  /** Called after a fire, reminder or resolve (e.g. to save the state). */
  onChange?(): void;
  /** Called with every transition, after it was logged. */
  onEvent?(event: RuleEvent): void;
}

/**
 * Evaluates rules on readings, one state machine per (rule, device): ok → pending
 * (`forSeconds`) → firing → ok (past the threshold by `hysteresis`), plus no-data
 * deadlines and reminders on the clock. {@link RuleEvaluator.setConfig} swaps the rules
 * and the running devices (resolving what no longer applies), {@link RuleEvaluator.onReading}
 * is the hot path. The Monitor runs one; use your own to replay stored readings.
 *
 * @example
 * ```ts
 * const evaluator = new RuleEvaluator({ logger, now: () => scheduler.now(), scheduler });
 * evaluator.setConfig(config.rules, config.devices, config.keys);
 * evaluator.onReading(3, 7, -9500, scheduler.now()); // device 3, key 7: may log "firing: …"
 * ```
 */
export class RuleEvaluator {
  private entries = new Map<number, Entry>();
  private byKey = new Map<number, Entry[]>();
  private restored = new Map<string, FiringState>();
  private running = new Map<number, DeviceSpec>();
  private timer: string | undefined;
  private plannedAt = Infinity;
  private stopped = false;

  constructor(private readonly options: RuleEvaluatorOptions) {}

  /** Rules being evaluated (enabled and valid), by id. */
  get size(): number {
    return this.entries.size;
  }

  /** Firing pairs as they can be saved and given back to {@link RuleEvaluator.restore}. */
  firing(): FiringState[] {
    const out: FiringState[] = [];
    for (const entry of this.entries.values())
      for (const pair of entry.pairs.values())
        if (pair.status === FIRING)
          out.push({
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
          });
    // Restored states not yet matched by a configuration are kept as they are.
    for (const state of this.restored.values()) out.push(state);
    return out;
  }

  /** Firing states saved by a previous run; applied by the next {@link RuleEvaluator.setConfig}. */
  restore(states: readonly FiringState[]): void {
    for (const state of states) this.restored.set(`${state.ruleId}:${state.deviceId}`, state);
  }

  /**
   * Swaps to these rules and running devices. A firing pair whose rule was removed,
   * disabled or changed beyond it, or whose device no longer runs, is resolved (never
   * fires no-data); states of unchanged pairs carry over.
   */
  setConfig(
    rules: readonly RuleSpec[],
    devices: readonly DeviceSpec[],
    keys: ReadonlyMap<number, KeySpec>,
  ): void {
    const now = this.options.now();
    const running = new Map(devices.map((d) => [d.id, d]));
    this.running = running;
    const next = new Map<number, Entry>();
    for (const rule of rules) {
      if (!rule.enabled) continue;
      const entry: Entry = { rule, key: keys.get(rule.keyId), pairs: new Map() };
      const old = this.entries.get(rule.id);
      if (old) {
        for (const [deviceId, pair] of old.pairs) {
          const device = running.get(deviceId);
          let reason: string | undefined;
          if (!device) reason = 'device removed from the configuration';
          else if (
            old.rule.keyId !== rule.keyId ||
            (rule.deviceId !== undefined && rule.deviceId !== deviceId)
          )
            reason = 'rule now watches another key or device';
          else if (pair.status === FIRING && !this.causeApplies(rule, pair.cause!)) reason = 'rule changed';
          if (reason === undefined) {
            pair.device = device!;
            entry.pairs.set(deviceId, pair);
          } else if (pair.status === FIRING) this.resolve(old, pair, now, reason);
        }
      }
      for (const [id, state] of this.restored) {
        if (state.ruleId !== rule.id) continue;
        const device = running.get(state.deviceId);
        if (
          !device ||
          (rule.deviceId !== undefined && rule.deviceId !== device.id) ||
          !this.causeApplies(rule, state.cause)
        )
          continue;
        this.restored.delete(id);
        entry.pairs.set(device.id, restoredPair(device, state, now));
      }
      if (rule.noDataSeconds !== undefined) {
        for (const device of devices) {
          if (entry.pairs.has(device.id)) continue;
          const watches =
            rule.deviceId !== undefined
              ? rule.deviceId === device.id
              : (device.keyIds?.includes(rule.keyId) ?? false);
          if (watches) entry.pairs.set(device.id, newPair(device, now));
        }
      }
      next.set(rule.id, entry);
    }
    for (const [id, old] of this.entries) {
      if (next.has(id)) continue;
      const rule = rules.find((r) => r.id === id);
      const reason = rule ? 'rule disabled' : 'rule removed from the configuration (or now invalid)';
      for (const pair of old.pairs.values()) if (pair.status === FIRING) this.resolve(old, pair, now, reason);
    }
    // Saved states whose rule or device is gone: resolved now, named as well as we can.
    for (const [id, state] of this.restored) {
      const rule = rules.find((r) => r.id === state.ruleId);
      if (rule?.enabled && running.has(state.deviceId) && this.causeApplies(rule, state.cause)) continue;
      this.restored.delete(id);
      const device = running.get(state.deviceId) ?? { id: state.deviceId, name: '?' };
      const ghost: Entry = {
        rule: rule ?? placeholderRule(state),
        key: keys.get(rule?.keyId ?? -1),
        pairs: new Map(),
      };
      this.resolve(
        ghost,
        restoredPair(device, state, now),
        now,
        rule
          ? 'rule or device changed while the monitor was down'
          : 'rule removed while the monitor was down',
      );
    }
    this.entries = next;
    this.byKey = new Map();
    for (const entry of next.values()) {
      const list = this.byKey.get(entry.rule.keyId);
      if (list) list.push(entry);
      else this.byKey.set(entry.rule.keyId, [entry]);
    }
    this.replan();
  }

  /** The hot path: one accepted reading of device `deviceId`. */
  onReading(deviceId: number, keyId: number, value: number, tsMs: number): void {
    const entries = this.byKey.get(keyId);
    if (entries === undefined) return;
    let now = -1;
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i]!;
      const rule = entry.rule;
      if (rule.deviceId !== undefined && rule.deviceId !== deviceId) continue;
      if (now < 0) now = this.options.now();
      let pair = entry.pairs.get(deviceId);
      if (pair === undefined) {
        pair = newPair(this.running.get(deviceId) ?? { id: deviceId, name: '(not running)' }, now);
        entry.pairs.set(deviceId, pair);
        if (rule.noDataSeconds !== undefined) this.planAt(now + rule.noDataSeconds * 1000);
      }
      pair.lastSeenMs = now;
      if (pair.status === FIRING && pair.cause === 'noData')
        this.resolve(entry, pair, now, 'readings arrive again');
      if (rule.above === undefined && rule.below === undefined) continue;
      this.threshold(entry, pair, value, tsMs, now);
    }
  }

  private threshold(entry: Entry, pair: Pair, value: number, tsMs: number, now: number): void {
    const rule = entry.rule;
    const cause: RuleCause | undefined =
      rule.above !== undefined && value > rule.above
        ? 'above'
        : rule.below !== undefined && value < rule.below
          ? 'below'
          : undefined;
    if (pair.status === FIRING) {
      pair.value = value;
      if (pair.peak === undefined || (pair.cause === 'below' ? value < pair.peak : value > pair.peak))
        pair.peak = value;
      const h = rule.hysteresis;
      if (
        (rule.above === undefined || value <= rule.above - h) &&
        (rule.below === undefined || value >= rule.below + h)
      )
        this.resolve(entry, pair, now, undefined, value);
      return;
    }
    if (cause === undefined) {
      pair.status = OK;
      return;
    }
    if (pair.status === OK || pair.cause !== cause) {
      pair.status = PENDING;
      pair.cause = cause;
      pair.sinceMs = tsMs;
    }
    if (tsMs - pair.sinceMs >= rule.forSeconds * 1000) {
      this.fire(entry, pair, cause, value, cause === 'above' ? rule.above! : rule.below!, pair.sinceMs, now);
    }
  }

  /**
   * Runs the time-based transitions due at the clock's now: no-data fires and reminders.
   * With a scheduler this runs by itself.
   */
  check(): void {
    const now = this.options.now();
    let next = Infinity;
    for (const entry of this.entries.values()) {
      const rule = entry.rule;
      for (const pair of entry.pairs.values()) {
        if (rule.noDataSeconds !== undefined && pair.status !== FIRING) {
          const due = pair.lastSeenMs + rule.noDataSeconds * 1000;
          // Fired as of its deadline, so a replay over stored readings names the right time.
          if (due <= now)
            this.fire(entry, pair, 'noData', undefined, rule.noDataSeconds, pair.lastSeenMs, due);
          else next = Math.min(next, due);
        }
        if (pair.status === FIRING && rule.repeatSeconds !== undefined) {
          const period = rule.repeatSeconds * 1000;
          let due = pair.lastNoticeMs + period;
          for (let n = 0; due <= now && n < maxRemindersPerCheck; n++) {
            this.remind(entry, pair, due);
            due += period;
          }
          if (due <= now) {
            pair.lastNoticeMs = now;
            due = now + period;
          }
          next = Math.min(next, due);
        }
      }
    }
    this.plan(next);
  }

  /** Removes the scheduler job; the evaluator no longer fires by time. */
  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.options.scheduler?.remove(this.timer);
    this.timer = undefined;
    this.plannedAt = Infinity;
  }

  private causeApplies(rule: RuleSpec, cause: RuleCause): boolean {
    if (cause === 'above') return rule.above !== undefined;
    if (cause === 'below') return rule.below !== undefined;
    return rule.noDataSeconds !== undefined;
  }

  private fire(
    entry: Entry,
    pair: Pair,
    cause: RuleCause,
    value: number | undefined,
    threshold: number,
    sinceMs: number,
    now: number,
  ): void {
    pair.status = FIRING;
    pair.cause = cause;
    pair.sinceMs = sinceMs;
    pair.firedMs = now;
    pair.lastNoticeMs = now;
    pair.value = value;
    pair.threshold = threshold;
    pair.peak = value;
    const text = this.notice(entry, pair, 'firing', now);
    this.log(entry, pair, 'firing', text, now);
    if (entry.rule.repeatSeconds !== undefined) this.planAt(now + entry.rule.repeatSeconds * 1000);
  }

  private remind(entry: Entry, pair: Pair, now: number): void {
    pair.lastNoticeMs = now;
    const text = this.notice(entry, pair, 'reminder', now);
    this.log(entry, pair, 'reminder', text, now);
  }

  private resolve(
    entry: Entry,
    pair: Pair,
    now: number,
    why: string | undefined,
    resolvedValue?: number,
  ): void {
    const text = this.notice(entry, pair, 'resolved', now, { reason: why, resolvedValue });
    this.log(entry, pair, 'resolved', text, now);
    pair.status = OK;
    pair.cause = undefined;
  }

  /** The words of a notice (notice-text.ts): the evaluator only says which and when. */
  private notice(
    entry: Entry,
    pair: Pair,
    kind: RuleEvent['kind'],
    now: number,
    extra: Pick<NoticeInput, 'reason' | 'resolvedValue'> = {},
  ): NoticeText {
    return noticeText({
      kind,
      rule: entry.rule,
      device: pair.device,
      key: entry.key,
      cause: pair.cause!,
      value: pair.value,
      threshold: pair.threshold,
      sinceMs: pair.sinceMs,
      firedMs: pair.firedMs,
      nowMs: now,
      peak: pair.peak,
      ...extra,
    });
  }

  private log(entry: Entry, pair: Pair, kind: RuleEvent['kind'], notice: NoticeText, now: number): void {
    const rule = entry.rule;
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
      unit: entry.key?.unit,
      cause: pair.cause,
      value: notice.shownValue,
      threshold: notice.shownThreshold,
      since: isoTime(pair.sinceMs),
    };
    if (rule.level === 'ALERT') this.options.logger.alert(text, context);
    else if (rule.level === 'ERROR') this.options.logger.error(text, context);
    else this.options.logger.warning(text, context);
    this.options.onEvent?.({
      kind,
      ruleId: rule.id,
      deviceId: pair.device.id,
      atMs: now,
      sinceMs: pair.sinceMs,
      text,
    });
    this.options.onChange?.();
  }

  private replan(): void {
    if (this.timer !== undefined) this.options.scheduler?.remove(this.timer);
    this.timer = undefined;
    this.plannedAt = Infinity;
    this.check();
  }

  /** Makes sure the check runs by `atMs` (a job already planned earlier stays). */
  private planAt(atMs: number): void {
    if (atMs < this.plannedAt) this.plan(atMs);
  }

  private plan(atMs: number): void {
    const scheduler = this.options.scheduler;
    if (!scheduler || this.stopped || atMs === this.plannedAt) return;
    if (this.timer !== undefined) scheduler.remove(this.timer);
    this.timer = undefined;
    this.plannedAt = atMs;
    if (atMs === Infinity) return;
    const delaySeconds = Math.max(0.001, (atMs - this.options.now()) / 1000);
    this.timer = scheduler.onceAfter(delaySeconds, () => {
      this.timer = undefined;
      this.plannedAt = Infinity;
      this.check();
    });
  }
}

function newPair(device: Pick<DeviceSpec, 'id' | 'name'>, now: number): Pair {
  return {
    device,
    status: OK,
    cause: undefined,
    sinceMs: now,
    firedMs: now,
    lastNoticeMs: now,
    value: undefined,
    peak: undefined,
    threshold: 0,
    lastSeenMs: now,
  };
}

/** The firing pair of a saved state, seen now. */
function restoredPair(device: Pick<DeviceSpec, 'id' | 'name'>, state: FiringState, now: number): Pair {
  return {
    ...newPair(device, now),
    status: FIRING,
    cause: state.cause,
    sinceMs: state.sinceMs,
    firedMs: state.firedMs,
    lastNoticeMs: state.lastNoticeMs,
    value: state.value,
    peak: state.value,
    threshold: state.threshold,
  };
}

function placeholderRule(state: FiringState): RuleSpec {
  return {
    id: state.ruleId,
    name: state.ruleName,
    keyId: -1,
    deviceId: undefined,
    above: undefined,
    below: undefined,
    noDataSeconds: undefined,
    forSeconds: 0,
    hysteresis: 0,
    level: state.level,
    repeatSeconds: undefined,
    enabled: false,
    message: undefined,
  };
}
