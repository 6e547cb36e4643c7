// The raspimon CLI's commands, run in-process (runCli) against FerretDB: what they print,
// their exit status, and what ends up in the database.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import {
  addBoiler,
  addDevice,
  boilerConfig,
  CliWorld,
  root,
  runCaptured,
  tempFile,
  type CliResult,
} from './support.js';

/** runCli without a database or namespace: for what must not need either. */
function runCliCapture(argv: string[]): Promise<CliResult> {
  return runCaptured(argv, { cwd: '.', defaultNamespace: () => expect.fail('no namespace needed') });
}

let world: CliWorld;
beforeEach(() => {
  world = new CliWorld();
});
afterEach(async () => {
  await world.dispose();
});

async function withKey(keyId = 1, unit = 'mC'): Promise<void> {
  expect((await world.run(['keys', 'add', '--key', String(keyId), '--unit', unit])).code).toBe(0);
}

async function deviceDocs(): Promise<Record<string, unknown>[]> {
  return world.db
    .collection('devices')
    .find({}, { projection: { _id: 0 } })
    .sort({ id: 1 })
    .toArray();
}

describe('devices add', () => {
  it('stores the document the monitor reads, with the config as an object', async () => {
    await withKey();
    const result = await world.run([...addBoiler, '--description', '1-Wire probe']);
    expect(result).toMatchObject({ code: 0, stdout: 'added device 3 "boiler" (driver file, every 10 s)\n' });
    expect(await deviceDocs()).toEqual([
      {
        id: 3,
        name: 'boiler',
        driver: 'file',
        description: '1-Wire probe',
        config: { path: '/sys/bus/w1/devices/28-0000/temperature', keyId: 1 },
        interval: 10,
      },
    ]);
  });

  it('reads --config @file (relative to the working directory) and Python-literal dicts', async () => {
    await withKey();
    expect((await world.run(addDevice(1, 'a', 'file', '@boiler.json'))).code).toBe(0);
    const python = "{'path': '/tmp/t', 'keyId': 1, 'scale': 1}";
    expect((await world.run(addDevice(2, 'b', 'file', python, '--disabled'))).code).toBe(0);
    const docs = await deviceDocs();
    expect(docs.map((d) => d.config)).toEqual([
      { path: '/sys/bus/w1/devices/28-0000/temperature', keyId: 1 },
      { path: '/tmp/t', keyId: 1, scale: 1 },
    ]);
    expect(docs[1]!.enabled).toBe(false);
  });

  it.each([
    [
      'an unknown driver',
      ['--driver', 'thermo'],
      /driver unknown driver "thermo"; known: file, modbus, mqtt, serial-line, system/,
    ],
    ['a config the driver rejects', ['--config', '{"keyId":1}'], /device 3 "boiler": config\.path /],
    [
      'a keyId missing from keys',
      ['--config', '{"path":"/x","keyId":9}'],
      /refers to keyId 9, which is not in the keys collection/,
    ],
    ['a config that is not an object', ['--config', "__import__('os')"], /--config is not a JSON object/],
    ['an interval below the minimum', ['--interval', '0'], /interval must be a number of seconds/],
    [
      'a vendor id that is not 4 hex digits',
      ['--vendor-id', 'FTDI'],
      /vendorId must be 4 hex digits as dmesg shows them/,
    ],
  ])('refuses %s with exit status 1 and writes nothing', async (_what, flags, message) => {
    await withKey();
    const base = addDevice(3, 'boiler', 'file', boilerConfig);
    const argv = [...base];
    for (let i = 0; i < flags.length; i += 2) {
      const at = argv.indexOf(flags[i]!);
      if (at >= 0) argv[at + 1] = flags[i + 1]!;
      else argv.push(flags[i]!, flags[i + 1]!);
    }
    const result = await world.expectExit(argv, 1, /refused to add device 3 "boiler": .*nothing was written/);
    expect(result.stderr).toMatch(message);
    expect(await deviceDocs()).toEqual([]);
  });

  it('refuses an id or a name that is taken, naming the holder', async () => {
    await withKey();
    await world.run(addBoiler);
    await world.expectExit(
      addDevice(3, 'other', 'file', boilerConfig),
      1,
      'id 3 is taken by device 3 "boiler"; choose another --id',
    );
    await world.expectExit(
      addDevice(4, 'boiler', 'file', boilerConfig),
      1,
      'name "boiler" is taken by device 3 "boiler"; choose another --name',
    );
    expect((await deviceDocs()).map((d) => d.id)).toEqual([3]);
  });

  it('validates custom drivers loaded with --drivers as the monitor would', async () => {
    await withKey();
    const argv = addDevice(5, 'pulses', 'counter', '{"keyId":1}');
    await world.expectExit(argv, 1, 'pass --drivers <module>');
    await world.expectExit(
      [...argv.slice(0, -1), '{"keyId":"one"}', '--drivers', './drivers.ts'],
      1,
      'config.keyId must be a number',
    );
    expect((await world.run([...argv, '--drivers', './drivers.ts'])).code).toBe(0);
    expect((await deviceDocs()).map((d) => d.driver)).toEqual(['counter']);
  });

  it('--dry-run validates and writes nothing', async () => {
    await withKey();
    const result = await world.run([...addBoiler, '--dry-run']);
    expect(result).toMatchObject({ code: 0, stdout: expect.stringContaining('is valid') as string });
    expect(await deviceDocs()).toEqual([]);
  });
});

