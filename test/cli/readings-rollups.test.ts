// `raspimon readings chart`, `readings stats` and `rollups rebuild` against FerretDB.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CliWorld } from './support.js';

let world: CliWorld;
beforeEach(() => {
  world = new CliWorld();
});
afterEach(async () => {
  await world.dispose();
});

const hourMs = 3_600_000;

/** `raspimon readings <command>` of key 1 of `device` over the last 4 hours, then `flags`. */
function lastHours(command: string, device: string, ...flags: string[]): string[] {
  return ['readings', command, '--device', device, '--key', '1', '--hours', '4', ...flags];
}

/** The objects of JSON-lines output. */
const jsonLines = (stdout: string): unknown[] =>
  stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as unknown);

/** Raw readings of device 1 key 1: one every 5 min over the last 3 whole hours, value = minute index. */
async function seed(): Promise<{ fromMs: number; toMs: number; docs: Array<{ value: number; ts: Date }> }> {
  await world.db.collection('keys').insertOne({ keyId: 1, unit: 'mC', description: 'temperature' });
  await world.db.collection('devices').insertOne({ id: 1, name: 'boiler', driver: 'system', config: {} });
  const toMs = Math.floor(Date.now() / hourMs) * hourMs;
  const fromMs = toMs - 3 * hourMs;
  const docs = Array.from({ length: 36 }, (_, i) => ({
    id: 1,
    keyId: 1,
    value: (i * 37) % 101,
    ts: new Date(fromMs + i * 300_000),
  }));
  await world.db.collection('readings').insertMany(docs);
  return { fromMs, toMs, docs };
}

function expectedHours(docs: Array<{ value: number; ts: Date }>, fromMs: number) {
  return [0, 1, 2].map((h) => {
    const values = docs
      .filter((d) => Math.floor((d.ts.getTime() - fromMs) / hourMs) === h)
      .map((d) => d.value);
    return {
      start: new Date(fromMs + h * hourMs).toISOString(),
      count: values.length,
      min: Math.min(...values),
      max: Math.max(...values),
      avg: values.reduce((a, b) => a + b, 0) / values.length,
    };
  });
}

describe('rollups rebuild, readings stats, readings chart', () => {
  it('rebuild writes the hourly and daily buckets of the raw readings; stats then reads them (same figures as raw)', async () => {
    const { fromMs, toMs, docs } = await seed();
    const before = await world.run(lastHours('stats', 'boiler', '--json'));
    expect(before.code).toBe(0);
    const fromRaw = jsonLines(before.stdout);
    expect(fromRaw).toEqual(expectedHours(docs, fromMs));

    const rebuilt = await world.run([
      'rollups',
      'rebuild',
      '--from',
      new Date(fromMs).toISOString(),
      '--to',
      String(toMs / 1000),
    ]);
    expect(rebuilt.code).toBe(0);
    expect(rebuilt.stdout).toMatch(/: 36 reading\(s\) → 3 hourly and [12] daily bucket\(s\)\n$/);
    const hourly = await world.db.collection('readings_hourly').find({}).sort({ start: 1 }).toArray();
    expect(hourly.map((h) => h._id)).toEqual([0, 1, 2].map((h) => `1:1:${(fromMs + h * hourMs) / 1000}`));
    expect(hourly[0]).toMatchObject({ id: 1, keyId: 1, count: 12 });

    // Stats now come from the rollups; a reading added to raw afterwards is not in them.
    await world.db
      .collection('readings')
      .insertOne({ id: 1, keyId: 1, value: 1000, ts: new Date(fromMs + 1000) });
    const after = await world.run(lastHours('stats', '1', '--json'));
    expect(jsonLines(after.stdout)).toEqual(expectedHours(docs, fromMs));
    // A second rebuild replaces the buckets with the new recomputation (no duplicates).
    expect(
      (await world.run(['rollups', 'rebuild', '--from', String(fromMs / 1000), '--to', String(toMs / 1000)]))
        .code,
    ).toBe(0);
    const again = await world.db.collection('readings_hourly').find({}).sort({ start: 1 }).toArray();
    expect(again).toHaveLength(3);
    expect(again[0]).toMatchObject({ count: 13, max: 1000 });
  });

  it('chart draws one column per slice with the unit and the range; usage errors exit 2', async () => {
    await seed();
    const result = await world.run(lastHours('chart', 'boiler', '--width', '48', '--height', '4'));
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe('1 boiler, key 1: mean per 300 s');
    const rows = lines.slice(1, 5);
    expect(rows[0]).toMatch(/^\s*\d+ mC │/);
    for (const row of rows) expect(row.split('│')[1]).toHaveLength(48);
    // 36 readings, one per 5-min slice: 36 columns have a bar on the bottom row.
    expect([...rows[3]!.split('│')[1]!].filter((c) => c !== ' ').length).toBe(36);
    expect((await world.run(['readings', 'chart', '--key', '1'])).code).toBe(2);
    expect((await world.run(['rollups', 'rebuild', '--from', 'yesterday', '--to', '1'])).stderr).toContain(
      '--from must be an ISO 8601 time',
    );
  });
});
