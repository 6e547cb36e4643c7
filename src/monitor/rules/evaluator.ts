// The rule state machine, one per (rule, device) pair: ok → pending (forSeconds) → firing
// → ok, with hysteresis, no-data deadlines and reminders. Fed each accepted reading (no
// database query, no allocation once a pair exists); time-based transitions (no-data,
// reminders) run from one scheduler job planned at the earliest deadline.
// Every duration (forSeconds, noDataSeconds, repeatSeconds) is measured on the clock's
// monotonic time, which NTP never steps; wall times are kept only to be shown and saved.
// (Over 400 lines on purpose: the transitions of the state machine read best side by side.)
import { describeError } from '../../internal/index.js';
import type { DeviceSpec, KeySpec, MonitorLogger, MonitorScheduler } from '../types.js';
import { isoTime } from './format.js';
import { noticeText, type NoticeInput, type NoticeText } from './notice-text.js';
import type { FiringState, RuleCause, RuleSpec } from './types.js';
import { ruleRangeProblems } from './validate.js';

/**
 * The check job is planned at most this far ahead; a later deadline is reached by planning
 * again then, so no rule's duration can ask the scheduler for a delay it refuses.
 */
const maxPlanMs = 86_400_000;

const OK = 0;
const PENDING = 1;
const FIRING = 2;

interface Pair {
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
  /** Epoch ms: the monitor's wall clock (the scheduler's), for the times shown and saved. */
  now(): number;
  /**
   * Monotonic ms (any origin, never stepped): the clock every duration is measured on, the
   * scheduler's monotonic time (`() => scheduler.monotonic()`).
   * @default the `now` option (right for a replay of stored readings, where the readings' times are the clock)
   */
  monotonic?(): number;
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
 * const evaluator = new RuleEvaluator({
 *   logger,
 *   now: () => scheduler.now(),
 *   monotonic: () => scheduler.monotonic(),
 *   scheduler,
 * });
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
  private planFailureReported = false;
  private failedRules = new Set<number>();
  private readonly mono: () => number;

  constructor(private readonly options: RuleEvaluatorOptions) {
    this.mono = options.monotonic ? () => options.monotonic!() : () => options.now();
  }

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
    const mono = this.mono();
    const running = new Map(devices.map((d) => [d.id, d]));
    this.running = running;
    const next = new Map<number, Entry>();
    const skipped = new Set<number>();
    const byId = new Map(rules.map((r) => [r.id, r]));
    this.failedRules = new Set();
    for (const rule of rules) {
      if (!rule.enabled) continue;
      try {
        this.addEntry(rule, keys, running, devices, next, skipped, now, mono);
      } catch (error) {
        skipped.add(rule.id);
        next.delete(rule.id);
        this.ruleFailed(rule, error);
      }
    }
    for (const [id, old] of this.entries) {
      if (next.has(id)) continue;
      const rule = byId.get(id);
      const reason = skipped.has(id)
        ? 'rule now invalid'
        : rule
          ? 'rule disabled'
          : 'rule removed from the configuration (or now invalid)';
      for (const pair of old.pairs.values())
        if (pair.status === FIRING) this.resolve(old, pair, now, mono, reason);
    }
    // Saved states whose rule or device is gone: resolved now, named as well as we can.
    for (const [id, state] of this.restored) {
      const rule = byId.get(state.ruleId);
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
        restoredPair(device, state, now, mono),
        now,
        mono,
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

  /** Builds the entry of one enabled rule into `next`, carrying over or restoring its pairs. */
  private addEntry(
    rule: RuleSpec,
    keys: ReadonlyMap<number, KeySpec>,
    running: ReadonlyMap<number, DeviceSpec>,
    devices: readonly DeviceSpec[],
    next: Map<number, Entry>,
    skipped: Set<number>,
    now: number,
    mono: number,
  ): void {
    // A rule whose durations the scheduler cannot honour (a RuleSpec that bypassed
    // validateRules) is a problem of that rule alone: reported, skipped, the others run.
    const ranges = ruleRangeProblems(rule);
    if (ranges.length > 0) {
      skipped.add(rule.id);
      this.options.logger.error(
        `rules: rule ${rule.id} ${JSON.stringify(rule.name)}: ${ranges.map((p) => `${p.field} ${p.message}`).join('; ')}; this rule is skipped`,
        { collection: 'rules', field: ranges[0]!.field },
      );
      return;
    }
    const entry: Entry = { rule, key: keys.get(rule.keyId), pairs: new Map() };
    const old = this.entries.get(rule.id);
    if (old) {
      for (const [deviceId, pair] of old.pairs) {
        const device = running.get(deviceId);
        let reason: string | undefined;
        if (!device) reason = 'device removed from the configuration';
        else if (old.rule.keyId !== rule.keyId || (rule.deviceId !== undefined && rule.deviceId !== deviceId))
          reason = 'rule now watches another key or device';
        else if (pair.status === FIRING && !this.causeApplies(rule, pair.cause!)) reason = 'rule changed';
        if (reason === undefined) {
          pair.device = device!;
          entry.pairs.set(deviceId, pair);
        } else if (pair.status === FIRING) this.resolve(old, pair, now, mono, reason);
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
      entry.pairs.set(device.id, restoredPair(device, state, now, mono));
    }
    if (rule.noDataSeconds !== undefined) {
      for (const device of devices) {
        if (entry.pairs.has(device.id)) continue;
        const watches =
          rule.deviceId !== undefined
            ? rule.deviceId === device.id
            : (device.keyIds?.includes(rule.keyId) ?? false);
        if (watches) entry.pairs.set(device.id, newPair(device, now, mono));
      }
    }
    next.set(rule.id, entry);
  }

  /**
   * The hot path: one accepted reading of device `deviceId`. The fourth argument, the
   * reading's own time (epoch ms), is accepted for the listener's shape but no duration is
   * judged on it (a driver's or a stepped clock's time may be wrong): the evaluator's
   * clocks date the transitions.
   */
  onReading(deviceId: number, keyId: number, value: number, _tsMs?: number): void {
    const entries = this.byKey.get(keyId);
    if (entries === undefined) return;
    let now = -1;
    let mono = 0;
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i]!;
      const rule = entry.rule;
      if (rule.deviceId !== undefined && rule.deviceId !== deviceId) continue;
      if (now < 0) {
        now = this.options.now();
        mono = this.mono();
      }
      let pair = entry.pairs.get(deviceId);
      if (pair === undefined) {
        pair = newPair(this.running.get(deviceId) ?? { id: deviceId, name: '(not running)' }, now, mono);
        entry.pairs.set(deviceId, pair);
        if (rule.noDataSeconds !== undefined) this.planAt(mono + rule.noDataSeconds * 1000);
      }
      pair.lastSeenMs = now;
      pair.lastSeenMono = mono;
      if (pair.status === FIRING && pair.cause === 'noData')
        this.resolve(entry, pair, now, mono, 'readings arrive again');
      if (rule.above === undefined && rule.below === undefined) continue;
      this.threshold(entry, pair, value, now, mono);
    }
  }

