import { Cron } from 'croner';
import nodeCron from 'node-cron';
import { afterEach, describe, expect, it } from 'vitest';
import { RaspimonError } from '../../src/errors.js';
import { CronPatternError } from '../../src/errors/index.js';
import { Scheduler } from '../../src/scheduler/index.js';
import { onManualClock, stopStartedSchedulers } from './support.js';

const setup = (start: string, timeZone?: string) => onManualClock(start, { timeZone });

afterEach(stopStartedSchedulers);

const berlinDay = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Berlin', dateStyle: 'short' });

describe('repeatCron', () => {
  it('runs "0 8 * * *" at 08:00 in options.timeZone', async () => {
    const { clock, scheduler } = setup('2026-01-10T00:00:00Z', 'America/New_York');
    const runs: string[] = [];
    scheduler.repeatCron('0 8 * * *', () => runs.push(new Date(clock.now()).toISOString()));
    await clock.advance(3 * 86_400);
    expect(runs).toEqual([
      '2026-01-10T13:00:00.000Z',
      '2026-01-11T13:00:00.000Z',
      '2026-01-12T13:00:00.000Z',
    ]);
  });

  it.each([
    ['spring forward (2026-03-29: 02:00–03:00 CET does not exist)', '2026-03-27T12:00:00Z'],
    ['fall back (2026-10-25: 02:00–03:00 happens twice)', '2026-10-23T12:00:00Z'],
  ])('"30 2 * * *" in Europe/Berlin runs once each day across the DST change: %s', async (_name, start) => {
    const { clock, scheduler } = setup(start, 'Europe/Berlin');
    const runs: number[] = [];
    scheduler.repeatCron('30 2 * * *', () => runs.push(clock.now()));
    await clock.advance(5 * 86_400);
    // One run per Berlin calendar day, none missed, none doubled.
    const days = runs.map((ms) => berlinDay.format(ms));
    expect(runs).toHaveLength(5);
    expect(new Set(days).size).toBe(5);
    // Exactly the instants croner documents for this pattern and zone.
    const oracle = new Cron('30 2 * * *', { timezone: 'Europe/Berlin' }).nextRuns(5, new Date(start));
    expect(runs.map((ms) => new Date(ms).toISOString())).toEqual(oracle.map((d) => d.toISOString()));
  });

  it('on the spring-forward day the skipped 02:30 runs once at 03:00 CEST; on fall-back day at the first 02:30', async () => {
    const { clock, scheduler } = setup('2026-03-28T12:00:00Z', 'Europe/Berlin');
    const runs: string[] = [];
    scheduler.repeatCron('30 2 * * *', () => runs.push(new Date(clock.now()).toISOString()));
    await clock.advance(86_400);
    expect(runs).toEqual(['2026-03-29T01:00:00.000Z']); // 03:00 CEST, croner's rule for a time in the gap
    const autumn = setup('2026-10-24T12:00:00Z', 'Europe/Berlin');
    const autumnRuns: string[] = [];
    autumn.scheduler.repeatCron('30 2 * * *', () =>
      autumnRuns.push(new Date(autumn.clock.now()).toISOString()),
    );
    await autumn.clock.advance(86_400);
    expect(autumnRuns).toEqual(['2026-10-25T00:30:00.000Z']); // 02:30 CEST, not again at 02:30 CET
  });

  it.each(['*/5 * * * *', '0 8 * * 1-5', '15,45 */2 * * *', '0 0 1 * *', '30 4 * * 0', '0 12 * * 6,0'])(
    'agrees with node-cron (differential oracle, UTC) for %s over 40 days',
    async (pattern) => {
      const start = '2026-02-01T00:00:00Z';
      const { clock, scheduler } = setup(start, 'UTC');
      const runs: number[] = [];
      scheduler.repeatCron(pattern, () => runs.push(clock.now()));
      await clock.advance(40 * 86_400);
      const task = nodeCron.createTask(pattern, () => undefined, { timezone: 'UTC' });
      try {
        const expected: number[] = [];
        for (let ms = Date.parse(start) + 60_000; ms <= clock.now(); ms += 60_000) {
          if (task.match(new Date(ms))) expected.push(ms);
        }
        expect(runs.length).toBeGreaterThan(0);
        expect(runs).toEqual(expected);
      } finally {
        await task.destroy();
      }
    },
  );

  it('a bad pattern or time zone throws CronPatternError (a RangeError) at the call', () => {
    const { scheduler } = setup('2026-01-01T00:00:00Z');
    for (const pattern of ['61 * * * *', 'every day', '* * *', '0 0 30 2 *']) {
      expect(() => scheduler.repeatCron(pattern, () => undefined)).toThrow(CronPatternError);
    }
    try {
      scheduler.repeatCron('61 * * * *', () => undefined);
    } catch (e) {
      expect(e).toBeInstanceOf(RangeError);
      expect(e).toBeInstanceOf(RaspimonError);
      expect((e as CronPatternError).code).toBe('ERR_INVALID_CRON');
      expect((e as Error).message).toMatch(/"61 \* \* \* \*".*minute/);
    }
    expect(() => new Scheduler({ timeZone: 'Mars/Olympus_Mons' })).toThrow(/Mars\/Olympus_Mons/);
    expect(scheduler.jobs()).toEqual([]);
  });
});
