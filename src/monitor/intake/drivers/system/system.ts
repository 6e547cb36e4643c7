import { execFile } from 'node:child_process';
import { readdir, readFile, statfs } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { describeError, describeValue } from '../../../../internal/index.js';
import type { DriverConfigProblem, DriverDefinition, DriverReading } from '../../../types.js';
import { checkKeyId, checkString, isPlainObject, unknownFields } from '../config-fields.js';

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
  /** The firmware's whole `get_throttled` bit field (bits 0-3 now, 16-19 since boot). */
  throttledFlags: 'bit field (get_throttled)',
  /** Under-voltage now (bit 0): 1 or 0. The most common cause of a flaky Pi: check the power supply. */
  underVoltage: '1 = yes, 0 = no',
  /** Under-voltage has occurred since boot (bit 16): 1 or 0. */
  underVoltageOccurred: '1 = yes, 0 = no',
  /** ARM frequency capped now (bit 1): 1 or 0. */
  frequencyCapped: '1 = yes, 0 = no',
  /** ARM frequency capping has occurred since boot (bit 17): 1 or 0. */
  frequencyCappedOccurred: '1 = yes, 0 = no',
  /** Throttled now (bit 2): 1 or 0. */
  throttled: '1 = yes, 0 = no',
  /** Throttling has occurred since boot (bit 18): 1 or 0. */
  throttledOccurred: '1 = yes, 0 = no',
  /** Soft temperature limit active now (bit 3): 1 or 0. */
  softTempLimit: '1 = yes, 0 = no',
  /** Soft temperature limit has occurred since boot (bit 19): 1 or 0. */
  softTempLimitOccurred: '1 = yes, 0 = no',
  /** Bytes received, from `/proc/net/dev` (`netInterface`, or every interface but `lo` summed). */
  netRxBytes: 'bytes (counter since boot)',
  /** Bytes sent, from `/proc/net/dev`, as `netRxBytes`. */
  netTxBytes: 'bytes (counter since boot)',
  /** Wi-Fi signal level from `/proc/net/wireless` (`wifiInterface`, or the first listed), in dBm, e.g. -52. */
  wifiSignal: 'dBm',
  /** Wi-Fi link quality from `/proc/net/wireless`, as the driver reports it (typically 0-70). */
  wifiQuality: 'link quality',
} as const;

/** A metric name of the `system` driver. */
export type SystemMetric = keyof typeof systemMetrics;

/** The throttling bits of the firmware's `get_throttled`, by metric. */
const throttleBits: Partial<Record<SystemMetric, number>> = {
  underVoltage: 0,
  frequencyCapped: 1,
  throttled: 2,
  softTempLimit: 3,
  underVoltageOccurred: 16,
  frequencyCappedOccurred: 17,
  throttledOccurred: 18,
  softTempLimitOccurred: 19,
};

const groups: ReadonlyArray<readonly SystemMetric[]> = [
  ['cpuTemperature'],
  ['load1', 'load5', 'load15'],
  ['memTotal', 'memAvailable'],
  ['diskTotal', 'diskFree'],
  ['uptime'],
  ['throttledFlags', ...(Object.keys(throttleBits) as SystemMetric[])],
  ['netRxBytes', 'netTxBytes'],
  ['wifiSignal', 'wifiQuality'],
];

const defaults = {
  thermalPath: '/sys/class/thermal/thermal_zone0/temp',
  procRoot: '/proc',
  sysRoot: '/sys',
  diskPath: '/',
  vcgencmd: 'vcgencmd',
};

/** The system driver's config after validation. */
interface SystemConfig {
  keys: Partial<Record<SystemMetric, number>>;
  thermalPath: string;
  procRoot: string;
  sysRoot: string;
  diskPath: string;
  throttledPath: string | undefined;
  vcgencmd: string;
  netInterface: string | undefined;
  wifiInterface: string | undefined;
}

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
 * The bit field of `get_throttled`: sysfs holds hex digits (`50005`), `vcgencmd
 * get_throttled` prints `throttled=0x50005`. NaN when the text holds neither.
 */
export function parseThrottled(text: string): number {
  const match = /^(?:throttled=)?(?:0x)?([0-9a-f]+)$/i.exec(text.trim());
  return match ? parseInt(match[1]!, 16) : NaN;
}

/** Byte counters per interface from `/proc/net/dev`. */
export function parseNetDev(text: string): Map<string, { rx: number; tx: number }> {
  const out = new Map<string, { rx: number; tx: number }>();
  for (const line of text.split('\n')) {
    const match = /^\s*([^\s:]+):\s*(.*)$/.exec(line);
    if (!match) continue;
    const fields = match[2]!.trim().split(/\s+/).map(Number);
    if (fields.length >= 9) out.set(match[1]!, { rx: fields[0]!, tx: fields[8]! });
  }
  return out;
}