  private threshold(entry: Entry, pair: Pair, value: number, now: number, mono: number): void {
    const rule = entry.rule;
    const cause: RuleCause | undefined =
      rule.above !== undefined && value > rule.above
        ? 'above'
        : rule.below !== undefined && value < rule.below
          ? 'below'
          : undefined;
    if (pair.status === FIRING) {
      // Each side of a band is its own condition: firing "above" resolves once the value is
      // back under `above` (by the hysteresis), whatever `below` says, and a value past the
      // other side then starts that side's own pending and firing.
      const h = rule.hysteresis;
      const back =
        pair.cause === 'above'
          ? value <= rule.above! - h
          : pair.cause === 'below'
            ? value >= rule.below! + h
            : true;
      if (!back) {
        pair.value = value;
        if (pair.peak === undefined || (pair.cause === 'below' ? value < pair.peak : value > pair.peak))
          pair.peak = value;
        return;
      }
      this.resolve(entry, pair, now, mono, undefined, value);
      pair.value = undefined;
      pair.peak = undefined;
    }
    if (cause === undefined) {
      pair.status = OK;
      return;
    }
    if (pair.status === OK || pair.cause !== cause) {
      pair.status = PENDING;
      pair.cause = cause;
      pair.sinceMs = now;
      pair.sinceMono = mono;
    }
    if (mono - pair.sinceMono >= rule.forSeconds * 1000) {
      const threshold = cause === 'above' ? rule.above! : rule.below!;
      this.fire(entry, pair, cause, value, threshold, pair.sinceMs, pair.sinceMono, now, mono);
    }
  }

  /**
   * Runs the time-based transitions due at the clock's now: no-data fires and reminders.
   * With a scheduler this runs by itself.
   */
  check(): void {
    const now = this.options.now();
    const mono = this.mono();
    let next = Infinity;
    for (const entry of this.entries.values()) {
      // One rule's failure (a logger that throws on its record) never stops the others'
      // checks nor the planning of the next one.
      try {
        next = Math.min(next, this.checkEntry(entry, now, mono));
      } catch (error) {
        this.ruleFailed(entry.rule, error);
      }
    }
    this.plan(next);
  }