describe('devices list and remove', () => {
  it('lists every device with the status the monitor gives it, as a table and as JSON', async () => {
    await withKey();
    await world.run(addBoiler);
    await world.db.collection('devices').insertMany([
      { id: 7, name: 'ghost', driver: 'nope', config: {} },
      { id: 8, name: 'spare', driver: 'file', config: { path: '/x', keyId: 1 }, enabled: false },
      { id: 'nine', name: 'spare', driver: 'file', config: { path: '/y', keyId: 1 } },
    ]);
    const table = await world.run(['devices', 'list']);
    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^\s*ID\s+NAME\s+DRIVER\s+INTERVAL\s+STATUS$/);
    expect(lines[1]).toMatch(/^\s*3\s+boiler\s+file\s+10 s\s+ok$/);
    expect(lines[2]).toMatch(/^\s*7\s+ghost\s+nope\s+default\s+invalid: driver unknown driver "nope"/);
    expect(lines[3]).toMatch(/^\s*8\s+spare\s+file\s+default\s+invalid: name "spare" is shared by 2 devices/);
    expect(lines[4]).toMatch(
      /^\s*nine\s+spare\s+file\s+default\s+invalid: id must be a non-negative integer, got "nine"/,
    );

    const json = await world.run(['devices', 'list', '--json']);
    const docs = JSON.parse(json.stdout) as Array<{ id: number | string; problems: string[] }>;
    expect(docs.map((d) => [d.id, d.problems.length])).toEqual([
      [3, 0],
      [7, 1],
      [8, 1],
      ['nine', 2],
    ]);
  });

  it('says so when there are no devices', async () => {
    await withKey();
    expect((await world.run(['devices', 'list'])).stdout).toBe(`no devices in ${world.namespace}\n`);
  });

  it('removes a device by id or by name; an unknown one is exit status 1 listing the others', async () => {
    await withKey();
    await world.run(addBoiler);
    await world.run(addDevice(4, 'attic', 'file', boilerConfig));
    const missing = await world.expectExit(['devices', 'remove', 'cellar'], 1, 'no device named "cellar"');
    expect(missing.stderr).toContain('devices: 3 "boiler", 4 "attic"');
    expect((await world.run(['devices', 'remove', 'boiler'])).stdout).toContain('removed device 3 "boiler"');
    expect((await world.run(['devices', 'remove', '4'])).code).toBe(0);
    expect(await deviceDocs()).toEqual([]);
  });
});

describe('keys', () => {
  it('adds, lists (table and JSON) and refuses a taken keyId', async () => {
    await withKey(1, 'mC');
    expect(
      (await world.run(['keys', 'add', '--key', '2', '--unit', '%', '--description', 'humidity'])).code,
    ).toBe(0);
    await world.expectExit(['keys', 'add', '--key', '2', '--unit', 'Pa'], 1, 'keyId 2 is taken (unit "%")');
    expect((await world.run(['keys', 'list'])).stdout).toMatch(
      /^KEY\s+UNIT\s+DECIMALS\s+DESCRIPTION\n\s+1\s+mC\s+0\n\s+2\s+%\s+0\s+humidity\n$/,
    );
    expect(JSON.parse((await world.run(['keys', 'list', '--json'])).stdout)).toEqual([
      { keyId: 1, unit: 'mC' },
      { keyId: 2, unit: '%', description: 'humidity' },
    ]);
  });

  it('refuses to remove a key a device refers to, and removes it once the device is gone', async () => {
    await withKey();
    await world.run(addBoiler);
    const refused = await world.expectExit(
      ['keys', 'remove', '1'],
      1,
      'refused to remove key 1: devices still refer to it',
    );
    expect(refused.stderr).toContain('device 3 "boiler": config refers to keyId 1');
    expect(await world.db.collection('keys').countDocuments()).toBe(1);
    await world.run(['devices', 'remove', '3']);
    expect((await world.run(['keys', 'remove', '1'])).code).toBe(0);
    expect(await world.db.collection('keys').countDocuments()).toBe(0);
    expect((await world.run(['keys', 'remove', '1'])).stderr).toContain('no key 1');
  });
});

