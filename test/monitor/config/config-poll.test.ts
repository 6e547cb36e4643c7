// Issue 21 (CPU on a Pi): the configuration poll compares the stored bytes first and decodes
// them only when they changed. What a user notices must not move: a change made with
// `raspimon devices set` or `rules add`, or directly in the database, is picked up by the
// poll; an unchanged configuration (or an equal value stored as another BSON type) is
// never reloaded. Real FerretDB, the real CLI in-process, a ManualClock.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Double } from 'mongodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Monitor } from '../../../src/monitor/index.js';
import { ManualClock, Scheduler } from '../../../src/scheduler/index.js';
import { waitFor } from '../../helpers/wait.js';
import { CliWorld } from '../../cli/support.js';
import { recordingLogger, tempDir } from '../support.js';

let world: CliWorld;
let state: ReturnType<typeof tempDir>;
beforeEach(() => {
  world = new CliWorld();
  state = tempDir('raspimon-poll-');
});
afterEach(async () => {
  await world.dispose();
  state.remove();
});

describe('configuration poll', () => {
  it('reloads at a poll after `devices set`, `rules add` or a direct update, and never for an unchanged configuration', async () => {
    await world.db.collection('keys').insertOne({ keyId: 1, unit: 'n' });
    const sensor = path.join(state.dir, 'temperature');
    writeFileSync(sensor, '21500\n');
    await world.db.collection('devices').insertOne({
      id: 1,
      name: 'boiler',
      driver: 'file',
      config: { path: sensor, keyId: 1 },
      interval: 600,
    });
    const clock = new ManualClock(new Date(Date.UTC(2026, 11, 7, 9)));
    const scheduler = new Scheduler({ clock }).start();
    const logger = recordingLogger();
    const monitor = new Monitor({
      uri: world.uri,
      namespace: world.namespace,
      scheduler,
      logger,
      stateDir: state.dir,
      pollSeconds: 60,
    });
    await monitor.start();
    const reloads = (): number => Number(monitor.summary({ charts: false }).stats.reloads);
    const pollLines = (): string[] =>
      logger.records.filter((r) => r.message.startsWith('configuration poll')).map((r) => r.message);
    // The presence heartbeat runs beside the poll, at the same interval: its counter in
    // `monitors` says a poll interval went by and its database round trips were made.
    const beat = async (): Promise<number> =>
      Number((await world.db.collection('monitors').findOne({}))?.beat ?? 0);
    // One poll interval at a time until `done`: on a loaded machine a poll (or heartbeat) can
    // still be in flight when the ManualClock moves on, and then that occurrence is skipped,
    // as it would be on a Pi whose database answers slower than the interval.
    const pollUntil = async (done: () => boolean | Promise<boolean>, what: string): Promise<void> => {
      await waitFor(
        async () => {
          if (await done()) return true;
          await clock.advance(60);
          return false;
        },
        30_000,
        what,
      );
    };
    const poll = async (): Promise<void> => {
      const before = await beat();
      await pollUntil(async () => (await beat()) > before, 'the next poll');
    };
    try {
      expect(reloads()).toBe(1);
      // Ten unchanged polls, and one after the same interval was stored as a double: no reload.
      for (let i = 0; i < 10; i++) await poll();
      await world.db.collection('devices').updateOne({ id: 1 }, { $set: { interval: new Double(600) } });
      await poll();
      await poll();
      expect(reloads()).toBe(1);
      expect(pollLines()).toEqual([]);

      // The CLI's change: picked up within one poll interval.
      const set = await world.run(['devices', 'set', 'boiler', '--interval', '300']);
      expect(set.code, set.stderr).toBe(0);
      await pollUntil(
        () => monitor.devices()[0]?.intervalSeconds === 300 && reloads() === 2,
        'the CLI change applied',
      );
      expect(pollLines()).toEqual([
        `configuration poll: devices or keys changed in "${world.namespace}"; reloading`,
      ]);

      // A change made directly in the database, and a rule added with the CLI.
      await world.db.collection('devices').updateOne({ id: 1 }, { $set: { name: 'water' } });
      await pollUntil(
        () => monitor.devices()[0]?.name === 'water' && reloads() === 3,
        'the direct change applied',
      );
      const added = await world.run('rules add --id 1 --name warm --key 1 --above 0'.split(' '));
      expect(added.code, added.stderr).toBe(0);
      await pollUntil(() => reloads() === 4, 'the rule reload');
      expect(pollLines().at(-1)).toBe(`configuration poll: rules changed in "${world.namespace}"; reloading`);
      await poll();
      await poll();
      expect(reloads()).toBe(4);
    } finally {
      await monitor.stop();
      await scheduler.stop();
    }
  });
});
