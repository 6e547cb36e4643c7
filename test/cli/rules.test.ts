// `raspimon rules …`, `raspimon fleet [watch]` and the skipped system metrics of
// `raspimon devices list`, in-process against FerretDB.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait.js';
import { freezerWarmRule } from '../monitor/rules/rules-world.js';
import { recordingLogger } from '../monitor/support.js';
import { addRule, CliWorld, seedFreezer } from './support.js';

let world: CliWorld;
beforeEach(async () => {
  world = new CliWorld();
  await seedFreezer(world.db, { keyId: 8, unit: '%' });
});
afterEach(async () => {
  await world.dispose();
});

const ruleDocs = (): Promise<Record<string, unknown>[]> =>
  world.db
    .collection('rules')
    .find({}, { projection: { _id: 0 } })
    .sort({ id: 1 })
    .toArray();

/** The freezer rule of the `rules add` usage example (level given in lower case). */
const freezerWarm = addRule(
  1,
  'freezer warm',
  7,
  ...'--device 3 --above=-10000 --for 300 --hysteresis 1000 --level alert'.split(' '),
);

describe('rules add, list, set, remove', () => {
  it('stores the documented shape, lists it with its status, changes and removes it', async () => {
    const added = await world.run(freezerWarm);
    expect(added.code).toBe(0);
    expect(added.stdout).toContain('added rule 1 "freezer warm" (key 7, > -10000 mC, for 300 s)');
    // The document the monitor's rules tests evaluate, without the message this command did not give.
    expect(await ruleDocs()).toEqual([{ ...freezerWarmRule, message: undefined }]);
    const table = await world.run(['rules', 'list']);
    expect(table.stdout.split('\n')[1]).toMatch(
      /^\s*1\s+freezer warm\s+7\s+3\s+> -10000 mC, for 300 s\s+ALERT\s+ok$/,
    );

    const set = await world.run([
      'rules',
      'set',
      'freezer warm',
      '--repeat',
      '3600',
      '--unset',
      'forSeconds',
      '--disabled',
    ]);
    expect(set.code).toBe(0);
    expect((await ruleDocs())[0]).toMatchObject({ repeatSeconds: 3600, enabled: false });
    expect((await ruleDocs())[0]).not.toHaveProperty('forSeconds');
    expect((await world.run(['rules', 'list', '--json'])).stdout).toContain('"problems": []');

    const removed = await world.run(['rules', 'remove', '1']);
    expect(removed.stdout).toContain('removed rule 1 "freezer warm"');
    expect(await ruleDocs()).toEqual([]);
  });

  it('refuses what the monitor would skip, one line per problem, and writes nothing', async () => {
    expect((await world.run(freezerWarm)).code).toBe(0);
    const refused = await world.run(
      addRule(1, 'bad', 99, '--above', '5', '--below', '10', '--level', 'panic'),
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      'refused to add rule 1 "bad": the monitor would skip it; nothing was written',
    );
    const lines = refused.stderr.split('\n').filter((l) => l.startsWith('  - '));
    expect(lines).toEqual([
      '  - keyId 99 is not in the keys collection; add the key or fix the rule',
      expect.stringMatching(/^ {2}- below \(10\) must be less than above \(5\)/),
      expect.stringMatching(/^ {2}- level must be one of WARNING, ERROR, ALERT/),
      '  - id 1 is taken by rule 1 "freezer warm"',
    ]);
    await world.expectExit(['rules', 'set', '1', '--device', '42'], 1, 'deviceId 42 is not a valid device');
    expect(await ruleDocs()).toHaveLength(1);
    expect((await ruleDocs())[0]!.deviceId).toBe(3);
    await world.expectExit(
      ['rules', 'remove', 'nope'],
      1,
      /no rule named "nope" in cli_\w+; rules: 1 "freezer warm"/,
    );
  });
});

describe('raspimon check', () => {
  it('reports bad rules beside the devices and keys, one line each, exit status 1', async () => {
    await world.db.collection('rules').insertMany([
      { id: 1, name: 'ok', keyId: 7, above: 0 },
      { id: 2, name: 'orphan', keyId: 7, deviceId: 12, above: 0 },
    ]);
    const result = await world.run(['check']);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('configuration problems (1):');
    expect(result.stdout).toContain(
      '  rule 2 "orphan": deviceId 12 is not a valid device; add the device or fix the rule',
    );
    const json = JSON.parse((await world.run(['check', '--json'])).stdout) as { rules: number };
    expect(json.rules).toBe(1);
  });
});

