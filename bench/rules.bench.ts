// What alert rules add to the hot path: the cost per reading of the monitor's intake
// (validation → writer queue → reading listeners) with 100 rules over 100 keys, against the
// same intake without rules, in the same run, alternating so machine noise hits both.
// Goal (issue 12): under 1 µs per reading added. Also the evaluator alone, and a worst
// case of 100 rules all on the key of every reading.
//
// The writer is the real ReadingsWriter with a batch size and flush time no reading
// reaches, so no database write runs inside the measured loop (the database is not the
// question here; bench/monitor-writer answers that).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as mongo from 'mongodb';
import type { DeviceSpec, KeySpec } from '../src/monitor/index.js';
import type { RuleSpec } from '../src/tools/index.js';
import { RuleEvaluator } from '../src/tools/index.js';
import { ReadingIntake, type ReadingListener } from '../src/monitor/intake/reading-intake.js';
import { ReadingsWriter } from '../src/monitor/storage/readings-writer.js';
import { Spool } from '../src/monitor/storage/spool.js';
import { ManualClock, Scheduler } from '../src/scheduler/index.js';
import { report, type Figure } from './lib/report.js';

const N = Number(process.env.RASPIMON_BENCH_READINGS ?? 50_000);
const ROUNDS = 15;
const KEYS = 100;
const silent = { debug() {}, info() {}, warning() {}, error() {}, alert() {} };

const clock = new ManualClock(new Date('2026-01-01T00:00:00Z'));
const scheduler = new Scheduler({ clock });
scheduler.start();
const dir = mkdtempSync(path.join(os.tmpdir(), 'raspimon-bench-rules-'));

const keys = new Map<number, KeySpec>(
  Array.from({ length: KEYS }, (_, k) => [k + 1, { keyId: k + 1, unit: 'n', description: '' }]),
);
const device: DeviceSpec = {
  id: 1,
  name: 'bench',
  description: '',
  vendorId: undefined,
  productId: undefined,
  driver: 'bench',
  config: {},
  intervalSeconds: 10,
  enabled: true,
  keyIds: [...keys.keys()],
};

function rule(id: number, keyId: number): RuleSpec {
  // Thresholds the values never cross, half with forSeconds and hysteresis, a third with
  // noDataSeconds: every reading walks the full check, none fires (the steady state).
  return {
    id,
    name: `rule ${id}`,
    keyId,
    deviceId: id % 2 === 0 ? 1 : undefined,
    above: 1e9,
    below: id % 3 === 0 ? -1e9 : undefined,
    noDataSeconds: id % 3 === 0 ? 600 : undefined,
    forSeconds: id % 2 === 0 ? 60 : 0,
    hysteresis: id % 2 === 0 ? 10 : 0,
    level: 'WARNING',
    repeatSeconds: undefined,
    enabled: true,
    message: undefined,
  };
}

function evaluator(rules: RuleSpec[]): RuleEvaluator {
  const e = new RuleEvaluator({ logger: silent, now: () => clock.now(), scheduler });
  e.setConfig(rules, [device], keys);
  return e;
}

const spreadRules = Array.from({ length: 100 }, (_, i) => rule(i + 1, (i % KEYS) + 1));
const sameKeyRules = Array.from({ length: 100 }, (_, i) => rule(i + 1, 1));

// Readings cycle over the 100 keys (or stay on key 1), 100 per emit as a busy driver sends them.
const batches = (sameKey: boolean): Array<Array<{ keyId: number; value: number }>> =>
  Array.from({ length: N / 100 }, (_, b) =>
    Array.from({ length: 100 }, (_, i) => ({ keyId: sameKey ? 1 : (i % KEYS) + 1, value: b * 100 + i })),
  );

async function intakeCost(listeners: ReadonlySet<ReadingListener>, sameKey: boolean): Promise<number> {
  const spool = await Spool.open(path.join(dir, `spool-${Math.random()}`));
  // Its own scheduler, stopped after the round: the pending flush job would keep the writer
  // (and every queued reading) alive, and the growing heap would slow the later rounds.
  const writerScheduler = new Scheduler({ clock });
  writerScheduler.start();
  const writer = new ReadingsWriter(
    mongo,
    () => new Promise<never>(() => undefined),
    spool,
    writerScheduler,
    silent,
    { batchSize: 10 * N, flushSeconds: 3600, memoryLimit: 10 * N, retryMinSeconds: 1, retryMaxSeconds: 10 },
  );
  const intake = new ReadingIntake(writer, silent, () => clock.now(), listeners);
  intake.useKeys(keys);
  const input = batches(sameKey);
  for (let i = 0; i < 50; i++) intake.accept(device, input[i]!); // warm-up
  const start = process.hrtime.bigint();
  for (const batch of input) intake.accept(device, batch);
  const ns = Number(process.hrtime.bigint() - start);
  await writerScheduler.stop();
  return ns / 1000 / N;
}

function evaluatorCost(e: RuleEvaluator, sameKey: boolean): number {
  const input = batches(sameKey);
  const ts = clock.now();
  const start = process.hrtime.bigint();
  for (const batch of input) for (const r of batch) e.onReading(1, r.keyId, r.value, ts);
  return Number(process.hrtime.bigint() - start) / 1000 / N;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const none: number[] = [];
const spread: number[] = [];
const same: number[] = [];
const alone: number[] = [];
try {
  const spreadEval = evaluator(spreadRules);
  const sameEval = evaluator(sameKeyRules);
  for (let round = 0; round < ROUNDS; round++) {
    none.push(await intakeCost(new Set(), false));
    spread.push(await intakeCost(new Set([(d, k, v, t) => spreadEval.onReading(d, k, v, t)]), false));
    same.push(await intakeCost(new Set([(d, k, v, t) => sameEval.onReading(d, k, v, t)]), true));
    alone.push(evaluatorCost(spreadEval, false));
    global.gc?.();
  }
  const figures: Figure[] = [
    {
      who: 'raspimon',
      metric: 'intake per reading, 100 rules over 100 keys',
      value: median(spread),
      unit: 'µs',
      lowerIsBetter: true,
    },
    {
      who: 'intake without rules',
      metric: 'intake per reading, 100 rules over 100 keys',
      value: median(none),
      unit: 'µs',
      lowerIsBetter: true,
    },
    {
      who: 'raspimon',
      metric: 'added by the rules per reading (goal < 1 µs)',
      value: median(spread) - median(none),
      unit: 'µs',
      lowerIsBetter: true,
    },
    {
      who: 'raspimon',
      metric: 'evaluator alone per reading (100 rules, 100 keys)',
      value: median(alone),
      unit: 'µs',
      lowerIsBetter: true,
    },
    {
      who: 'raspimon',
      metric: 'worst case: 100 rules on the key of every reading',
      value: median(same),
      unit: 'µs',
      lowerIsBetter: true,
    },
    {
      who: 'intake without rules',
      metric: 'worst case: 100 rules on the key of every reading',
      value: median(none),
      unit: 'µs',
      lowerIsBetter: true,
    },
  ];
  report('rules', figures);
  console.log(
    `\n(${N} readings per round, median of ${ROUNDS} rounds; rounds without rules: ${none.map((x) => x.toFixed(3)).join(', ')} µs; with: ${spread.map((x) => x.toFixed(3)).join(', ')} µs)`,
  );
  spreadEval.stop();
  sameEval.stop();
} finally {
  await scheduler.stop();
  rmSync(dir, { recursive: true, force: true });
}