describe('readings tail', () => {
  beforeEach(async () => {
    await withKey(1, 'mC');
    await withKey(2, '%');
    await world.run(addBoiler);
    const t0 = Date.UTC(2026, 0, 1);
    await world.db.collection('readings').insertMany(
      Array.from({ length: 30 }, (_, i) => ({
        id: i % 2 === 0 ? 3 : 9,
        keyId: i % 2 === 0 ? 1 : 2,
        value: i,
        ts: new Date(t0 + i * 1000),
      })),
    );
  });

  it('prints the latest N readings oldest first, with device name and unit', async () => {
    const result = await world.run(['readings', 'tail', '-n', '3']);
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^2026-01-01T00:00:27\.000Z\s+9\s+key 2\s+27 %$/);
    expect(lines[1]).toMatch(/^2026-01-01T00:00:28\.000Z\s+3 boiler\s+key 1\s+28 mC$/);
    expect(lines[2]).toMatch(/^2026-01-01T00:00:29\.000Z\s+9\s+key 2\s+29 %$/);
  });

  it('filters by device name and key, and prints JSON lines', async () => {
    const result = await world.run([
      'readings',
      'tail',
      '--device',
      'boiler',
      '--key',
      '1',
      '-n',
      '2',
      '--json',
    ]);
    const rows = result.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows).toEqual([
      {
        ts: '2026-01-01T00:00:26.000Z',
        id: 3,
        device: 'boiler',
        keyId: 1,
        value: 26,
        raw: 26,
        unit: 'mC',
        text: '26 mC',
      },
      {
        ts: '2026-01-01T00:00:28.000Z',
        id: 3,
        device: 'boiler',
        keyId: 1,
        value: 28,
        raw: 28,
        unit: 'mC',
        text: '28 mC',
      },
    ]);
    expect((await world.run(['readings', 'tail', '--device', 'cellar'])).code).toBe(1);
  });

  it('--follow prints readings written after it started and ends when aborted', async () => {
    const controller = new AbortController();
    let printed = '';
    const running = world.run(['readings', 'tail', '-n', '1', '--follow', '--poll', '0.05', '--key', '1'], {
      signal: controller.signal,
      stdout: { write: (text: string) => (printed += text) },
    });
    await expect.poll(() => printed).toContain(' 28 mC');
    await world.db.collection('readings').insertMany([
      { id: 3, keyId: 1, value: 100, ts: new Date(Date.UTC(2026, 0, 2)) },
      { id: 3, keyId: 2, value: 101, ts: new Date(Date.UTC(2026, 0, 2)) },
      { id: 3, keyId: 1, value: 102, ts: new Date(Date.UTC(2026, 0, 2)) },
    ]);
    await expect.poll(() => printed).toContain(' 102 mC');
    controller.abort();
    expect((await running).code).toBe(0);
    expect(printed.match(/ mC/g)).toHaveLength(3);
    expect(printed).not.toContain('101');
  });
});

