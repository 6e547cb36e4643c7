import { Cron } from 'croner';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CronRules, nextCronRun, previousCronRun } from '../../src/scheduler/cron.js';
import { UuidSequence } from '../../src/scheduler/uuid.js';

const cronFor = (pattern: string, zone: string | undefined) => CronRules.of(zone).get(pattern);

describe('cron rules (croner as a pure parser, answers remembered)', () => {
  it("nextCronRun with its remembered answer always equals croner's own nextRun", () => {
    fc.assert(
      fc.property(
        fc.constantFrom('0 8 * * *', '*/5 * * * *', '30 2 * * *', '*/10 * * * * *', '0 0 1 * *'),
        fc.constantFrom(undefined, 'Europe/Berlin', 'America/New_York', 'UTC'),
        fc.array(fc.integer({ min: 1_767_225_600_000, max: 1_798_761_600_000 }), {
          minLength: 1,
          maxLength: 30,
        }),
        fc.array(fc.integer({ min: 0, max: 3_600_000 }), { minLength: 1, maxLength: 30 }),
        (pattern, zone, starts, steps) => {
          const rule = cronFor(pattern, zone);
          const oracle = new Cron(pattern, zone === undefined ? {} : { timezone: zone });
          // Ask in increasing order from each start, as re-planning does, and at random points.
          for (const start of starts) {
            let at = start;
            for (const step of steps) {
              at += step;
              expect(nextCronRun(rule, at)).toBe(oracle.nextRun(new Date(at))?.getTime() ?? null);
            }
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('is parsed once per pattern and zone', () => {
    expect(cronFor('0 8 * * *', 'Europe/Madrid')).toBe(cronFor('0 8 * * *', 'Europe/Madrid'));
    expect(cronFor('0 8 * * *', 'Europe/Madrid')).not.toBe(cronFor('0 8 * * *', 'Europe/Lisbon'));
  });

  it('previousCronRun finds the last match before a time', () => {
    const rule = cronFor('0 8 * * *', 'UTC');
    expect(previousCronRun(rule, Date.parse('2026-01-02T08:00:00Z'))).toBe(
      Date.parse('2026-01-01T08:00:00Z'),
    );
  });
});

describe('job ids', () => {
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

  it('are distinct version-4 UUIDs, also where the counter carries over digits', () => {
    const sequence = new UuidSequence();
    const ids = Array.from({ length: 70_000 }, () => sequence.next()); // past 0xffff
    for (const id of ids) expect(id).toMatch(uuid);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids[0]!.slice(24)).toBe('000000000001');
    expect(ids[0xffff - 1]!.slice(24)).toBe('00000000ffff');
    expect(ids[0xffff]!.slice(24)).toBe('000000010000');
  });

  it('differ between sequences (a random 74-bit prefix each)', () => {
    const prefixes = Array.from({ length: 1000 }, () => new UuidSequence().next().slice(0, 24));
    for (const prefix of prefixes) expect(`${prefix}000000000000`).toMatch(uuid);
    expect(new Set(prefixes).size).toBe(prefixes.length);
  });
});
