// Issue 17 (HIGH 6 and LOW): `rules add` and `devices add` refuse durations the scheduler
// or the mail budget cannot honour, with the monitor's own validator, so a rule the CLI
// accepts can never stop the monitor. Real CLI (in-process and as a process), FerretDB.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CliWorld, boilerConfig } from './support.js';

let world: CliWorld;
beforeEach(async () => {
  world = new CliWorld();
  await world.db.collection('keys').insertMany([
    { keyId: 7, unit: 'mC' },
    { keyId: 1, unit: 'mC' },
  ]);
  await world.db.collection('devices').insertOne({
    id: 3,
    name: 'freezer',
    driver: 'file',
    config: { path: '/sys/bus/w1/devices/28-0000/temperature', keyId: 7 },
  });
});
afterEach(async () => {
  await world.dispose();
});

const addRule = (...flags: string[]): string[] => [
  'rules',
  'add',
  '--id',
  '1',
  '--name',
  'r',
  '--key',
  '7',
  ...flags,
];

describe('rule durations out of range are refused (exit 1, nothing written)', () => {
  it.each([
    [['--no-data', '10000000000'], 'noDataSeconds must be a number of seconds from 1 to 31622400'],
    [
      ['--above', '0', '--repeat', '9.007e9'],
      'repeatSeconds must be a number of seconds from 60 to 31622400',
    ],
    [['--above', '0', '--repeat', '0.001'], 'repeatSeconds must be a number of seconds from 60'],
    [['--no-data', '0.0001'], 'noDataSeconds must be a number of seconds from 1'],
    [['--above', '0', '--for', '1e12'], 'forSeconds must be a number of seconds from 0 to 31622400'],
  ])('rules add %j', async (flags, message) => {
    const result = await world.run(addRule(...flags));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain('nothing was written');
    expect(await world.db.collection('rules').countDocuments()).toBe(0);
  });

  it('the bounds themselves are accepted', async () => {
    const result = await world.run(addRule('--above', '0', '--repeat', '60', '--no-data', '31622400'));
    expect(result.code).toBe(0);
    expect(await world.db.collection('rules').countDocuments()).toBe(1);
  });

  it('devices add --interval 1e300 is refused; a real process exits 1 for rules add --no-data 1e10', async () => {
    const device = await world.run([
      'devices',
      'add',
      '--id',
      '5',
      '--name',
      'boiler',
      '--driver',
      'file',
      '--config',
      boilerConfig,
      '--interval',
      '1e300',
    ]);
    expect(device.code).toBe(1);
    expect(device.stderr).toContain('interval must be a number of seconds from 0.01 to 31622400 (366 days)');
    expect(await world.db.collection('devices').countDocuments()).toBe(1);
    const proc = await world.spawn(addRule('--no-data', '10000000000')).done;
    expect(proc.code).toBe(1);
    expect(proc.stderr).toContain('noDataSeconds must be a number of seconds from 1 to 31622400');
    expect(await world.db.collection('rules').countDocuments()).toBe(0);
  });
});
