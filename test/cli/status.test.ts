// `raspimon status` over the status file a real Monitor keeps in its state dir (FerretDB, a
// ManualClock, so 10 s of sampling take milliseconds).
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { Monitor } from '../../src/monitor/index.js';
import { statusFileName, type StatusFile } from '../../src/tools/index.js';
import { ManualClock, Scheduler } from '../../src/scheduler/index.js';
import { recordingLogger, tempDir } from '../monitor/support.js';
import { CliWorld, type CliResult } from './support.js';

let world: CliWorld;
let temp: ReturnType<typeof tempDir>;
beforeEach(() => {
  world = new CliWorld();
  temp = tempDir('raspimon-status-');
});
afterEach(async () => {
  await world.dispose();
  temp.remove();
});

async function status(argv: string[], now: () => number): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(['status', '--namespace', world.namespace, ...argv], {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env: {},
    cwd: temp.dir,
    now,
  });
  return { code, stdout, stderr };
}

describe('raspimon status', () => {
  it('shows per device the last reading and its age, errors, skipped readings, the spool and the database; exit 1 once stopped', async () => {
    const sensor = path.join(temp.dir, 'temperature');
    writeFileSync(sensor, '21562\n');
    await world.db.collection('keys').insertOne({ keyId: 1, unit: 'mC' });
    await world.db.collection('devices').insertMany([
      { id: 1, name: 'boiler', driver: 'file', config: { path: sensor, keyId: 1 }, interval: 1 },
      {
        id: 2,
        name: 'attic',
        driver: 'file',
        config: { path: path.join(temp.dir, 'gone'), keyId: 1 },
        interval: 1,
      },
    ]);
    const clock = new ManualClock(new Date(Date.UTC(2026, 11, 1, 12)));
    const scheduler = new Scheduler({ clock }).start();
    const stateDir = path.join(temp.dir, 'state');
    const monitor = new Monitor({
      uri: world.uri,
      namespace: world.namespace,
      scheduler,
      logger: recordingLogger(),
      stateDir,
    });
    await monitor.start();
    try {
      await clock.advance(10.5);
      await monitor.flush();
      await clock.advance(10);
      const file = JSON.parse(readFileSync(path.join(stateDir, statusFileName), 'utf8')) as StatusFile;
      expect(file).toMatchObject({
        format: 'raspimon-status/1',
        namespace: world.namespace,
        state: 'running',
      });
      expect(file.devices.map((d) => [d.name, d.accepted > 0, d.errors > 0])).toEqual([
        ['boiler', true, false],
        ['attic', false, true],
      ]);

      const shown = await status(['--state-dir', stateDir], () => clock.now() + 2000);
      expect(shown.code).toBe(0);
      expect(shown.stdout).toMatch(new RegExp(`^monitor of ${world.namespace}: running, pid ${process.pid}`));
      expect(shown.stdout).toContain('database: connected; spool: 0 reading(s), 0 B; written ');
      expect(shown.stdout).toMatch(/\n\s+1\s+boiler\s+file\s+\d+ s ago\s+\d+\s+0\s+0\s*\n/);
      expect(shown.stdout).toMatch(
        /\n\s+2\s+attic\s+file\s+none yet\s+0\s+\d+\s+0\s+\d+ s ago, (start|read): .*gone/,
      );

      // Not written for two minutes (over three of its 30-s intervals): gone or stuck.
      const stale = await status(['--state-dir', stateDir], () => clock.now() + 120_000);
      expect(stale.code).toBe(1);
      expect(stale.stderr).toMatch(/the status file is \d+ min old .*not running or is stuck/);
    } finally {
      await monitor.stop();
      await scheduler.stop();
    }
    const stopped = await status(['--state-dir', stateDir, '--json'], () => clock.now());
    expect(stopped.code).toBe(1);
    expect(JSON.parse(stopped.stdout)).toMatchObject({ state: 'stopped' });
    expect(stopped.stderr).toContain('is stopped');
  });

  it('says where it looked when there is no status file', async () => {
    const result = await status(['--state-dir', temp.dir], () => Date.now());
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `raspimon: no status file: looked for ${path.join(temp.dir, statusFileName)}; is the monitor running (it writes one at least every 30 s), or pass --state-dir <dir>\n`,
    );
  });
});
