// Issue 17 (HIGH 6 and LOW): `rules add` and `devices add` refuse durations the scheduler
// or the mail budget cannot honour, with the monitor's own validator, so a rule the CLI
// accepts can never stop the monitor. Real CLI (in-process and as a process), FerretDB.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addDevice, addRule, boilerConfig, CliWorld, seedFreezer } from './support.js';

let world: CliWorld;
beforeEach(async () => {
  world = new CliWorld();
  await seedFreezer(world.db, { keyId: 1, unit: 'mC' });
});
afterEach(async () => {
  await world.dispose();
});

/** Rule 1 "r" on the freezer's key 7, with `flags`. */
const ruleR = (...flags: string[]): string[] => addRule(1, 'r', 7, ...flags);

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
    const result = await world.run(ruleR(...flags));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain('nothing was written');
    expect(await world.db.collection('rules').countDocuments()).toBe(0);
  });

  it('the bounds themselves are accepted', async () => {
    const result = await world.run(ruleR('--above', '0', '--repeat', '60', '--no-data', '31622400'));
    expect(result.code).toBe(0);
    expect(await world.db.collection('rules').countDocuments()).toBe(1);
  });

  it('devices add --interval 1e300 is refused; a real process exits 1 for rules add --no-data 1e10', async () => {
    await world.expectExit(
      addDevice(5, 'boiler', 'file', boilerConfig, '--interval', '1e300'),
      1,
      'interval must be a number of seconds from 0.01 to 31622400 (366 days)',
    );
    expect(await world.db.collection('devices').countDocuments()).toBe(1);
    const proc = await world.spawn(ruleR('--no-data', '10000000000')).done;
    expect(proc.code).toBe(1);
    expect(proc.stderr).toContain('noDataSeconds must be a number of seconds from 1 to 31622400');
    expect(await world.db.collection('rules').countDocuments()).toBe(0);
  });
});
