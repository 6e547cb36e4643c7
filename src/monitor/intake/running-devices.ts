// The running devices: applies a validated configuration by diff (validate-then-swap),
// so unchanged devices keep running, removed ones stop, added and changed ones start,
// and a running device whose new document is invalid keeps its previous config.
import type { RawConfig } from '../config/load.js';
import { diffDevices } from '../config/diff.js';
import type { ValidatedConfig } from '../config/validate.js';
import { DeviceRunner, type DeviceFailure, type RunnerDeps } from './device-runner.js';
import type { DeviceSpec, DriverDefinition, KeySpec, MonitorLogger } from '../types.js';

/** What the fleet hands the keys in force to: the reading intake. */
export interface KeyUser {
  useKeys(keys: ReadonlyMap<number, KeySpec>): void;
}

/** A running device's health, from its runner. */
export interface RunnerState {
  device: DeviceSpec;
  /** Driver (re)starts since the device began running. */
  starts: number;
  /** Failures since the device began running. */
  errors: number;
  /** Consecutive failures now (0 when healthy). */
  failing: number;
  lastError: DeviceFailure | undefined;
}

/** What one reload did. */
export interface ReloadSummary {
  /** False when the configuration could not be read and the last good one stays. */
  loaded: boolean;
  /** Ids of devices started because they are new (or newly enabled). */
  added: number[];
  /** Ids of running devices whose document changed: stopped and started again with it. */
  changed: number[];
  /** Ids of devices stopped because they were deleted or disabled. */
  removed: number[];
  /** Ids of devices left running untouched. */
  unchanged: number[];
  /** Running devices whose new document is invalid: they keep their previous config. */
  kept: number[];
  /** Every problem found in the `devices` and `keys` documents (each is also logged). */
  problems: ValidatedConfig['problems'];
}

export function emptySummary(loaded: boolean): ReloadSummary {
  return { loaded, added: [], changed: [], removed: [], unchanged: [], kept: [], problems: [] };
}

export class DeviceFleet {
  private readonly runners = new Map<number, DeviceRunner>();
  private keyMap = new Map<number, KeySpec>();

  constructor(
    private readonly registry: ReadonlyMap<string, DriverDefinition>,
    private readonly logger: MonitorLogger,
    /** Runner dependencies; `deps.intake` also receives the keys of every applied config. */
    private readonly deps: RunnerDeps & { intake: KeyUser },
  ) {}

  /** The keys in force (the status page shows their units). */
  get keys(): ReadonlyMap<number, KeySpec> {
    return this.keyMap;
  }

  get size(): number {
    return this.runners.size;
  }

  /** Running devices, by id. */
  devices(): DeviceSpec[] {
    return [...this.runners.values()].map((r) => r.device).sort((a, b) => a.id - b.id);
  }

  /** Health of every running device, by id. */
  states(): RunnerState[] {
    return [...this.runners.values()]
      .map((r) => ({
        device: r.device,
        starts: r.starts,
        errors: r.errors,
        failing: r.failureCount,
        lastError: r.lastError,
      }))
      .sort((a, b) => a.device.id - b.device.id);
  }

  /** Swaps to `config` (validated from `raw`), touching only what changed. */
  async apply(raw: RawConfig, config: ValidatedConfig): Promise<ReloadSummary> {
    const presentIds = new Set(
      raw.devices.map((d) => (d as { id?: unknown }).id).filter((id): id is number => typeof id === 'number'),
    );
    const validIds = new Set([...config.devices, ...config.disabled].map((d) => d.id));
    const next = [...config.devices];
    const kept: number[] = [];
    const keys = new Map(config.keys);
    for (const [id, runner] of this.runners) {
      if (!presentIds.has(id) || validIds.has(id)) continue;
      next.push(runner.device);
      kept.push(id);
      for (const keyId of runner.device.keyIds ?? [])
        if (!keys.has(keyId)) keys.set(keyId, this.keyMap.get(keyId) ?? { keyId, unit: '', description: '' });
      this.logger.warning(
        `configuration: device ${id} "${runner.device.name}" has an invalid new document; it keeps running with its previous configuration`,
      );
    }
    const diff = diffDevices(new Map([...this.runners].map(([id, r]) => [id, r.device])), next);
    this.keyMap = keys;
    this.deps.intake.useKeys(keys);
    await Promise.all(
      [...diff.removed, ...diff.changed].map(async (device) => {
        const runner = this.runners.get(device.id);
        this.runners.delete(device.id);
        await runner?.stop();
      }),
    );
    await Promise.all(
      [...diff.added, ...diff.changed].map((device) => {
        const runner = new DeviceRunner(device, this.registry.get(device.driver)!, this.deps);
        this.runners.set(device.id, runner);
        return runner.start();
      }),
    );
    if (diff.added.length + diff.changed.length + diff.removed.length > 0) {
      this.logger.info(
        `configuration applied: ${diff.added.length} added, ${diff.changed.length} changed, ${diff.removed.length} removed, ${diff.unchanged.length} unchanged`,
      );
    }
    const ids = (list: DeviceSpec[]): number[] => list.map((d) => d.id);
    return {
      loaded: true,
      added: ids(diff.added),
      changed: ids(diff.changed),
      removed: ids(diff.removed),
      unchanged: ids(diff.unchanged),
      kept,
      problems: config.problems,
    };
  }

  /** Stops every device. */
  async stopAll(): Promise<void> {
    const runners = [...this.runners.values()];
    this.runners.clear();
    await Promise.all(runners.map((r) => r.stop()));
  }
}
