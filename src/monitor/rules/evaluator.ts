// The rule evaluator, one state machine per (rule, device) pair: ok → pending (forSeconds)
// → firing → ok, with hysteresis, no-data deadlines and reminders. Fed each accepted reading
// (no database query, no allocation once a pair exists); time-based transitions (no-data,
// reminders) run from one scheduler job planned at the earliest deadline.
// Every duration (forSeconds, noDataSeconds, repeatSeconds) is measured on the clock's
// monotonic time, which NTP never steps; wall times are kept only to be shown and saved.
// This file swaps configurations and routes readings; the transitions live beside it:
// threshold.ts (pending, firing, hysteresis), deadlines.ts (no-data, reminders),
// notices.ts (what a fire, reminder or resolve records), check-plan.ts (the check job).
import { describeError } from '../../internal/index.js';
import type { DeviceSpec, KeySpec, MonitorLogger, MonitorScheduler } from '../types.js';
import { CheckPlan } from './check-plan.js';
import { checkDeadlines } from './deadlines.js';
import { PairNotices, savedRule, type RuleEvent } from './notices.js';
import { causeApplies, FIRING, newPair, restoredPair, savedState, watches, type Entry } from './pair.js';
import { onThresholdValue } from './threshold.js';
import type { FiringState, RuleSpec } from './types.js';
import { ruleRangeProblems } from './validate.js';

export type { RuleEvent } from './notices.js';

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
  private failedRules = new Set<number>();
  private readonly mono: () => number;
  private readonly checks: CheckPlan;
  private readonly notices: PairNotices;

  constructor(private readonly options: RuleEvaluatorOptions) {
    this.mono = options.monotonic ? () => options.monotonic!() : () => options.now();
    this.checks = new CheckPlan(options, this.mono, () => this.check());
    this.notices = new PairNotices(options, (atMono) => this.checks.planAt(atMono));
  }

  /** Rules being evaluated (enabled and valid), by id. */
  get size(): number {
    return this.entries.size;
  }

  /** Firing pairs as they can be saved and given back to {@link RuleEvaluator.restore}. */
  firing(): FiringState[] {
    const out: FiringState[] = [];
    for (const entry of this.entries.values())
      for (const pair of entry.pairs.values()) if (pair.status === FIRING) out.push(savedState(entry, pair));
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
        if (pair.status === FIRING) this.notices.resolve(old, pair, now, mono, reason);
    }
    // Saved states whose rule or device is gone: resolved now, named as well as we can.
    for (const [id, state] of this.restored) {
      const rule = byId.get(state.ruleId);
      if (rule?.enabled && running.has(state.deviceId) && causeApplies(rule, state.cause)) continue;
      this.restored.delete(id);
      const device = running.get(state.deviceId) ?? { id: state.deviceId, name: '?' };
      this.notices.resolve(
        { rule: rule ?? savedRule(state), key: keys.get(rule?.keyId ?? -1) },
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
    this.checks.reset();
    this.check();
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
        else if (pair.status === FIRING && !causeApplies(rule, pair.cause!)) reason = 'rule changed';
        if (reason === undefined) {
          pair.device = device!;
          entry.pairs.set(deviceId, pair);
        } else if (pair.status === FIRING) this.notices.resolve(old, pair, now, mono, reason);
      }
    }
    for (const [id, state] of this.restored) {
      if (state.ruleId !== rule.id) continue;
      const device = running.get(state.deviceId);
      if (
        !device ||
        (rule.deviceId !== undefined && rule.deviceId !== device.id) ||
        !causeApplies(rule, state.cause)
      )
        continue;
      this.restored.delete(id);
      entry.pairs.set(device.id, restoredPair(device, state, now, mono));
    }
    if (rule.noDataSeconds !== undefined) {
      for (const device of devices)
        if (!entry.pairs.has(device.id) && watches(rule, device))
          entry.pairs.set(device.id, newPair(device, now, mono));
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
        if (rule.noDataSeconds !== undefined) this.checks.planAt(mono + rule.noDataSeconds * 1000);
      }
      pair.lastSeenMs = now;
      pair.lastSeenMono = mono;
      if (pair.status === FIRING && pair.cause === 'noData')
        this.notices.resolve(entry, pair, now, mono, 'readings arrive again');
      if (rule.above === undefined && rule.below === undefined) continue;
      onThresholdValue(this.notices, entry, pair, value, now, mono);
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
        next = Math.min(next, checkDeadlines(this.notices, entry, now, mono));
      } catch (error) {
        this.ruleFailed(entry.rule, error);
      }
    }
    this.checks.plan(next);
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
    this.checks.stop();
  }
}
