// The monitor's state as one plain, JSON-ready object: what the status page, /api/summary
// and `raspimon status` show. Pure: the Monitor gathers the parts, this shapes them.
import type { MinuteWindow } from '../storage/rollups/minute-window.js';
import type { DeviceSpec, KeySpec } from '../types.js';

/** One point of a key's 24-h chart: a minute with readings. */
export interface ChartPoint {
  /** Start of the minute, epoch seconds. */
  t: number;
  /** Mean of the minute's readings. */
  avg: number;
  /** Smallest reading of the minute. */
  min: number;
  /** Largest reading of the minute. */
  max: number;
}

/** One key of one device in a summary. */
export interface KeySummary {
  /** The key's id. */
  keyId: number;
  /** Unit of the values, `''` when the key is unknown. */
  unit: string;
  /** The key's description, `''` when none. */
  description: string;
  /** The newest stored value, or null before the first. */
  latest: {
    /** The stored integer, in `unit`. */
    value: number;
    /** When it was measured (ISO 8601). */
    ts: string;
    /** Seconds between `ts` and the summary's `generatedAt`. */
    ageSeconds: number;
  } | null;
  /** Minutes with readings in the last 24 h (as stored), oldest first. */
  chart: ChartPoint[];
}

/** The last failure of a device. */
export interface DeviceFailureSummary {
  /** Which driver call failed: `'start'`, `'read'` or `'stream'`. */
  stage: string;
  /** The error, as `Name: message`. */
  message: string;
  /** When (ISO 8601). */
  at: string;
}

/** One device in a summary. */
export interface DeviceSummary {
  /** The device's id. */
  id: number;
  /** Its unique name. */
  name: string;
  /** Its description. */
  description: string;
  /** Its driver's name. */
  driver: string;
  /** `'ok'` while its driver runs, `'failing'` while it is being restarted after a failure. */
  state: 'ok' | 'failing';
  /** Failures since it started. */
  errors: number;
  /** The most recent failure, or null. */
  lastError: DeviceFailureSummary | null;
  /** Its keys: those it declared and those it produced, by keyId. */
  keys: KeySummary[];
}

/** A firing rule, as the rules part reports it (empty until rules are configured). */
export interface RuleSummary {
  /** The rule's id or name. */
  id: string;
  /** Free-form details of the rule's state. */
  [detail: string]: unknown;
}

/** The whole summary: `monitor.summary()` and `GET /api/summary`. */
export interface MonitorSummary {
  /** When it was made (ISO 8601, the monitor's clock). */
  generatedAt: string;
  /** The database namespace. */
  namespace: string;
  /** The monitor's lifecycle state: `'new'`, `'starting'`, `'running'`, `'stopping'` or `'stopped'`. */
  state: string;
  /** Whether the last database write succeeded. */
  databaseConnected: boolean;
  /** The monitor's counters (`monitor.stats()`). */
  stats: Readonly<Record<string, number | boolean | null>>;
  /** Running devices, by id. */
  devices: DeviceSummary[];
  /** Firing rules (filled by the rules part when it is present). */
  rules: RuleSummary[];
}

/** What the Monitor hands the builder. */
export interface SummaryParts {
  nowMs: number;
  namespace: string;
  state: string;
  databaseConnected: boolean;
  stats: Readonly<Record<string, number | boolean | null>>;
  devices: ReadonlyArray<{
    spec: DeviceSpec;
    errors: number;
    failing: boolean;
    lastError: { stage: string; message: string; at: number } | undefined;
  }>;
  keys: ReadonlyMap<number, KeySpec>;
  /** The minute windows of a device, by keyId. */
  windows(id: number): ReadonlyMap<number, MinuteWindow>;
  /** Whether to include the 24-h minute points (false for /metrics). */
  charts: boolean;
  rules: RuleSummary[];
}

/** Minute points of the last 24 h (ending at `nowMs`'s minute) of a window. */
export function chartPoints(window: MinuteWindow, nowMs: number): ChartPoint[] {
  const end = Math.floor(nowMs / 60_000);
  const points: ChartPoint[] = [];
  for (let m = end - 1439; m <= end; m++) {
    const acc = window.mergeMinute(m, undefined);
    if (acc) points.push({ t: m * 60, avg: acc.sum / acc.count, min: acc.min, max: acc.max });
  }
  return points;
}

/** The newest stored value of a window, with its time. */
export function latestOf(window: MinuteWindow): { value: number; tsMs: number } | undefined {
  const head = window.headMinute;
  for (let m = head; m > head - 1440; m--) {
    const acc = window.mergeMinute(m, undefined);
    if (acc) return { value: acc.last, tsMs: acc.lastTs };
  }
  return undefined;
}

/** Shapes the parts into a {@link MonitorSummary}. */
export function buildSummary(parts: SummaryParts): MonitorSummary {
  const devices = parts.devices.map(({ spec, errors, failing, lastError }): DeviceSummary => {
    const windows = parts.windows(spec.id);
    const keyIds = [...new Set([...(spec.keyIds ?? []), ...windows.keys()])].sort((a, b) => a - b);
    return {
      id: spec.id,
      name: spec.name,
      description: spec.description,
      driver: spec.driver,
      state: failing ? 'failing' : 'ok',
      errors,
      lastError: lastError
        ? { stage: lastError.stage, message: lastError.message, at: new Date(lastError.at).toISOString() }
        : null,
      keys: keyIds.map((keyId): KeySummary => {
        const key = parts.keys.get(keyId);
        const window = windows.get(keyId);
        const latest = window ? latestOf(window) : undefined;
        return {
          keyId,
          unit: key?.unit ?? '',
          description: key?.description ?? '',
          latest: latest
            ? {
                value: latest.value,
                ts: new Date(latest.tsMs).toISOString(),
                ageSeconds: Math.max(0, (parts.nowMs - latest.tsMs) / 1000),
              }
            : null,
          chart: window && parts.charts ? chartPoints(window, parts.nowMs) : [],
        };
      }),
    };
  });
  return {
    generatedAt: new Date(parts.nowMs).toISOString(),
    namespace: parts.namespace,
    state: parts.state,
    databaseConnected: parts.databaseConnected,
    stats: parts.stats,
    devices,
    rules: parts.rules,
  };
}
