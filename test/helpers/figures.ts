import { appendFileSync, mkdirSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');

/** Where each test run leaves the figures its fault tests measured (one JSON line each). */
export const figuresDir = path.join(root, '.tmp', 'figures');

/** One measured figure that the docs quote (docs/reliability.md is generated from these). */
export interface Figure {
  /** Stable id the docs refer to, e.g. `journal.damaged-byte.kept`. */
  id: string;
  /** What was measured, as a reader would say it. */
  label: string;
  value: number;
  /** Unit of `value`, e.g. `records`, `B`, `ms`, `%`. */
  unit: string;
  /** The bound the test asserts on it, as text (e.g. `= 100`, `≤ 131072`). */
  bound?: string;
}

/**
 * Records a figure measured by the calling test, with the test's file and name, into
 * `.tmp/figures/<test file>.jsonl`. `npm run figures` turns these into docs/reliability.md.
 * Record the value the test asserts on, right beside the assertion.
 */
export function recordFigure(figure: Figure): void {
  const state = expect.getState();
  const testFile = path.relative(root, state.testPath ?? 'unknown');
  mkdirSync(figuresDir, { recursive: true });
  // The variant of the run (e.g. RASPIMON_FAULT_FULL=1): part of the command that reruns it.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => name.startsWith('RASPIMON_FAULT_')),
  );
  const line = JSON.stringify({
    ...figure,
    test: state.currentTestName ?? '',
    file: testFile,
    env,
    at: new Date().toISOString(),
    machine: {
      cores: availableParallelism(),
      load: loadavg().map((l) => Math.round(l * 10) / 10),
      node: process.version,
    },
  });
  appendFileSync(path.join(figuresDir, `${path.basename(testFile, '.ts')}.jsonl`), `${line}\n`);
}