describe('check', () => {
  it('refuses a namespace with no devices collection (a typo) with exit status 1, naming it and the databases there', async () => {
    await withKey();
    await world.run(addBoiler);
    const typo = `${world.namespace}x`;
    const result = await world.run(['check', '--namespace', typo]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      new RegExp(
        `^raspimon: namespace ${typo} has no devices collection on mongodb://.*databases there: .*${world.namespace}`,
      ),
    );
    expect(result.stderr).not.toContain('no problems found');
    // devices list and keys list refuse it too; adding creates the namespace.
    expect((await world.run(['devices', 'list', '--namespace', typo])).code).toBe(1);
    expect((await world.run(['keys', 'list', '--namespace', typo])).code).toBe(1);
  });

  it('says which namespace it uses when --namespace is not given', async () => {
    await withKey();
    await world.run(addBoiler);
    let stderr = '';
    const code = await runCli(['check'], {
      stdout: { write: () => true },
      stderr: { write: (text: string) => (stderr += text) },
      env: { MONGODB_URI: world.uri },
      cwd: '.',
      defaultNamespace: () => world.namespace,
    });
    expect(code).toBe(0);
    expect(stderr).toBe(
      `raspimon: namespace ${world.namespace} (this machine's wired MAC); pass --namespace <db> for another device\n`,
    );
  });

  it('reports a clean configuration with exit status 0', async () => {
    await withKey();
    await world.run(addBoiler);
    await world.db.collection('readings').insertOne({ id: 3, keyId: 1, value: 1, ts: new Date() });
    const result = await world.run(['check']);
    expect(result).toMatchObject({
      code: 0,
      stdout: `${world.namespace}: 1 valid device(s), 1 key(s), 1 reading(s)\nno problems found\n`,
    });
  });

  it('lists configuration problems and orphan readings with exit status 1, also as JSON', async () => {
    await withKey();
    await world.db.collection('devices').insertMany([
      { id: 3, name: 'boiler', driver: 'file', config: { path: '/x', keyId: 1 } },
      { id: 4, name: 'boiler', driver: 'file', config: { path: '/y', keyId: 1 } },
    ]);
    await world.db.collection('readings').insertMany([
      { id: 9, keyId: 1, value: 1, ts: new Date() },
      { id: 9, keyId: 1, value: 2, ts: new Date() },
    ]);
    const result = await world.run(['check']);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('configuration problems (2):');
    expect(result.stdout).toContain('names must be unique');
    expect(result.stdout).toContain('device 9, key 1: 2 reading(s), unknown device');
    const report = JSON.parse((await world.run(['check', '--json'])).stdout) as {
      problems: unknown[];
      orphanReadings: unknown[];
    };
    expect(report.problems).toHaveLength(2);
    expect(report.orphanReadings).toEqual([{ id: 9, keyId: 1, count: 2, reason: 'unknown device' }]);
  });
});

describe('--reload', () => {
  it('refuses a missing, malformed or stale pidfile before writing anything', async () => {
    await withKey();
    const dir = mkdtempSync(path.join(tmpdir(), 'raspimon-cli-'));
    const garbage = path.join(dir, 'garbage.pid');
    writeFileSync(garbage, 'not a pid\n');
    const stale = path.join(dir, 'stale.pid');
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
      encoding: 'utf8',
    });
    writeFileSync(stale, gone.stdout);
    const cases: Array<[string, RegExp]> = [
      [path.join(dir, 'missing.pid'), /missing\.pid does not exist; is the monitor running/],
      [garbage, /does not hold a process id/],
      [stale, new RegExp(`stale: no process ${gone.stdout} is running`)],
    ];
    for (const [pidfile, message] of cases) {
      const result = await world.run([...addBoiler, '--reload', pidfile]);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(message);
    }
    expect(await deviceDocs()).toEqual([]);
  });
});