/** Link quality and signal level (dBm) per interface from `/proc/net/wireless`. */
export function parseWireless(text: string): Map<string, { quality: number; signal: number }> {
  const out = new Map<string, { quality: number; signal: number }>();
  for (const line of text.split('\n')) {
    const match = /^\s*([^\s:|]+):\s*(\S+)\s+([-\d.]+)\s+([-\d.]+)/.exec(line);
    if (match) out.set(match[1]!, { quality: parseFloat(match[3]!), signal: parseFloat(match[4]!) });
  }
  return out;
}

/** What one read of the system metrics gave: the readings, and the metrics this machine lacks. */
export interface SystemSample {
  /** One reading per metric that could be read. */
  readings: DriverReading[];
  /** Requested metrics that could not be read, with why (e.g. no such file). */
  skipped: Array<{
    /** The metric skipped. */
    metric: SystemMetric;
    /** Why, e.g. `Error: ENOENT: no such file or directory, open '/proc/net/wireless'`. */
    reason: string;
  }>;
}

async function findThrottledPath(config: SystemConfig): Promise<string | undefined> {
  if (config.throttledPath !== undefined) return config.throttledPath;
  const platform = path.join(config.sysRoot, 'devices/platform');
  // Raspberry Pi OS: soc/soc:firmware on the Pi 1-4; the Pi 5 names its soc node differently.
  const candidates = [path.join(platform, 'soc/soc:firmware/get_throttled')];
  for (const dir of await readdir(platform).catch(() => [] as string[])) {
    if (!dir.startsWith('soc')) continue;
    for (const entry of await readdir(path.join(platform, dir)).catch(() => [] as string[]))
      if (entry.endsWith(':firmware')) candidates.push(path.join(platform, dir, entry, 'get_throttled'));
  }
  for (const file of candidates) {
    if (
      await readFile(file, 'utf8').then(
        () => true,
        () => false,
      )
    )
      return file;
  }
  return undefined;
}

const execFileAsync = promisify(execFile);

async function runVcgencmd(command: string): Promise<string> {
  return (await execFileAsync(command, ['get_throttled'], { timeout: 2000 })).stdout;
}

async function readThrottled(config: SystemConfig): Promise<number> {
  const file = await findThrottledPath(config);
  const text = file !== undefined ? await readFile(file, 'utf8') : await runVcgencmd(config.vcgencmd);
  const flags = parseThrottled(text);
  if (Number.isNaN(flags)) throw new Error(`get_throttled gave ${describeValue(text.trim())}`);
  return flags;
}

/**
 * Reads the metrics listed in `config.keys` (a validated `system` config). A metric this
 * machine does not have (no thermal zone, no Wi-Fi, no firmware interface) is skipped and
 * named in `skipped`; the others are read.
 */
export async function sampleSystem(config: SystemConfig): Promise<SystemSample> {
  const readings: DriverReading[] = [];
  const skipped: SystemSample['skipped'] = [];
  const keys = config.keys;
  const push = (metric: SystemMetric, value: number | undefined, missing: string): void => {
    const keyId = keys[metric];
    if (keyId === undefined) return;
    if (value === undefined || !Number.isFinite(value)) skipped.push({ metric, reason: missing });
    else readings.push({ keyId, value: Math.round(value) });
  };
  const read = async (
    metrics: readonly SystemMetric[],
    run: () => Promise<Partial<Record<SystemMetric, number>>>,
  ): Promise<void> => {
    if (!metrics.some((m) => keys[m] !== undefined)) return;
    let values: Partial<Record<SystemMetric, number>>;
    try {
      values = await run();
    } catch (error) {
      for (const m of metrics)
        if (keys[m] !== undefined) skipped.push({ metric: m, reason: describeError(error) });
      return;
    }
    for (const m of metrics) push(m, values[m], 'not reported by this machine');
  };
  const [temperature, load, memory, disk, uptime, throttling, network, wifi] = groups;
  const proc = (file: string): Promise<string> => readFile(path.join(config.procRoot, file), 'utf8');
  await read(temperature!, async () => ({
    cpuTemperature: Number((await readFile(config.thermalPath, 'utf8')).trim()),
  }));
  await read(load!, async () => {
    const [load1, load5, load15] = (await proc('loadavg')).trim().split(/\s+/).map(Number);
    return { load1: load1! * 100, load5: load5! * 100, load15: load15! * 100 };
  });
  await read(memory!, async () => {
    const mem = parseMeminfo(await proc('meminfo'));
    return { memTotal: mem.get('MemTotal'), memAvailable: mem.get('MemAvailable') };
  });
  await read(disk!, async () => {
    const fs = await statfs(config.diskPath);
    return { diskTotal: (fs.blocks * fs.bsize) / 2 ** 20, diskFree: (fs.bavail * fs.bsize) / 2 ** 20 };
  });
  await read(uptime!, async () => ({ uptime: Number((await proc('uptime')).split(/\s+/)[0]) }));
  await read(throttling!, async () => {
    const flags = await readThrottled(config);
    const values: Partial<Record<SystemMetric, number>> = { throttledFlags: flags };
    for (const [metric, bit] of Object.entries(throttleBits))
      values[metric as SystemMetric] = Math.floor(flags / 2 ** bit) % 2;
    return values;
  });
  await read(network!, async () => {
    const counters = parseNetDev(await proc('net/dev'));
    if (config.netInterface !== undefined) {
      const one = counters.get(config.netInterface);
      if (!one) throw new Error(`no interface ${config.netInterface} in /proc/net/dev`);
      return { netRxBytes: one.rx, netTxBytes: one.tx };
    }
    let rx = 0;
    let tx = 0;
    for (const [name, c] of counters)
      if (name !== 'lo') {
        rx += c.rx;
        tx += c.tx;
      }
    return { netRxBytes: rx, netTxBytes: tx };
  });
  await read(wifi!, async () => {
    const links = parseWireless(await proc('net/wireless'));
    const link =
      config.wifiInterface !== undefined ? links.get(config.wifiInterface) : [...links.values()][0];
    if (!link)
      throw new Error(
        `no Wi-Fi interface${config.wifiInterface ? ` ${config.wifiInterface}` : ''} in /proc/net/wireless`,
      );
    return { wifiSignal: link.signal, wifiQuality: link.quality };
  });
  return { readings, skipped };
}

