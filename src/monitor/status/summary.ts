// The monitor's state as one plain, JSON-ready object: what the status page, /api/summary
// and `raspimon status` show. Pure: the Monitor gathers the parts, this shapes them.
import type { MinuteWindow } from '../storage/rollups/minute-window.js';
import { formatDuration } from '../rules/format.js';
import type { FiringState } from '../rules/types.js';
import { formatValue, shownValue } from './format-value.js';
import type { DeviceSpec, KeySpec } from '../types.js';

/** One point of a key's chart: a bucket (a minute in the summary) with readings, values shown scaled. */
export interface ChartPoint {
  /** Start of the bucket, epoch seconds. */
  t: number;
  /** Mean of the bucket's readings (scaled: stored ÷ 10^decimals). */
  avg: number;
  /** Smallest reading of the bucket (scaled). */
  min: number;
  /** Largest reading of the bucket (scaled). */
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
  /** The key's decimals: `value` = `raw` ÷ 10^decimals. */
  decimals: number;
  /** The newest stored value, or null before the first. */
  latest: {
    /** The value as shown, in `unit` (stored ÷ 10^decimals), e.g. `21.5`. */
    value: number;
    /** The stored integer, e.g. `215`. */
    raw: number;
    /** What a person reads, e.g. `'21.5 °C'`. */
    text: string;
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
  /**
   * The worst of its driver state and its firing rules: `'ok'`, `'WARNING'`, `'failing'`,
   * `'ERROR'` or `'ALERT'` (in that order), what the status page shows beside its name.
   */
  status: DeviceStatus;
  /** Failures since it started. */
  errors: number;
  /** The most recent failure, or null. */
  lastError: DeviceFailureSummary | null;
  /** Its keys: those it declared and those it produced, by keyId. */
  keys: KeySummary[];
}

/** A device's worst state, least to most severe: see {@link DeviceSummary.status}. */
export type DeviceStatus = 'ok' | 'WARNING' | 'failing' | 'ERROR' | 'ALERT';

const severity: Record<DeviceStatus, number> = { ok: 0, WARNING: 1, failing: 2, ERROR: 3, ALERT: 4 };

/** The worse of two device states. */
export function worseStatus(a: DeviceStatus, b: DeviceStatus): DeviceStatus {
  return severity[b] > severity[a] ? b : a;
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

/** Minute points of the last 24 h (ending at `nowMs`'s minute) of a window, scaled by the key. */
export function chartPoints(window: MinuteWindow, nowMs: number, key?: KeySpec): ChartPoint[] {
  const end = Math.floor(nowMs / 60_000);
  const points: ChartPoint[] = [];
  for (let m = end - 1439; m <= end; m++) {
    const acc = window.mergeMinute(m, undefined);
    if (acc)
      points.push({
        t: m * 60,
        avg: shownValue(acc.sum / acc.count, key),
        min: shownValue(acc.min, key),
        max: shownValue(acc.max, key),
      });
  }
  return points;
}

/** A firing (rule, device) pair as the summary lists it: value and threshold scaled, with text. */
export function firingSummary(
  f: FiringState,
  device: string | null,
  keyId: number | undefined,
  keys: ReadonlyMap<number, KeySpec> | undefined,
): RuleSummary {
  const key = keyId === undefined ? undefined : keys?.get(keyId);
  const scaled = f.cause !== 'noData';
  return {
    id: String(f.ruleId),
    name: f.ruleName,
    level: f.level,
    deviceId: f.deviceId,
    device,
    keyId: keyId ?? null,
    unit: key?.unit ?? '',
    cause: f.cause,
    value: f.value === undefined ? null : scaled ? shownValue(f.value, key) : f.value,
    threshold: scaled ? shownValue(f.threshold, key) : f.threshold,
    text:
      f.cause === 'noData'
        ? `no reading for ${formatDuration(f.threshold * 1000)}`
        : `${f.value === undefined ? '?' : formatValue(f.value, key)} ${f.cause} ${formatValue(f.threshold, key)}`,
    since: new Date(f.sinceMs).toISOString(),
    fired: new Date(f.firedMs).toISOString(),
  };
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
    // Only keys of the configuration in force: a key removed at a reload disappears.
    const keyIds = [...new Set([...(spec.keyIds ?? []), ...windows.keys()])]
      .filter((keyId) => parts.keys.has(keyId))
      .sort((a, b) => a - b);
    let status: DeviceStatus = failing ? 'failing' : 'ok';
    for (const rule of parts.rules)
      if (rule.deviceId === spec.id && typeof rule.level === 'string' && rule.level in severity)
        status = worseStatus(status, rule.level as DeviceStatus);
    return {
      id: spec.id,
      name: spec.name,
      description: spec.description,
      driver: spec.driver,
      state: failing ? 'failing' : 'ok',
      status,
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
          decimals: key?.decimals ?? 0,
          latest: latest
            ? {
                value: shownValue(latest.value, key),
                raw: latest.value,
                text: formatValue(latest.value, key),
                ts: new Date(latest.tsMs).toISOString(),
                ageSeconds: Math.max(0, (parts.nowMs - latest.tsMs) / 1000),
              }
            : null,
          chart: window && parts.charts ? chartPoints(window, parts.nowMs, key) : [],
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