describe('command line', () => {
  it.each([
    [[], /missing command/],
    [['device', 'list'], /unknown command "device"/],
    [['devices'], /missing devices command/],
    [['devices', 'rename'], /unknown command "devices rename"/],
    [['devices', 'list', '--bogus'], /unknown flag --bogus/],
    [['devices', 'add', '--name', 'x', '--driver', 'file'], /missing --id/],
    [
      ['devices', 'add', '--id', 'three', '--name', 'x', '--driver', 'file'],
      /--id must be an integer, got "three"/,
    ],
    [['devices', 'add', '--id'], /--id needs a value/],
    [['devices', 'list', 'extra'], /unexpected argument "extra"/],
    [['devices', 'remove'], /missing <id\|name>/],
    [['keys', 'remove', 'one'], /<keyId> must be a non-negative integer/],
    [['readings', 'tail', '-n', 'x'], /--lines must be an integer/],
    [['devices', 'list', '--timeout', '0'], /--timeout must be a positive number/],
    [['devices', 'list', '--namespace', 'a.b'], /--namespace must be a MongoDB database name/],
    [
      ['devices', 'add', '--id', '1', '--name', 'x', '--driver', 'file', '--config', '@nowhere.json'],
      /cannot read --config @nowhere\.json \(ENOENT/,
    ],
    [['devices', 'list', '--drivers', './nowhere.js'], /--drivers "\.\/nowhere\.js" cannot be loaded/],
    [['devices', 'list', '--drivers', './boiler.json'], /has no export named "drivers"/],
  ])('%j is a usage error: exit status 2, one line, then where the help is', async (argv, message) => {
    await withKey();
    const result = await world.run(argv);
    expect(result.code).toBe(2);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(message);
    expect(lines[1]).toMatch(/^try 'raspimon( [a-z]+)* --help'$/);
    expect(result.stdout).toBe('');
  });

  it.each([
    [['devices', 'add', '--id'], "try 'raspimon devices add --help'"],
    [['devices'], "try 'raspimon devices --help'"],
    [['nonsense'], "try 'raspimon --help'"],
  ])('%j names the help of the command concerned', async (argv, hint) => {
    expect((await world.run(argv)).stderr).toContain(hint);
  });

  it('says when a flag took the command word as its value', async () => {
    const result = await runCliCapture(['--namespace', 'check']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'raspimon: missing command ("check" was taken as the value of --namespace; give --namespace a value)\n' +
        "try 'raspimon --help'\n",
    );
  });

  it('prints its version with --version and -V, without touching the database', async () => {
    const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
      version: string;
    };
    for (const argv of [['--version'], ['-V'], ['devices', 'list', '--version']]) {
      expect(await runCliCapture(argv)).toEqual({ code: 0, stdout: `raspimon ${version}\n`, stderr: '' });
    }
  });

  it('`help <command>` prints the same usage as `<command> --help`; an unknown one is a usage error', async () => {
    for (const words of [[], ['devices'], ['devices', 'add'], ['check'], ['init'], ['status']]) {
      const viaHelp = await runCliCapture(['help', ...words]);
      const viaFlag = await runCliCapture([...words, '--help']);
      expect(viaHelp.code).toBe(0);
      expect(viaHelp.stdout).toBe(viaFlag.stdout);
      expect(viaHelp.stdout).toMatch(/^Usage: raspimon/);
    }
    const unknown = await runCliCapture(['help', 'frobnicate']);
    expect(unknown).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('unknown command "frobnicate"'),
    });
  });

  it.each([
    [[], 'Usage: raspimon <command>'],
    [['devices'], 'Usage: raspimon devices <list|add|set|test|remove>'],
    [['devices', 'list'], 'Usage: raspimon devices list'],
    [['devices', 'add'], 'Usage: raspimon devices add --id'],
    [['devices', 'remove'], 'Usage: raspimon devices remove <id|name>'],
    [['keys'], 'Usage: raspimon keys <list|add|set|remove>'],
    [['keys', 'set'], 'Usage: raspimon keys set <keyId>'],
    [['keys', 'list'], 'Usage: raspimon keys list'],
    [['keys', 'add'], 'Usage: raspimon keys add --key'],
    [['keys', 'remove'], 'Usage: raspimon keys remove <keyId>'],
    [['readings'], 'Usage: raspimon readings <tail|chart|stats>'],
    [['readings', 'tail'], 'Usage: raspimon readings tail [-n'],
    [['readings', 'chart'], 'Usage: raspimon readings chart --device'],
    [['readings', 'stats'], 'Usage: raspimon readings stats --device'],
    [['rollups'], 'Usage: raspimon rollups rebuild'],
    [['rollups', 'rebuild'], 'Usage: raspimon rollups rebuild --from'],
    [['check'], 'Usage: raspimon check'],
  ])('%j --help prints its usage and exits 0 without touching the database', async (argv, heading) => {
    const result = await world.run([...argv, '--help'], {
      stderr: { write: () => expect.fail('nothing on stderr') },
    });
    expect(result.code).toBe(0);
    expect(result.stdout.startsWith(heading)).toBe(true);
    expect(result.stdout).toContain('--namespace <db>');
  });

  it('says which server it cannot reach, within --timeout, with exit status 1', async () => {
    let stderr = '';
    const { runCli } = await import('../../src/cli/main.js');
    const code = await runCli(
      ['keys', 'list', '--uri', 'mongodb://user:secret@127.0.0.1:9/', '--namespace', 'x', '--timeout', '0.2'],
      {
        stdout: { write: () => expect.fail('nothing on stdout') },
        stderr: { write: (text: string) => (stderr += text) },
        env: {},
        cwd: '.',
      },
    );
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /^raspimon: cannot reach MongoDB at mongodb:\/\/user:\*\*\*\*@127\.0\.0\.1:9\/ within 0\.2 s .*pass --uri or set MONGODB_URI\n$/,
    );
  });

  it('leaves no connection open once it has returned', async () => {
    const sockets = (): number =>
      process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;
    expect((await world.run(['keys', 'add', '--key', '1', '--unit', 'mC'])).code).toBe(0);
    expect((await world.run(['devices', 'list'])).code).toBe(0);
    // This test opens no client of its own; closed sockets leave the list once their
    // close callbacks have run (including those of the previous test's client).
    await expect.poll(sockets).toBe(0);
  });

  it('uses $MONGODB_URI and the injected default namespace when no flags are given', async () => {
    await withKey(5, 'V');
    const { runCli } = await import('../../src/cli/main.js');
    let stdout = '';
    const code = await runCli(['keys', 'list', '--json'], {
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: () => undefined },
      env: { MONGODB_URI: world.uri },
      cwd: '.',
      defaultNamespace: () => world.namespace,
    });
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual([{ keyId: 5, unit: 'V' }]);
  });
});

