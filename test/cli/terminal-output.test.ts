// Issue 17 (LOW): names and descriptions are anyone's input. `keys list`, `devices list`
// and `fleet` print control characters escaped (a raw ESC sets the terminal's title or
// clears the screen) and cut very long names, so one 120 kB name does not pad every row.
// The real CLI against FerretDB.
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { recordFigure } from '../helpers/figures.js';
import { CliWorld } from './support.js';

const hostile = 'boiler\u001b]0;pwned\u0007\u001b[2J\u009b31m\u202eevil';
// eslint-disable-next-line no-control-regex
const raw = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/;

let world: CliWorld;
const prefix = `raspimon_to${randomUUID().slice(0, 6)}_`;
beforeEach(() => {
  world = new CliWorld();
});
afterEach(async () => {
  for (const name of ['a', 'b']) await world.db.client.db(`${prefix}${name}`).dropDatabase();
  await world.dispose();
});

describe('terminal output of names and descriptions', () => {
  it('keys list and devices list escape control characters instead of printing them raw', async () => {
    await world.db.collection('keys').insertOne({ keyId: 1, unit: 'mC', description: hostile });
    await world.db.collection('devices').insertOne({
      id: 3,
      name: hostile,
      driver: 'file',
      config: { path: '/sys/bus/w1/devices/28-0000/temperature', keyId: 1 },
    });
    for (const argv of [
      ['keys', 'list'],
      ['devices', 'list'],
    ]) {
      const result = await world.run(argv);
      expect(result.code, argv.join(' ')).toBe(0);
      expect(result.stdout, argv.join(' ')).not.toMatch(raw);
      expect(result.stdout, argv.join(' ')).toContain(
        'boiler\\u001b]0;pwned\\u0007\\u001b[2J\\u009b31m\\u202eevil',
      );
    }
  });

  it('fleet: a 120 kB device name is cut, other rows are not padded to it, escapes are shown', async () => {
    const now = Date.now();
    const a = world.db.client.db(`${prefix}a`);
    await a.collection('devices').insertMany([
      { id: 1, name: 'x'.repeat(120_000) },
      { id: 2, name: hostile },
    ]);
    await a.collection('readings').insertOne({ id: 1, keyId: 1, value: 1, ts: new Date(now - 60_000) });
    const b = world.db.client.db(`${prefix}b`);
    await b.collection('devices').insertOne({ id: 1, name: 'pump' });
    await b.collection('readings').insertOne({ id: 1, keyId: 1, value: 1, ts: new Date(now - 30_000) });
    const result = await world.run(['fleet', '--prefix', prefix], { now: () => now });
    expect(result.code).toBe(0);
    expect(result.stdout).not.toMatch(raw);
    const rows = result.stdout.trimEnd().split('\n');
    expect(rows).toHaveLength(3);
    const longest = Math.max(...rows.map((r) => r.length));
    recordFigure({
      id: 'cli.fleet.longest-row-120kb-name',
      label: '`fleet` row width with one 120 kB device name',
      value: longest,
      unit: 'characters',
      bound: '< 200',
    });
    expect(longest).toBeLessThan(200);
    expect(rows[1]).toContain('…');
    expect(rows[2]).toMatch(new RegExp(`^${prefix}b\\s+1 pump\\s+\\S+Z\\s+30 s$`));
    expect(result.stdout.length).toBeLessThan(1000);
  });
});

describe('everything the CLI prints', () => {
  it('check prints the C1 controls of a name escaped (every line the CLI prints goes through one filter); devices list --json parses to the same name', async () => {
    await world.db.collection('keys').insertOne({ keyId: 1, unit: 'mC', description: 'probe' });
    await world.db.collection('devices').insertOne({ id: 3, name: hostile, driver: 'nope', config: {} });
    const check = await world.run(['check']);
    expect(check.code).toBe(1);
    expect(`${check.stdout}${check.stderr}`).not.toMatch(raw);
    expect(check.stdout).toContain('\\u009b31m');
    const json = await world.run(['devices', 'list', '--json']);
    expect(json.stdout).not.toMatch(raw);
    expect((JSON.parse(json.stdout) as { name: string }[])[0]!.name).toBe(hostile);
  });
});