describe('rules test', () => {
  it('replays a rule over the last day of readings and prints when it would have fired and resolved', async () => {
    const now = Date.parse('2026-06-02T12:00:00Z');
    const start = now - 20 * 3600_000;
    // Every 5 min: cold, then 30 min warm from +2 h, then cold again; an old warm spell two days back.
    const values = Array.from({ length: 60 }, (_, i) => (i >= 24 && i < 30 ? -8000 : -18000));
    await world.db
      .collection('readings')
      .insertMany([
        { id: 3, keyId: 7, value: -5000, ts: new Date(now - 48 * 3600_000) },
        ...values.map((value, i) => ({ id: 3, keyId: 7, value, ts: new Date(start + i * 300_000) })),
      ]);
    expect((await world.run(freezerWarm)).code).toBe(0);
    const result = await world.run(['rules', 'test', 'freezer warm'], { now: () => now });
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines).toEqual([
      expect.stringMatching(
        /^2026-06-01T18:05:00.000Z {2}firing: rule 1 "freezer warm": device 3 "freezer", key 7 \(mC\): value -8000 mC above -10000 mC since 2026-06-01T18:00:00.000Z$/,
      ),
      expect.stringMatching(/^2026-06-01T18:30:00.000Z {2}resolved: .*it fired for 25 min/),
      'rule 1 "freezer warm" would have fired 1 time(s) in the last 24 h (60 reading(s) of key 7 from 1 device(s))',
    ]);
  });

  it('no-data rules fire at the deadline within the replayed window', async () => {
    const now = Date.parse('2026-06-02T12:00:00Z');
    await world.db.collection('readings').insertMany([
      { id: 3, keyId: 7, value: 1, ts: new Date(now - 3 * 3600_000) },
      { id: 3, keyId: 7, value: 1, ts: new Date(now - 3600_000) },
    ]);
    await world.db.collection('rules').insertOne({ id: 2, name: 'silent', keyId: 7, noDataSeconds: 1800 });
    const result = await world.run(['rules', 'test', '2', '--hours', '4'], { now: () => now });
    expect(
      result.stdout
        .trimEnd()
        .split('\n')
        .map((l) => l.split(': rule')[0]),
    ).toEqual([
      '2026-06-02T08:30:00.000Z  firing',
      '2026-06-02T09:00:00.000Z  resolved',
      '2026-06-02T09:30:00.000Z  firing',
      '2026-06-02T11:00:00.000Z  resolved',
      '2026-06-02T11:30:00.000Z  firing',
      'rule 2 "silent" would have fired 3 time(s) in the last 4 h (2 reading(s) of key 7 from 1 device(s))',
    ]);
  });
});

describe('fleet', () => {
  const prefix = `raspimon_cf${randomUUID().slice(0, 6)}_`;
  afterEach(async () => {
    for (const name of ['a', 'b']) await world.db.client.db(`${prefix}${name}`).dropDatabase();
  });

  it('lists every device database with its devices, newest reading and age; watch ALERTs a silent one', async () => {
    const now = Date.now();
    const a = world.db.client.db(`${prefix}a`);
    await a.collection('devices').insertOne({ id: 1, name: 'pump' });
    await a.collection('readings').insertOne({ id: 1, keyId: 1, value: 1, ts: new Date(now - 2 * 3600_000) });
    const b = world.db.client.db(`${prefix}b`);
    await b.collection('readings').insertOne({ id: 1, keyId: 1, value: 1, ts: new Date(now - 30_000) });
    const listed = await world.run(['fleet', '--prefix', prefix], { now: () => now });
    expect(listed.code).toBe(0);
    const rows = listed.stdout.trimEnd().split('\n');
    expect(rows[0]).toMatch(/^NAMESPACE\s+DEVICES\s+NEWEST READING\s+AGE$/);
    expect(rows[1]).toMatch(new RegExp(`^${prefix}a\\s+1 pump\\s+\\S+Z\\s+2 h 0 min$`));
    expect(rows[2]).toMatch(new RegExp(`^${prefix}b\\s+-\\s+\\S+Z\\s+30 s$`));

    const logger = recordingLogger();
    const controller = new AbortController();
    const watching = world.run(
      ['fleet', 'watch', '--silent-minutes', '60', '--check-seconds', '0.05', '--prefix', prefix],
      { logger, signal: controller.signal },
    );
    // The first check's alert (a state, however slow the machine), then a few more checks
    // (10 × --check-seconds) in which the persistent condition must not be reported again.
    await waitFor(() => logger.records.length > 0, 20_000, 'the first alert');
    await new Promise((r) => setTimeout(r, 500));
    controller.abort();
    const result = await watching;
    expect(result.code).toBe(0);
    expect(logger.records.map((r) => `${r.level} ${r.message.slice(0, 40)}`)).toEqual([
      `alert fleet: ${`${prefix}a (devices 1 "pump") has sent`.slice(0, 33)}`,
    ]);
    expect(result.stdout).toContain(`ALERT fleet: ${prefix}a (devices 1 "pump") has sent no reading for 2 h`);
  });
});

describe('devices list', () => {
  it('names the system metrics this machine lacks', async () => {
    const proc = mkdtempSync(path.join(tmpdir(), 'raspimon-cli-proc-'));
    try {
      writeFileSync(path.join(proc, 'uptime'), '10.0 1.0\n');
      await world.db.collection('devices').insertOne({
        id: 9,
        name: 'pi',
        driver: 'system',
        config: { keys: { uptime: 7, wifiSignal: 8 }, procRoot: proc },
      });
      const table = await world.run(['devices', 'list']);
      expect(table.stdout).toMatch(/9\s+pi\s+system\s+default\s+ok \(skipped on this machine: wifiSignal\)/);
      const json = JSON.parse((await world.run(['devices', 'list', '--json'])).stdout) as Array<
        Record<string, unknown>
      >;
      expect(json.find((d) => d.id === 9)?.skippedMetrics).toEqual(['wifiSignal']);
    } finally {
      rmSync(proc, { recursive: true, force: true });
    }
  });
});