describe('devices set', () => {
  it('changes the named fields in place and keeps the others', async () => {
    await withKey();
    await world.run([...addBoiler, '--description', '1-Wire probe']);
    const [added] = await deviceDocs();
    expect(added).toMatchObject({ name: 'boiler', interval: 10, description: '1-Wire probe' });
    const result = await world.run(['devices', 'set', 'boiler', '--interval', '30', '--name', 'water']);
    expect(result).toMatchObject({ code: 0, stdout: 'changed name, interval of device 3 "boiler"\n' });
    expect(await deviceDocs()).toEqual([{ ...added, name: 'water', interval: 30 }]);
    expect((await world.run(['devices', 'set', '3', '--disabled'])).code).toBe(0);
    expect((await deviceDocs())[0]!.enabled).toBe(false);
    expect((await world.run(['devices', 'set', '3', '--enabled'])).code).toBe(0);
    expect((await deviceDocs())[0]).not.toHaveProperty('enabled');
  });

  it('refuses what add refuses (unknown keyId, a name taken by another device) and writes nothing', async () => {
    await withKey();
    await world.run(addBoiler);
    const attic = ['--driver', 'file', '--config', '{"path":"/y","keyId":1}'];
    expect((await world.run(['devices', 'add', '--id', '4', '--name', 'attic', ...attic])).code).toBe(0);
    const before = await deviceDocs();
    const badKey = await world.expectExit(
      ['devices', 'set', 'boiler', '--config', '{"path":"/x","keyId":9}'],
      1,
      'raspimon: refused to change device 3 "boiler"',
    );
    expect(badKey.stderr).toContain('keyId 9');
    await world.expectExit(
      ['devices', 'set', 'boiler', '--name', 'attic'],
      1,
      'name "attic" is taken by device 4 "attic"',
    );
    await world.expectExit(['devices', 'set', 'cellar', '--interval', '5'], 1, 'no device named "cellar"');
    expect((await world.run(['devices', 'set', 'boiler'])).code).toBe(2);
    expect(await deviceDocs()).toEqual(before);
  });
});

describe('devices test', () => {
  it('runs the driver once and prints what it would store, storing nothing', async () => {
    await withKey(1, 'mC');
    const sensor = tempFile('temperature', '21562\n');
    await world.run(addDevice(3, 'boiler', 'file', JSON.stringify({ path: sensor, keyId: 1 })));
    const result = await world.run(['devices', 'test', 'boiler']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^device 3 "boiler", driver file: 1 reading\(s\); nothing was stored\n/);
    expect(result.stdout).toMatch(/\n\s+1\s+21562\s+21562\s+21562 mC\s+\S+Z\s+yes\n$/);
    const json = JSON.parse((await world.run(['devices', 'test', '3', '--json'])).stdout) as unknown[];
    expect(json).toEqual([expect.objectContaining({ keyId: 1, value: 21562, unit: 'mC', stored: true })]);
    expect(await world.db.collection('readings').countDocuments()).toBe(0);
  });

  it('says what the monitor would reject, and exits 1 when the driver fails', async () => {
    await withKey(1, 'mC');
    const sensor = tempFile('temperature', '21.5\n');
    const config = JSON.stringify({ path: sensor, keyId: 1, scale: 0.5 });
    await world.run(addDevice(3, 'boiler', 'file', config));
    const rounded = await world.run(['devices', 'test', 'boiler', '--json']);
    expect(JSON.parse(rounded.stdout)).toEqual([
      expect.objectContaining({ value: 10.75, raw: 11, text: '11 mC', stored: true }),
    ]);
    writeFileSync(sensor, 'not a number\n');
    await world.expectExit(['devices', 'test', 'boiler'], 1, /^raspimon: .*device 3 "boiler"/m);
  });
});
