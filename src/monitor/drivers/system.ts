import { readFile, statfs } from 'node:fs/promises';
import { showValue } from '../config-validate.js';
import type { DriverConfigProblem, DriverDefinition, DriverReading } from '../types.js';
import { checkKeyId, checkString, isPlainObject, unknownFields } from './config-fields.js';

/** Metrics of the `system` driver and their units. */
export const systemMetrics = {
  /** CPU temperature from the thermal zone file, in millidegrees Celsius (e.g. 48312). */
  cpuTemperature: 'millidegrees Celsius (thermal zone)',
  /** 1-minute load average from `/proc/loadavg`, × 100 and rounded (0.52 → 52). */
  load1: 'load average × 100',
  /** 5-minute load average from `/proc/loadavg`, × 100 and rounded. */
  load5: 'load average × 100',
  /** 15-minute load average from `/proc/loadavg`, × 100 and rounded. */
  load15: 'load average × 100',
  /** `MemTotal` from `/proc/meminfo`, in kB as the kernel reports it (1 kB = 1024 bytes). */
  memTotal: 'kB',
  /** `MemAvailable` from `/proc/meminfo`, in kB (1024 bytes): memory available without swapping. */
  memAvailable: 'kB',
  /** Size of the filesystem holding `diskPath`, in MiB, rounded. */
  diskTotal: 'MiB',
  /** Space on that filesystem available to unprivileged users, in MiB, rounded. */
  diskFree: 'MiB (available to unprivileged users)',
  /** Seconds since boot from `/proc/uptime`, rounded. */
  uptime: 'seconds',
} as const;

type Metric = keyof typeof systemMetrics;

const defaults = {
  thermalPath: '/sys/class/thermal/thermal_zone0/temp',
  procRoot: '/proc',
  diskPath: '/',
};

/** Parses `/proc/meminfo` into kB values by field name. */
export function parseMeminfo(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^(\w+):\s+(\d+)/.exec(line);
    if (match) out.set(match[1]!, Number(match[2]));
  }
  return out;
}

/**
 * `system` driver: the Pi's own health. Config `{ keys: { metric: keyId, … }, thermalPath?,
 * procRoot?, diskPath? }` where metric is one of {@link systemMetrics}; only the metrics
 * listed in `keys` are read. Paths default to the real ones and are there for tests.
 */
export const systemDriver: DriverDefinition = {
  validateConfig(config) {
    const problems: DriverConfigProblem[] = [];
    unknownFields(config, ['keys', 'thermalPath', 'procRoot', 'diskPath'], problems);
    const keys: Partial<Record<Metric, number>> = {};
    if (!isPlainObject(config.keys) || Object.keys(config.keys).length === 0) {
      problems.push({
        field: 'config.keys',
        message: `must map metric names (${Object.keys(systemMetrics).join(', ')}) to keyIds, got ${showValue(config.keys)}`,
      });
    } else {
      for (const [name, keyId] of Object.entries(config.keys)) {
        if (!Object.hasOwn(systemMetrics, name)) {
          problems.push({
            field: `config.keys.${name}`,
            message: `is not a system metric; known: ${Object.keys(systemMetrics).join(', ')}`,
          });
          continue;
        }
        const id = checkKeyId(keyId, `config.keys.${name}`, problems);
        if (id !== undefined) keys[name as Metric] = id;
      }
    }
    const thermalPath =
      checkString(config.thermalPath, 'config.thermalPath', problems, false) ?? defaults.thermalPath;
    const procRoot = checkString(config.procRoot, 'config.procRoot', problems, false) ?? defaults.procRoot;
    const diskPath = checkString(config.diskPath, 'config.diskPath', problems, false) ?? defaults.diskPath;
    if (problems.length > 0) return { ok: false, problems };
    return { ok: true, config: { keys, thermalPath, procRoot, diskPath }, keyIds: Object.values(keys) };
  },
  create(config) {
    const keys = config.keys as Partial<Record<Metric, number>>;
    const thermalPath = config.thermalPath as string;
    const procRoot = config.procRoot as string;
    const diskPath = config.diskPath as string;
    const wants = (names: Metric[]): boolean => names.some((n) => keys[n] !== undefined);
    return {
      async read() {
        const out: DriverReading[] = [];
        const push = (metric: Metric, value: number): void => {
          const keyId = keys[metric];
          if (keyId !== undefined) out.push({ keyId, value: Math.round(value) });
        };
        if (wants(['cpuTemperature']))
          push('cpuTemperature', Number((await readFile(thermalPath, 'utf8')).trim()));
        if (wants(['load1', 'load5', 'load15'])) {
          const [l1, l5, l15] = (await readFile(`${procRoot}/loadavg`, 'utf8'))
            .trim()
            .split(/\s+/)
            .map(Number);
          push('load1', (l1 ?? NaN) * 100);
          push('load5', (l5 ?? NaN) * 100);
          push('load15', (l15 ?? NaN) * 100);
        }
        if (wants(['memTotal', 'memAvailable'])) {
          const mem = parseMeminfo(await readFile(`${procRoot}/meminfo`, 'utf8'));
          push('memTotal', mem.get('MemTotal') ?? NaN);
          push('memAvailable', mem.get('MemAvailable') ?? NaN);
        }
        if (wants(['diskTotal', 'diskFree'])) {
          const fs = await statfs(diskPath);
          push('diskTotal', (fs.blocks * fs.bsize) / 2 ** 20);
          push('diskFree', (fs.bavail * fs.bsize) / 2 ** 20);
        }
        if (wants(['uptime']))
          push('uptime', Number((await readFile(`${procRoot}/uptime`, 'utf8')).split(/\s+/)[0]));
        return out;
      },
    };
  },
};
