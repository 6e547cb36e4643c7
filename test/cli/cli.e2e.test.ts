// The raspimon binary as users run it (node --import tsx src/cli/bin.ts): a handful of
// end-to-end checks of exit statuses, output, the database and a real SIGHUP. Loose bounds:
// under a loaded machine (the package test builds beside them) a tsx start takes seconds.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait.js';
import { addBoiler, addDevice, boilerConfig, CliWorld, root } from './support.js';

// A stand-in monitor: writes its pid file, prints a line per SIGHUP, exits on SIGTERM.
const hupCounter = `
let hups = 0;
process.on('SIGHUP', () => process.stdout.write('SIGHUP ' + ++hups + '\\n'));
process.on('SIGTERM', () => process.exit(0));
require('node:fs').writeFileSync(process.argv[1], String(process.pid));
process.stdout.write('ready\\n');
setInterval(() => {}, 1 << 30);`;

let world: CliWorld;
beforeEach(() => {
  world = new CliWorld();
});
afterEach(async () => {
  await world.dispose();
});

describe('raspimon binary', () => {
  it('adds a valid device (exit 0) and refuses an invalid one (exit 1) without writing it', async () => {
    await world.db.collection('keys').insertOne({ keyId: 1, unit: 'mC' });
    const [added, refused] = await Promise.all([
      world.spawn(addBoiler).done,
      world.spawn(addDevice(4, 'attic', 'file', '{"path":"/x","keyId":7}')).done,
    ]);
    expect(added).toMatchObject({ code: 0, stdout: 'added device 3 "boiler" (driver file, every 10 s)\n' });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toContain('raspimon: refused to add device 4 "attic"');
    expect(refused.stderr).toContain('refers to keyId 7, which is not in the keys collection');
    const docs = await world.db
      .collection('devices')
      .find({}, { projection: { _id: 0 } })
      .toArray();
    expect(docs).toEqual([
      { id: 3, name: 'boiler', driver: 'file', config: JSON.parse(boilerConfig) as unknown, interval: 10 },
    ]);
  });

  it('both bins print the package version with --version', () => {
    const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
      version: string;
    };
    for (const [bin, name] of [
      ['src/cli/bin.ts', 'raspimon'],
      ['src/mail-logger/daemon/bin.ts', 'raspimon-mail-logger'],
    ] as const) {
      const result = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, bin), '--version'], {
        encoding: 'utf8',
      });
      expect({ status: result.status, stdout: result.stdout }).toEqual({
        status: 0,
        stdout: `${name} ${version}\n`,
      });
    }
  });

  it('exits 2 on an unknown flag and 0 on --help', async () => {
    const [unknown, help] = await Promise.all([
      world.spawn(['keys', 'list', '--colour']).done,
      world.spawn(['--help']).done,
    ]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe("raspimon: unknown flag --colour\ntry 'raspimon keys list --help'\n");
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: raspimon <command> \[flags\]/);
    expect(help.stdout).toContain('readings tail');
  });

  describe('--reload', () => {
    let monitor: ChildProcess | undefined;
    afterEach(() => {
      monitor?.kill('SIGTERM');
    });

    it('sends a real SIGHUP to the process in the pidfile after writing the change', async () => {
      const pidfile = path.join(mkdtempSync(path.join(tmpdir(), 'raspimon-cli-')), 'monitor.pid');
      const child = spawn(process.execPath, ['-e', hupCounter, pidfile], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      monitor = child;
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      await waitFor(() => output.includes('ready'), 30_000);

      const result = await world.spawn(['keys', 'add', '--key', '1', '--unit', 'mC', '--reload', pidfile])
        .done;
      expect(result.code).toBe(0);
      expect(result.stdout).toBe(
        `added key 1 (mC)\nsent SIGHUP to the monitor (pid ${readFileSync(pidfile, 'utf8')}): it reloads its configuration now\n`,
      );
      await waitFor(() => output.includes('SIGHUP 1'), 30_000);
      expect(output).toBe('ready\nSIGHUP 1\n');
      expect(await world.db.collection('keys').countDocuments({ keyId: 1 })).toBe(1);
    }, 90_000);
  });

  it('readings tail --follow streams new readings and exits 0 on SIGINT', async () => {
    await world.db.collection('keys').insertOne({ keyId: 1, unit: 'mC' });
    await world.db
      .collection('readings')
      .insertOne({ id: 3, keyId: 1, value: 41, ts: new Date(Date.UTC(2026, 0, 1)) });
    let seen = '';
    const tail = world.spawn(['readings', 'tail', '--follow', '--poll', '0.1', '--json'], {
      onStdout: (text) => (seen = text),
    });
    await waitFor(() => seen.includes('"value":41'), 40_000);
    await world.db
      .collection('readings')
      .insertOne({ id: 3, keyId: 1, value: 42, ts: new Date(Date.UTC(2026, 0, 1, 0, 0, 1)) });
    await waitFor(() => seen.includes('"value":42'), 40_000);
    tail.kill('SIGINT');
    const result = await tail.done;
    expect(result.code).toBe(0);
    expect(
      result.stdout
        .trimEnd()
        .split('\n')
        .map((l) => (JSON.parse(l) as { value: number }).value),
    ).toEqual([41, 42]);
  }, 90_000);
});
