import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import path from 'node:path';

/** One measured figure of one contender (us or a peer) in one benchmark. */
export interface Figure {
  /** Who was measured, e.g. `'raspimon'`, `'node-cron'`, `'setTimeout'`. */
  who: string;
  /** What was measured, e.g. `'schedule one job'`. */
  metric: string;
  value: number;
  /** Unit for display, e.g. `'µs'`, `'bytes/job'`, `'records/s'`. */
  unit: string;
  /** True when a smaller value is better (times, bytes); false for throughputs. */
  lowerIsBetter: boolean;
  /**
   * Options this row sets away from the defaults, and why (e.g. `memoryLimit: 100,000
   * (default 10,000)`); docs/benchmarks.md prints it. Leave it out when the row runs with
   * the defaults.
   */
  settings?: string;
}

const resultsDir = path.resolve(import.meta.dirname, '../results');

/**
 * Prints a table of figures with each peer's ratio to ours for the same metric
 * ("×3.2 better" means we are 3.2 times better), and writes `bench/results/<name>.json`.
 */
export function report(name: string, figures: Figure[], ours = 'raspimon'): void {
  const metrics = [...new Set(figures.map((f) => f.metric))];
  const lines: string[] = [`\n## ${name}`];
  const rows: Array<Figure & { ratio: number | null }> = [];
  for (const metric of metrics) {
    const group = figures.filter((f) => f.metric === metric);
    const mine = group.find((f) => f.who === ours);
    lines.push(`\n${metric}`);
    for (const f of group) {
      let ratio: number | null = null;
      let text = '';
      if (mine && f.who !== ours && mine.value > 0 && f.value > 0) {
        // Ratio > 1 means raspimon is better by that factor.
        ratio = f.lowerIsBetter ? f.value / mine.value : mine.value / f.value;
        text = `  raspimon ×${ratio.toFixed(2)} ${ratio >= 1 ? 'better' : 'worse'}`;
      }
      rows.push({ ...f, ratio });
      const settings = f.settings === undefined ? '' : `  [${f.settings}]`;
      lines.push(`  ${f.who.padEnd(28)} ${formatNumber(f.value).padStart(14)} ${f.unit}${text}${settings}`);
    }
  }
  console.log(lines.join('\n'));
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(
    path.join(resultsDir, `${name}.json`),
    JSON.stringify(
      {
        name,
        date: new Date().toISOString(),
        node: process.version,
        // Where it ran: docs/benchmarks.md prints it beside the figures (`npm run figures`).
        machine: {
          cores: availableParallelism(),
          cpu: cpus()[0]?.model ?? 'unknown',
          arch: process.arch,
          load: loadavg().map((l) => Math.round(l * 10) / 10),
        },
        rows,
      },
      null,
      2,
    ) + '\n',
  );
}

function formatNumber(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) >= 1000) return n.toLocaleString('en-US');
  if (Math.abs(n) >= 100) return n.toFixed(0);
  if (Math.abs(n) >= 1) return n.toFixed(2);
  return n.toPrecision(3);
}

/** Runs `fn` `count` times and returns the mean cost of one call in microseconds. */
export function microsPerCall(count: number, fn: (i: number) => void): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i++) fn(i);
  return Number(process.hrtime.bigint() - start) / 1000 / count;
}

/** Percentile (0..100) of an unsorted list of numbers. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? NaN;
}

/** Forces a GC (needs `node --expose-gc`) and returns heap used in bytes. */
export function heapUsedAfterGc(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    gc();
    gc();
  }
  return process.memoryUsage().heapUsed;
}