  /** The time-based transitions of one rule; returns its next deadline (monotonic ms). */
  private checkEntry(entry: Entry, now: number, mono: number): number {
    const rule = entry.rule;
    let next = Infinity;
    for (const pair of entry.pairs.values()) {
      if (rule.noDataSeconds !== undefined && pair.status !== FIRING) {
        const due = pair.lastSeenMono + rule.noDataSeconds * 1000;
        // Fired as of its deadline, so a replay over stored readings names the right time.
        if (due <= mono)
          this.fire(
            entry,
            pair,
            'noData',
            undefined,
            rule.noDataSeconds,
            pair.lastSeenMs,
            pair.lastSeenMono,
            now - (mono - due),
            due,
          );
        else next = Math.min(next, due);
      }
      if (pair.status === FIRING && rule.repeatSeconds !== undefined) {
        const period = rule.repeatSeconds * 1000;
        let due = pair.lastNoticeMono + period;
        // Missed reminders (the monitor was down, the loop blocked) are not back-filled:
        // one reminder now, which says how long since the last notice.
        if (due <= mono) {
          this.remind(entry, pair, now, mono);
          due = mono + period;
        }
        next = Math.min(next, due);
      }
    }
    return next;
  }

  /** Reports a rule whose evaluation threw, once per rule and configuration. */
  private ruleFailed(rule: RuleSpec, error: unknown): void {
    if (this.failedRules.has(rule.id)) return;
    this.failedRules.add(rule.id);
    try {
      this.options.logger.error(
        `rules: rule ${rule.id} ${JSON.stringify(rule.name)} failed (${describeError(error)}); the other rules go on; further failures of this rule are not reported until the rules change`,
        { collection: 'rules', field: '(evaluation)' },
      );
    } catch {
      // The logger itself is what fails: nothing more to say.
    }
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

  private remind(entry: Entry, pair: Pair, now: number, mono: number): void {
    const silentMs = mono - pair.lastNoticeMono;
    const missed = entry.rule.repeatSeconds !== undefined && silentMs >= 2 * entry.rule.repeatSeconds * 1000;
    pair.lastNoticeMs = now;
    pair.lastNoticeMono = mono;
    const text = this.notice(entry, pair, 'reminder', now, mono, missed ? { silentMs } : {});
    this.log(entry, pair, 'reminder', text, now);
  }

  private resolve(
    entry: Entry,
    pair: Pair,
    now: number,
    mono: number,
    why: string | undefined,
    resolvedValue?: number,
  ): void {
    const text = this.notice(entry, pair, 'resolved', now, mono, { reason: why, resolvedValue });
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
    mono: number,
    extra: Pick<NoticeInput, 'reason' | 'resolvedValue' | 'silentMs'> = {},
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
      firedForMs: mono - pair.firedMono,
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

  /** Makes sure the check runs by `atMono` (monotonic ms; a job already planned earlier stays). */
  private planAt(atMono: number): void {
    if (atMono < this.plannedAt) this.plan(atMono);
  }

  private plan(atMono: number): void {
    const scheduler = this.options.scheduler;
    if (!scheduler || this.stopped) return;
    // Far deadlines are reached in steps of maxPlanMs: the scheduler takes every delay.
    const at = Math.min(atMono, this.mono() + maxPlanMs);
    if (at === this.plannedAt) return;
    if (this.timer !== undefined) scheduler.remove(this.timer);
    this.timer = undefined;
    this.plannedAt = at;
    if (!Number.isFinite(at)) return;
    const delaySeconds = Math.max(0.001, (at - this.mono()) / 1000);
    try {
      this.timer = scheduler.onceAfter(delaySeconds, () => {
        this.timer = undefined;
        this.plannedAt = Infinity;
        this.check();
      });
      this.planFailureReported = false;
    } catch (error) {
      this.plannedAt = Infinity;
      if (!this.planFailureReported) {
        this.planFailureReported = true;
        this.options.logger.error(
          `rules: cannot plan the no-data and reminder checks (${describeError(error)}); they run again at the next reading or reload`,
        );
      }
    }
  }
}

function newPair(device: Pick<DeviceSpec, 'id' | 'name'>, now: number, mono: number): Pair {
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

/**
 * The firing pair of a saved state, seen now. The saved times are wall times of a previous
 * run (its monotonic clock is gone): their age on today's wall clock, never less than 0
 * (the clock may have stepped back meanwhile), places them on this run's monotonic clock.
 */
function restoredPair(
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
