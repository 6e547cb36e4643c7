// `raspimon keys add --decimals` and `keys set`: a key's unit, description and decimals, and
// the stored history rescaled exactly (readings and rollups) only when asked; `rules add`
// takes thresholds as shown; `devices test` exits 1 for values the monitor would refuse.
import { writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rebuildRollups } from '../../src/monitor/index.js';
import { addDevice, addRule, CliWorld, tempFile } from './support.js';

let world: CliWorld;
beforeEach(() => {
  world = new CliWorld();
});
afterEach(async () => {
  await world.dispose();
});

const t0 = Date.UTC(2026, 0, 1);

async function seedHistory(): Promise<number[]> {
  expect((await world.run(['keys', 'add', '--key', '1', '--unit', 'C', '--decimals', '1'])).code).toBe(0);
  // Tenths of a degree, some negative, some beyond Int32 once scaled by 10^3.
  const values = Array.from({ length: 250 }, (_, i) => (i % 2 === 0 ? 1 : -1) * (i * 70 + 3));
  values.push(300_000_000);
  await world.db
    .collection('readings')
    .insertMany(values.map((value, i) => ({ id: 3, keyId: 1, value, ts: new Date(t0 + i * 600_000) })));
  await rebuildRollups(world.db, { from: new Date(t0), to: new Date(t0 + 3 * 86_400_000) });
  return values;
}

async function storedValues(): Promise<number[]> {
  const docs = await world.db.collection('readings').find({ keyId: 1 }).sort({ ts: 1 }).toArray();
  return docs.map((d) => Number(d.value));
}

async function rollupRows(
  name: string,
): Promise<Array<{ sum: number; min: number; max: number; count: number }>> {
  const docs = await world.db.collection(name).find({ keyId: 1 }).sort({ start: 1 }).toArray();
  return docs.map((d) => ({
    sum: Number(d.sum),
    min: Number(d.min),
    max: Number(d.max),
    count: Number(d.count),
  }));
}

