// The rules as the Monitor runs them: an evaluator fed by the intake's reading listener,
// swapped with each applied configuration, its firing state saved in the state dir.
import type { ValidatedConfig } from '../config/validate.js';
import type { DeviceSpec, MonitorLogger, MonitorScheduler } from '../types.js';
import { RuleEvaluator } from './evaluator.js';
import { RuleStateStore } from './state-file.js';
import type { FiringState } from './types.js';

/** What the monitor gives its rules. */
export interface MonitorRulesDeps {
  logger: MonitorLogger;
  scheduler: MonitorScheduler;
  stateDir: string;
}

export class MonitorRules {
  private readonly evaluator: RuleEvaluator;
  private readonly store: RuleStateStore;
  private loaded: Promise<void> | undefined;

  /** Pass to the intake: called with every accepted reading (the hot path). */
  readonly listener: (deviceId: number, keyId: number, value: number, tsMs: number) => void;

  constructor(deps: MonitorRulesDeps) {
    this.evaluator = new RuleEvaluator({
      logger: deps.logger,
      scheduler: deps.scheduler,
      now: () => deps.scheduler.now(),
      onChange: () => this.store.save(),
    });
    this.store = new RuleStateStore(deps.stateDir, deps.logger, () => this.evaluator.firing());
    const evaluator = this.evaluator;
    this.listener = (deviceId, keyId, value, tsMs) => evaluator.onReading(deviceId, keyId, value, tsMs);
  }

  /** The (rule, device) pairs firing now (the status page lists them). */
  firing(): FiringState[] {
    return this.evaluator.firing();
  }

  /** Rules being evaluated. */
  get size(): number {
    return this.evaluator.size;
  }

  /** Reads the state a previous run saved; call before the first apply(). */
  load(): Promise<void> {
    this.loaded ??= this.store.load().then((states) => this.evaluator.restore(states));
    return this.loaded;
  }

  /** The rules of the applied configuration (the status page names their keys). */
  rules: readonly ValidatedConfig['rules'][number][] = [];

  /** Swaps to the rules of an applied configuration and the devices now running. */
  async apply(config: ValidatedConfig, running: readonly DeviceSpec[]): Promise<void> {
    await this.load();
    this.rules = config.rules;
    this.evaluator.setConfig(config.rules, running, config.keys);
  }

  /** Stops the time-based checks and writes the state. */
  async stop(): Promise<void> {
    this.evaluator.stop();
    this.store.save();
    await this.store.flush();
  }
}
