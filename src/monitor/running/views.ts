// What the Monitor shows of a run, computed from memory (no I/O): the counters, the summary a
// status page serves and the readings section of a daily digest. A monitor not started yet
// (run undefined) shows zeros and empty lists.
import { emptyIntakeCounters } from '../intake/reading-intake.js';
import type { MqttOutput } from '../outputs/mqtt/output.js';
import { deviceStates } from '../status/device-state.js';
import { renderReadingsDigest } from '../status/readings-digest.js';
import type { MonitorStats } from '../status/stats.js';
import { buildSummary, firingSummary, type MonitorSummary, type RuleSummary } from '../status/summary.js';
import { emptyWriterStats } from '../storage/readings-writer.js';
import type { MinuteWindow } from '../storage/rollups/minute-window.js';
import type { RollupStats } from '../storage/rollups/rollups.js';
import type { DeviceSpec } from '../types.js';
import type { Running } from './running.js';

/** Counters since start (`monitor.stats()`). */
export function monitorStats(run: Running | undefined): MonitorStats {
  return {
    ...(run?.writer.stats() ?? emptyWriterStats()),
    ...(run?.intake.counters ?? emptyIntakeCounters()),
    backlog: run?.intake.backlog ?? 0,
    backlogDropped: run?.intake.backlogDropped ?? 0,
    devices: run?.fleet.size ?? 0,
    ...(run?.mqtt ? mqttStats(run.mqtt) : {}),
  };
}

/** The monitor's state as `summary()` reports it. */
export type MonitorStateName = 'new' | 'starting' | 'running' | 'stopping' | 'stopped';

/** `monitor.summary()`: devices, keys with their minute points, counters, firing rules. */
export function runSummary(
  run: Running | undefined,
  monitor: { namespace: string; state: MonitorStateName },
  options: { charts?: boolean },
): MonitorSummary {
  const now = run ? run.scheduler.now() : Date.now();
  const stats = monitorStats(run);
  const windows = windowsByDevice(run);
  const specs = new Map(runDevices(run).map((d) => [d.id, d]));
  return buildSummary({
    nowMs: now,
    namespace: monitor.namespace,
    state: monitor.state,
    databaseConnected: run !== undefined && !stats.databaseDown && monitor.state === 'running',
    stats: {
      ...stats,
      rejected:
        stats.rejectedMalformed +
        stats.rejectedNotInteger +
        stats.rejectedUnknownKey +
        stats.rejectedTimestamp,
      droppedTotal: stats.dropped + stats.spoolDropped + stats.memoryDropped + stats.backlogDropped,
      reloads: run?.reloader.reloads ?? 0,
      lastReloadOk: run?.reloader.lastLoaded ?? null,
      ...(run ? prefixed(run.rollups.stats()) : {}),
    },
    devices: (run ? deviceStates(run.fleet, run.intake) : []).flatMap((state) => {
      const spec = specs.get(state.id);
      if (!spec) return [];
      return [
        {
          spec,
          errors: state.errors,
          failing: state.failing > 0,
          lastError: state.lastError && { ...state.lastError, at: state.lastError.at.getTime() },
        },
      ];
    }),
    keys: run?.fleet.keys ?? new Map(),
    windows: (id) => windows.get(id) ?? new Map(),
    charts: options.charts ?? true,
    rules: firingRules(run),
  });
}

/** `monitor.readingsDigest()`: min/max/avg/last per device and key over the last 24 h. */
export function runReadingsDigest(run: Running | undefined): string {
  const windows = windowsByDevice(run);
  return renderReadingsDigest({
    nowMs: run ? run.scheduler.now() : Date.now(),
    devices: runDevices(run),
    keys: run?.fleet.keys ?? new Map(),
    windows: (id) => windows.get(id) ?? new Map(),
  });
}

/** Devices currently running. */
export function runDevices(run: Running | undefined): DeviceSpec[] {
  return run?.fleet.devices() ?? [];
}

/** The rollups' minute windows, by device then key. */
function windowsByDevice(run: Running | undefined): Map<number, Map<number, MinuteWindow>> {
  const windows = new Map<number, Map<number, MinuteWindow>>();
  for (const pair of run?.rollups.pairList() ?? []) {
    let byKey = windows.get(pair.id);
    if (!byKey) windows.set(pair.id, (byKey = new Map<number, MinuteWindow>()));
    byKey.set(pair.keyId, pair.window);
  }
  return windows;
}

/** Firing (rule, device) pairs for the summary, oldest first, values scaled by the key. */
function firingRules(run: Running | undefined): RuleSummary[] {
  const names = new Map(runDevices(run).map((d) => [d.id, d.name]));
  const ruleKeys = new Map((run?.rules.rules ?? []).map((r) => [r.id, r.keyId]));
  const keys = run?.fleet.keys;
  return (run?.rules.firing() ?? [])
    .sort((a, b) => a.firedMs - b.firedMs)
    .map((f) => firingSummary(f, names.get(f.deviceId) ?? null, ruleKeys.get(f.ruleId), keys));
}

/** `{ hourlyWritten: 1 }` → `{ rollupsHourlyWritten: 1 }`. */
function prefixed(stats: RollupStats): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, value] of Object.entries(stats) as Array<[string, number]>)
    out[`rollups${name[0]!.toUpperCase()}${name.slice(1)}`] = value;
  return out;
}

function mqttStats(mqtt: MqttOutput): Partial<MonitorStats> {
  const { connected, published, buffered, dropped } = mqtt.stats();
  return { mqttConnected: connected, mqttPublished: published, mqttBuffered: buffered, mqttDropped: dropped };
}
