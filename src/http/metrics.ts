// Prometheus metrics of a monitor through prom-client: one private Registry whose
// collect() callbacks read the monitor's summary at scrape time (nothing is counted on
// the readings' hot path).
import { Counter, Gauge, Registry } from 'prom-client';
import type { MonitorSummary } from '../monitor/index.js';

/** Key units Prometheus has a base unit for: the metric suffix and the factor to it. */
const baseUnits = new Map<string, { base: string; factor: number }>([
  ['°C', { base: 'celsius', factor: 1 }],
  ['C', { base: 'celsius', factor: 1 }],
  ['degC', { base: 'celsius', factor: 1 }],
  ['mC', { base: 'celsius', factor: 0.001 }],
  ['%', { base: 'ratio', factor: 0.01 }],
  ['V', { base: 'volts', factor: 1 }],
  ['mV', { base: 'volts', factor: 0.001 }],
  ['A', { base: 'amperes', factor: 1 }],
  ['mA', { base: 'amperes', factor: 0.001 }],
  ['W', { base: 'watts', factor: 1 }],
  ['Pa', { base: 'pascals', factor: 1 }],
  ['hPa', { base: 'pascals', factor: 100 }],
  ['s', { base: 'seconds', factor: 1 }],
  ['B', { base: 'bytes', factor: 1 }],
  ['Hz', { base: 'hertz', factor: 1 }],
  ['m', { base: 'meters', factor: 1 }],
]);

const baseUnitHelp = new Map(
  [...new Set([...baseUnits.values()].map((u) => u.base))].map((base) => [
    base,
    `Latest value per device and key whose unit converts to ${base} (the Prometheus base unit).`,
  ]),
);

/** Reads the summary (without charts) for a scrape. */
export type SummaryReader = () => MonitorSummary;

type KeySummary = MonitorSummary['devices'][number]['keys'][number];

function num(value: number | boolean | null | undefined): number {
  if (typeof value === 'boolean') return value ? 1 : 0;
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

/** The monitor's metrics and how to scrape them. */
export interface MonitorMetrics {
  registry: Registry;
  /** The registry's text exposition, from one summary read for the whole scrape. */
  scrape(): Promise<string>;
}

/** Registers the monitor's metrics in `registry` (a new one when not given). */
export function monitorMetrics(read: SummaryReader, registry: Registry = new Registry()): MonitorMetrics {
  // One summary per scrape, shared by every collect() of that scrape.
  let current: MonitorSummary | undefined;
  let scraping = 0;
  const summary = (): MonitorSummary => (current ??= read());
  const counter = (name: string, help: string, field: string): void => {
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(num(summary().stats[field]));
      },
    });
  };
  const gauge = (name: string, help: string, value: (s: MonitorSummary) => number): void => {
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(value(summary()));
      },
    });
  };
  // The latest stored value of every device and key that has one, with its labels.
  const eachLatest = (
    use: (
      labels: { device: string; device_id: string; key_id: string },
      latest: NonNullable<KeySummary['latest']>,
      unit: string,
    ) => void,
  ): void => {
    for (const d of summary().devices)
      for (const k of d.keys)
        if (k.latest)
          use({ device: d.name, device_id: String(d.id), key_id: String(k.keyId) }, k.latest, k.unit);
  };
  counter('raspimon_readings_accepted_total', 'Readings accepted from drivers.', 'accepted');
  counter('raspimon_readings_stored_total', 'Readings acknowledged by the database.', 'written');
  counter(
    'raspimon_readings_dropped_total',
    'Readings given up (rejected by the server, or dropped at the memory/spool limits).',
    'droppedTotal',
  );
  counter(
    'raspimon_readings_rejected_total',
    'Readings rejected by validation (unknown key, not an integer, malformed).',
    'rejected',
  );
  gauge('raspimon_readings_spooled', 'Readings waiting in the on-disk spool.', (s) => num(s.stats.spooled));
  gauge('raspimon_readings_queued', 'Readings waiting in memory.', (s) => num(s.stats.queued));
  gauge('raspimon_spool_bytes', 'Bytes the on-disk spool takes.', (s) => num(s.stats.spoolBytes));
  gauge('raspimon_database_connected', '1 when the last database write succeeded.', (s) =>
    s.databaseConnected ? 1 : 0,
  );
  gauge('raspimon_devices', 'Devices running.', (s) => s.devices.length);
  counter('raspimon_reloads_total', 'Configuration reloads applied.', 'reloads');
  gauge(
    'raspimon_last_reload_success',
    '1 when the last configuration reload could read the configuration.',
    (s) => (s.stats.lastReloadOk === false ? 0 : 1),
  );
  new Counter({
    name: 'raspimon_device_errors_total',
    help: 'Driver failures per device since it started.',
    labelNames: ['device', 'device_id'],
    registers: [registry],
    collect() {
      this.reset();
      for (const d of summary().devices) this.inc({ device: d.name, device_id: String(d.id) }, d.errors);
    },
  });
  new Gauge({
    name: 'raspimon_reading',
    help: 'Latest value per device and key as shown (stored ÷ 10^decimals), in the unit of the unit label.',
    labelNames: ['device', 'device_id', 'key_id', 'unit'],
    registers: [registry],
    collect() {
      this.reset();
      eachLatest((labels, latest, unit) => this.set({ ...labels, unit }, latest.value));
    },
  });
  // Prometheus names base units in the metric name: one gauge per base unit the keys use.
  for (const [base, help] of baseUnitHelp) {
    new Gauge({
      name: `raspimon_reading_${base}`,
      help,
      labelNames: ['device', 'device_id', 'key_id'],
      registers: [registry],
      collect() {
        this.reset();
        eachLatest((labels, latest, unit) => {
          const known = baseUnits.get(unit);
          if (known?.base === base) this.set(labels, latest.value * known.factor);
        });
      },
    });
  }
  new Gauge({
    name: 'raspimon_reading_age_seconds',
    help: 'Age of the latest stored value per device and key.',
    labelNames: ['device', 'device_id', 'key_id'],
    registers: [registry],
    collect() {
      this.reset();
      eachLatest((labels, latest) => this.set(labels, latest.ageSeconds));
      // Scraped through someone else's registry: the next scrape reads a fresh summary.
      if (scraping === 0) current = undefined;
    },
  });
  return {
    registry,
    async scrape() {
      scraping++;
      try {
        current = read();
        return await registry.metrics();
      } finally {
        if (--scraping === 0) current = undefined;
      }
    },
  };
}