const configFields = [
  'keys',
  'thermalPath',
  'procRoot',
  'sysRoot',
  'diskPath',
  'throttledPath',
  'vcgencmd',
  'netInterface',
  'wifiInterface',
];

function validateSystemConfig(
  config: Record<string, unknown>,
): { ok: true; config: SystemConfig } | { ok: false; problems: DriverConfigProblem[] } {
  const problems: DriverConfigProblem[] = [];
  unknownFields(config, configFields, problems);
  const keys: Partial<Record<SystemMetric, number>> = {};
  if (!isPlainObject(config.keys) || Object.keys(config.keys).length === 0) {
    problems.push({
      field: 'config.keys',
      message: `must map metric names (${Object.keys(systemMetrics).join(', ')}) to keyIds, got ${describeValue(config.keys)}`,
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
      if (id !== undefined) keys[name as SystemMetric] = id;
    }
  }
  const text = (field: string): string | undefined =>
    checkString(config[field], `config.${field}`, problems, false);
  const out: SystemConfig = {
    keys,
    thermalPath: text('thermalPath') ?? defaults.thermalPath,
    procRoot: text('procRoot') ?? defaults.procRoot,
    sysRoot: text('sysRoot') ?? defaults.sysRoot,
    diskPath: text('diskPath') ?? defaults.diskPath,
    throttledPath: text('throttledPath'),
    vcgencmd: text('vcgencmd') ?? defaults.vcgencmd,
    netInterface: text('netInterface'),
    wifiInterface: text('wifiInterface'),
  };
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, config: out };
}

/**
 * Which of a `system` device's metrics this machine lacks: what `raspimon devices list`
 * shows. `config` is the device document's config; an invalid one gives no answer.
 *
 * @example
 * ```ts
 * const { skipped } = await probeSystemMetrics({ keys: { underVoltage: 20, wifiSignal: 21 } });
 * // e.g. [{ metric: 'wifiSignal', reason: 'Error: no Wi-Fi interface in /proc/net/wireless' }]
 * ```
 */
export async function probeSystemMetrics(config: Record<string, unknown>): Promise<SystemSample | undefined> {
  const check = validateSystemConfig(config);
  return check.ok ? sampleSystem(check.config) : undefined;
}

/**
 * `system` driver: the Pi's own health. Config `{ keys: { metric: keyId, … }, thermalPath?,
 * procRoot?, sysRoot?, diskPath?, throttledPath?, vcgencmd?, netInterface?, wifiInterface? }`
 * where metric is one of {@link systemMetrics}; only the metrics listed in `keys` are read,
 * and one this machine lacks is skipped (reported once) while the others go on. Paths
 * default to the real ones and are there for tests.
 */
export const systemDriver: DriverDefinition = {
  validateConfig(config) {
    const check = validateSystemConfig(config);
    if (!check.ok) return check;
    return {
      ok: true,
      config: check.config as unknown as Record<string, unknown>,
      keyIds: Object.values(check.config.keys),
    };
  },
  create(config, context) {
    const reported = new Set<SystemMetric>();
    return {
      async read() {
        const sample = await sampleSystem(config as unknown as SystemConfig);
        const fresh = sample.skipped.filter((s) => !reported.has(s.metric));
        if (fresh.length > 0) {
          for (const s of fresh) reported.add(s.metric);
          context.logger.warning(
            `system metric(s) skipped, not available on this machine: ${fresh.map((s) => `${s.metric} (${s.reason})`).join(', ')}; the other metrics are read`,
          );
        }
        return sample.readings;
      },
    };
  },
};