describe('keys set', () => {
  it('changes unit and description; refuses new decimals on a key with readings without --rescale, and rescales readings and rollups exactly with it', async () => {
    const values = await seedHistory();
    const hourlyBefore = await rollupRows('readings_hourly');
    const dailyBefore = await rollupRows('readings_daily');
    expect(hourlyBefore.length).toBeGreaterThan(40);

    const renamed = await world.run(['keys', 'set', '1', '--unit', '°C', '--description', 'boiler']);
    expect(renamed.code).toBe(0);
    expect(renamed.stdout).toContain('changed key 1 (°C, 1 decimals)');

    await world.expectExit(
      ['keys', 'set', '1', '--decimals', '3'],
      1,
      /key 1 has readings stored with 1 decimals.*--rescale/,
    );
    expect(await storedValues()).toEqual(values);
    expect(await world.db.collection('keys').findOne({ keyId: 1 }, { projection: { _id: 0 } })).toEqual({
      keyId: 1,
      unit: '°C',
      decimals: 1,
      description: 'boiler',
    });

    await world.expectExit(
      ['keys', 'set', '1', '--decimals', '10', '--rescale'],
      1,
      /decimals must be an integer 0\.\.9/,
    );

    let progress = '';
    const rescaled = await world.run(['keys', 'set', '1', '--decimals', '3', '--rescale', '--batch', '100'], {
      stderr: { write: (text: string) => (progress += text) },
    });
    expect(rescaled.code).toBe(0);
    expect(rescaled.stdout).toContain(`rescaled ${values.length} reading(s)`);
    expect(progress).toContain(`rescaling key 1: 100/${values.length} readings`);
    expect(progress).toContain(`rescaling key 1: 200/${values.length} readings`);
    expect(progress).toContain(`rescaling key 1: ${values.length}/${values.length} readings`);
    expect(await storedValues()).toEqual(values.map((v) => v * 100));
    // Beyond Int32 the value is an Int64, never a double.
    const big = await world.db
      .collection('readings')
      .aggregate([
        { $match: { keyId: 1, value: 30_000_000_000 } },
        { $project: { _id: 0, t: { $type: '$value' } } },
      ])
      .toArray();
    expect(big).toEqual([{ t: 'long' }]);
    expect(await rollupRows('readings_hourly')).toEqual(
      hourlyBefore.map((r) => ({ count: r.count, sum: r.sum * 100, min: r.min * 100, max: r.max * 100 })),
    );
    expect(await rollupRows('readings_daily')).toEqual(
      dailyBefore.map((r) => ({ count: r.count, sum: r.sum * 100, min: r.min * 100, max: r.max * 100 })),
    );
    const list = await world.run(['keys', 'list']);
    expect(list.stdout).toMatch(/\n\s+1\s+°C\s+3\s+boiler\n/);
  });

  it('fewer decimals: each reading is rounded on its own and the rollups are rebuilt from them', async () => {
    expect((await world.run(['keys', 'add', '--key', '1', '--unit', 'hPa', '--decimals', '2'])).code).toBe(0);
    const values = [101325, -101375, 99949, 99950, 5, -5, 0, 123456];
    await world.db
      .collection('readings')
      .insertMany(values.map((value, i) => ({ id: 3, keyId: 1, value, ts: new Date(t0 + i * 600_000) })));
    await rebuildRollups(world.db, { from: new Date(t0), to: new Date(t0 + 86_400_000) });
    const result = await world.run(['keys', 'set', '1', '--decimals', '0', '--rescale']);
    expect(result.code).toBe(0);
    expect(await storedValues()).toEqual([1013, -1014, 999, 1000, 0, 0, 0, 1235]);
    const rows = await rollupRows('readings_hourly');
    expect(rows.reduce((n, r) => n + r.sum, 0)).toBe(1013 - 1014 + 999 + 1000 + 1235);
    expect(rows.reduce((n, r) => n + r.count, 0)).toBe(values.length);
  });

  it('a key without readings takes new decimals without --rescale; an unknown key is not found', async () => {
    expect((await world.run(['keys', 'add', '--key', '2', '--unit', 'hPa'])).code).toBe(0);
    const set = await world.run(['keys', 'set', '2', '--decimals', '2']);
    expect(set.code).toBe(0);
    expect(set.stdout).toContain('changed key 2 (hPa, 2 decimals)');
    await world.expectExit(['keys', 'set', '9', '--unit', 'V'], 1, 'no key 9');
  });
});

describe('thresholds and devices test with decimals', () => {
  it('rules add --above 21.5 on a 1-decimal key stores 215 and says so', async () => {
    expect((await world.run(['keys', 'add', '--key', '1', '--unit', '°C', '--decimals', '1'])).code).toBe(0);
    const added = await world.run(addRule(1, 'warm', 1, '--above', '21.5'));
    expect(added.code).toBe(0);
    expect(added.stdout).toContain(
      'added rule 1 "warm" (key 1, > 21.5 °C); key 1 keeps 1 decimal(s): above 21.5 °C stored as 215',
    );
    expect(await world.db.collection('rules').findOne({ id: 1 })).toMatchObject({ above: 215 });
  });

  it('devices test shows read, stored and shown values and exits 1 when a value would be refused', async () => {
    expect((await world.run(['keys', 'add', '--key', '1', '--unit', '°C', '--decimals', '1'])).code).toBe(0);
    const sensor = tempFile('temperature', '-18562\n');
    const config = JSON.stringify({ path: sensor, keyId: 1, scale: 0.001 });
    expect((await world.run(addDevice(3, 'freezer', 'file', config))).code).toBe(0);
    const good = await world.run(['devices', 'test', 'freezer']);
    expect(good.code).toBe(0);
    expect(good.stdout).toMatch(/\n\s+1\s+-18\.562\s+-186\s+-18\.6 °C\s+\S+Z\s+yes\n$/);
    writeFileSync(sensor, '1e300\n');
    const refused = await world.run(['devices', 'test', 'freezer']);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/no: round\(1e\+297 × 10\^1\) is not a safe integer/);
    expect(refused.stderr).toContain('the monitor would refuse 1 of 1 reading(s)');
    expect(await world.db.collection('readings').countDocuments()).toBe(0);
  });
});
