import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RaspimonError } from '../../src/errors.js';
import { ManualClock, Scheduler } from '../../src/scheduler/index.js';
import { SchedulerStateError } from '../../src/errors/index.js';
import { onManualClock, runLog, stopStartedSchedulers } from './support.js';

/** A started scheduler on a ManualClock at `start`, stopped after the test; job errors go to `onError`. */
function setup(start = '2026-01-01T12:00:00.000Z', onError: (e: unknown) => void = () => undefined) {
  return onManualClock(start, { onError });
}

afterEach(stopStartedSchedulers);

describe("o'clock jobs", () => {
  it('repeatOClock(60) started at 12:00:37.5 runs at 12:01:00.000, 12:02:00.000, ... exactly', async () => {
    const { clock, scheduler } = setup('2026-01-01T12:00:37.500Z');
    const log = runLog(clock);
    scheduler.repeatOClock(60, log.note());
    expect(await log.after(22.499)).toEqual([]);
    expect(await log.after(5 * 60)).toEqual([
      '2026-01-01T12:01:00.000Z',
      '2026-01-01T12:02:00.000Z',
      '2026-01-01T12:03:00.000Z',
      '2026-01-01T12:04:00.000Z',
      '2026-01-01T12:05:00.000Z',
    ]);
  });

  it('onceOClock(7) runs once, at the next epoch multiple of 7 s', async () => {
    const { clock, scheduler } = setup('2026-01-01T12:00:00.000Z');
    const startMs = clock.now();
    const runs: number[] = [];
    scheduler.onceOClock(7, () => runs.push(clock.now()));
    await clock.advance(60);
    expect(runs).toHaveLength(1);
    const at = runs[0]!;
    expect(at % 7000).toBe(0);
    expect(at).toBeGreaterThan(startMs);
    expect(at - startMs).toBeLessThanOrEqual(7000);
  });

  it('repeatOClock(0.25) runs on every quarter second', async () => {
    const { clock, scheduler } = setup('2026-01-01T12:00:00.100Z');
    const runs: number[] = [];
    scheduler.repeatOClock(0.25, () => runs.push(clock.now() % 1000));
    await clock.advance(2);
    expect(runs).toEqual([250, 500, 750, 0, 250, 500, 750, 0]);
  });
});

describe('drift and never early', () => {
  it('repeatEvery(7) runs 10,000 times in 70,000 s, the last exactly at start + 70,000 s', async () => {
    const { clock, scheduler } = setup();
    const startMs = clock.now();
    let runs = 0;
    let lastMs = 0;
    scheduler.repeatEvery(7, () => {
      runs++;
      lastMs = clock.now();
    });
    await clock.advance(70_000);
    expect(runs).toBe(10_000);
    expect(lastMs - startMs).toBe(70_000_000);
  });

  it('runs one-shot jobs in due order, each exactly at its due time and never before', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 100_000 }), { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 1, max: 20 }),
        async (delaysMs, steps) => {
          const clock = new ManualClock(new Date('2026-01-01T00:00:00Z'));
          const scheduler = new Scheduler({ clock }).start();
          const startMs = clock.now();
          const ran: Array<{ i: number; atMs: number }> = [];
          delaysMs.forEach((d, i) =>
            scheduler.onceAfter(d / 1000, () => ran.push({ i, atMs: clock.now() - startMs })),
          );
          // Advance in uneven steps, checking after each that nothing ran early.
          const total = Math.max(...delaysMs);
          for (let s = 1; s <= steps; s++) {
            await clock.advance(Math.ceil(total / steps) / 1000);
            for (const r of ran) expect(r.atMs).toBe(delaysMs[r.i]);
            const elapsed = clock.now() - startMs;
            expect(ran.length).toBe(delaysMs.filter((d) => d <= elapsed).length);
          }
          const order = delaysMs.map((d, i) => ({ d, i })).sort((a, b) => a.d - b.d || a.i - b.i);
          expect(ran.map((r) => r.i)).toEqual(order.map((o) => o.i));
          await scheduler.stop();
        },
      ),
      { numRuns: 60 },
    );
  });

  it("onceAfter with a 30-day delay (past setTimeout's 24.8-day limit) runs at 30 days, not before", async () => {
    const { clock, scheduler } = setup();
    const ran = vi.fn();
    scheduler.onceAfter(30 * 86_400, ran);
    await clock.advance(30 * 86_400 - 0.001);
    expect(ran).not.toHaveBeenCalled();
    await clock.advance(0.001);
    expect(ran).toHaveBeenCalledTimes(1);
  });

  it('onceWhen takes a Date or epoch seconds and runs at that wall time', async () => {
    const { clock, scheduler } = setup('2026-01-01T12:00:00.000Z');
    const log = runLog(clock);
    scheduler.onceWhen(new Date('2026-01-01T12:00:10.500Z'), log.note('date'));
    scheduler.onceWhen(Date.parse('2026-01-01T12:00:05Z') / 1000, log.note('epoch'));
    scheduler.onceWhen(new Date('2025-01-01T00:00:00Z'), log.note('past'));
    expect(await log.after(60)).toEqual([
      'past 2026-01-01T12:00:00.000Z',
      'epoch 2026-01-01T12:00:05.000Z',
      'date 2026-01-01T12:00:10.500Z',
    ]);
  });

  it('passes the extra arguments to the job', async () => {
    const { clock, scheduler } = setup();
    const job = vi.fn();
    scheduler.onceAfter(1, job, 'a', 2, { three: 3 });
    scheduler.repeatEvery(1, job, 'r');
    await clock.advance(1);
    expect(job.mock.calls).toEqual([['a', 2, { three: 3 }], ['r']]);
  });
});

describe('remove', () => {
  it('a removed job never runs again, also when removed by another job or by itself', async () => {
    const { clock, scheduler } = setup();
    const counts = { victim: 0, self: 0, other: 0 };
    const victim = scheduler.repeatEvery(1, () => counts.victim++);
    scheduler.onceAfter(2.5, () => scheduler.remove(victim));
    const self: string = scheduler.repeatEvery(1, () => {
      counts.self++;
      if (counts.self === 3) expect(scheduler.remove(self)).toBe(true);
    });
    const other = scheduler.repeatEvery(1.5, () => counts.other++);
    scheduler.onceAfter(1, () => scheduler.remove(other));
    await clock.advance(10);
    expect(counts).toEqual({ victim: 2, self: 3, other: 0 });
    expect(scheduler.jobs()).toEqual([]);
  });

  it('returns false for an unknown, finished or already removed id', async () => {
    const { clock, scheduler } = setup();
    expect(scheduler.remove('no-such-id')).toBe(false);
    const once = scheduler.onceAfter(1, () => undefined);
    await clock.advance(1);
    expect(scheduler.remove(once)).toBe(false);
    const id = scheduler.repeatEvery(1, () => undefined);
    expect(scheduler.remove(id)).toBe(true);
    expect(scheduler.remove(id)).toBe(false);
  });

  it('ids are UUIDs', () => {
    const { scheduler } = setup();
    expect(scheduler.onceAfter(1, () => undefined)).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });
});

describe('errors and overlap', () => {
  it('a throwing job and a rejecting async job reach onError; the others keep running', async () => {
    const errors: Array<{ error: unknown; kind: string; id: string }> = [];
    const { clock, scheduler } = onManualClock('2026-01-01T12:00:00Z', {
      onError: (error, job) => errors.push({ error, ...job }),
    });
    const boom = new Error('boom');
    const throwing = scheduler.repeatEvery(1, () => {
      throw boom;
    });
    const rejecting = scheduler.onceAfter(1.5, async () => {
      await Promise.resolve();
      throw new TypeError('async boom');
    });
    let healthy = 0;
    scheduler.repeatEvery(1, () => healthy++);
    await clock.advance(3);
    expect(healthy).toBe(3);
    expect(errors.filter((e) => e.id === throwing)).toHaveLength(3);
    expect(errors.find((e) => e.id === throwing)).toMatchObject({ error: boom, kind: 'repeatEvery' });
    expect(errors.find((e) => e.id === rejecting)).toMatchObject({ kind: 'onceAfter' });
    expect(String(errors.find((e) => e.id === rejecting)?.error)).toBe('TypeError: async boom');
    expect(scheduler.jobs().find((j) => j.id === throwing)?.lastError).toBe(boom);
  });

  it('the default onError writes one line to stderr', async () => {
    const { clock, scheduler } = onManualClock('2026-01-01T12:00:00Z');
    const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const id = scheduler.onceAfter(1, () => {
        throw new Error('disk full\nsecond line');
      });
      await clock.advance(1);
      expect(write).toHaveBeenCalledTimes(1);
      expect(write.mock.calls[0]![0]).toBe(
        `raspimon scheduler: job ${id} (onceAfter) failed: Error: disk full second line\n`,
      );
    } finally {
      write.mockRestore();
    }
  });

  it('an async repeating job still running at its next slot skips it, and the skip is counted', async () => {
    const { clock, scheduler } = setup();
    let release: () => void = () => undefined;
    let started = 0;
    const id = scheduler.repeatEvery(1, async () => {
      started++;
      await new Promise<void>((resolve) => (release = resolve));
    });
    await clock.advance(3.5); // runs at 1 s; 2 s and 3 s come while it is still running
    expect(started).toBe(1);
    expect(scheduler.jobs()[0]).toMatchObject({ id, runs: 1, skipped: 2 });
    release();
    await clock.advance(1); // 4 s: the previous run settled, so this one runs
    expect(started).toBe(2);
    expect(scheduler.jobs()[0]).toMatchObject({ runs: 2, skipped: 2 });
    release();
  });

  it('advance() does not hang on a job that never settles (stop() keeps waiting for it)', async () => {
    const clock = new ManualClock(new Date('2026-01-01T12:00:00Z'));
    const scheduler = new Scheduler({ clock }).start(); // not stopped in afterEach: stop() would wait forever
    let runs = 0;
    scheduler.onceAfter(1, () => new Promise(() => undefined));
    scheduler.repeatEvery(1, () => runs++);
    await clock.advance(5);
    expect(runs).toBe(5);
    const stopped = await Promise.race([
      scheduler.stop().then(() => 'stopped'),
      clock.advance(60).then(() => 'waiting'),
    ]);
    expect(stopped).toBe('waiting');
  });
});

describe('ManualClock', () => {
  it('advance() in decimal seconds lands exactly on whole-ms due times (no float drift)', async () => {
    const { clock, scheduler } = setup();
    const job = vi.fn();
    scheduler.onceAfter(96.891, job);
    for (let i = 0; i < 3; i++) await clock.advance(32.297);
    expect(job).toHaveBeenCalledTimes(1);
    expect(clock.monotonic()).toBe(96_891);
  });

  it('advance() still works while vi.useFakeTimers() is installed', async () => {
    vi.useFakeTimers();
    try {
      const { clock, scheduler } = setup();
      const ran: number[] = [];
      scheduler.repeatEvery(1, async () => {
        await Promise.resolve();
        ran.push(clock.monotonic());
      });
      await clock.advance(3);
      expect(ran).toEqual([1000, 2000, 3000]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('lets promise callbacks started by one firing run before the next firing', async () => {
    const { clock, scheduler } = setup();
    const events: string[] = [];
    scheduler.onceAfter(1, async () => {
      events.push('first started');
      await Promise.resolve();
      await new Promise((resolve) => setImmediate(resolve));
      events.push('first settled');
    });
    scheduler.onceAfter(2, () => events.push('second'));
    await clock.advance(2);
    expect(events).toEqual(['first started', 'first settled', 'second']);
  });
});

describe('jobs()', () => {
  it('lists pending jobs with kind, next run, runs and skipped', async () => {
    const { clock, scheduler } = setup('2026-01-01T12:00:00.000Z');
    const a = scheduler.repeatEvery(10, () => undefined);
    const b = scheduler.repeatOClock(3600, () => undefined);
    const c = scheduler.onceWhen(new Date('2026-01-02T00:00:00Z'), () => undefined);
    const d = scheduler.repeatCron('0 8 * * *', () => undefined);
    await clock.advance(25);
    const byId = new Map(scheduler.jobs().map((j) => [j.id, j]));
    expect(byId.get(a)).toEqual({
      id: a,
      kind: 'repeatEvery',
      nextRun: new Date('2026-01-01T12:00:30.000Z'),
      runs: 2,
      skipped: 0,
      lastError: undefined,
    });
    expect(byId.get(b)).toMatchObject({
      kind: 'repeatOClock',
      nextRun: new Date('2026-01-01T13:00:00Z'),
      runs: 0,
    });
    expect(byId.get(c)).toMatchObject({ kind: 'onceWhen', nextRun: new Date('2026-01-02T00:00:00Z') });
    expect(byId.get(d)?.kind).toBe('repeatCron');
    expect(byId.get(d)?.nextRun?.getTime()).toBeGreaterThan(clock.now());
  });
});

describe('now()', () => {
  it("is the scheduler's wall clock in epoch ms: the ManualClock's, steps included", async () => {
    const { clock, scheduler } = setup('2026-01-01T12:00:00.000Z');
    expect(scheduler.now()).toBe(Date.parse('2026-01-01T12:00:00.000Z'));
    await clock.advance(1.5);
    expect(scheduler.now()).toBe(Date.parse('2026-01-01T12:00:01.500Z'));
    clock.setWallTime(new Date('2030-06-01T00:00:00Z'));
    expect(scheduler.now()).toBe(Date.parse('2030-06-01T00:00:00Z'));
  });

  it('works before start() and after stop(), and is Date.now() with the default clock', async () => {
    const scheduler = new Scheduler();
    const before = Date.now();
    const now = scheduler.now();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
    await scheduler.start().stop();
    expect(scheduler.now()).toBeGreaterThanOrEqual(now);
  });
});

describe('lifecycle', () => {
  it('scheduling before start() or after stop() throws SchedulerStateError', async () => {
    const scheduler = new Scheduler({ clock: new ManualClock() });
    const call = () => scheduler.onceAfter(1, () => undefined);
    expect(call).toThrow(SchedulerStateError);
    expect(call).toThrow(/call scheduler\.start\(\) first/);
    try {
      call();
    } catch (e) {
      expect(e).toBeInstanceOf(RaspimonError);
      expect((e as SchedulerStateError).code).toBe('ERR_SCHEDULER_NOT_STARTED');
    }
    scheduler.start();
    expect(scheduler.start()).toBe(scheduler); // idempotent while running
    await scheduler.stop();
    expect(call).toThrow(expect.objectContaining({ code: 'ERR_SCHEDULER_STOPPED' }));
    expect(() => scheduler.start()).toThrow(SchedulerStateError);
  });

  it('stop() called from inside a job: jobs due at the same instant after it do not run', async () => {
    const { clock, scheduler } = setup();
    const ran: string[] = [];
    scheduler.onceAfter(1, () => {
      ran.push('stopper');
      void scheduler.stop();
    });
    scheduler.onceAfter(1, () => ran.push('same instant, queued later'));
    scheduler.repeatEvery(0.5, () => ran.push('every 0.5 s'));
    await clock.advance(5);
    expect(ran).toEqual(['every 0.5 s', 'stopper']);
  });

  it('loopForever() before start() throws; after stop() it resolves at once', async () => {
    const scheduler = new Scheduler({ clock: new ManualClock() });
    expect(() => scheduler.loopForever()).toThrow(SchedulerStateError);
    scheduler.start();
    await scheduler.stop();
    await expect(scheduler.loopForever()).resolves.toBeUndefined();
  });

  it('stop() runs nothing more, awaits running jobs, and loopForever() resolves after it', async () => {
    const { clock, scheduler } = setup();
    let finish: () => void = () => undefined;
    const events: string[] = [];
    scheduler.onceAfter(1, async () => {
      events.push('job started');
      await new Promise<void>((resolve) => (finish = resolve));
      events.push('job finished');
    });
    scheduler.repeatEvery(2, () => events.push('should not run'));
    const looping = scheduler.loopForever().then(() => events.push('loopForever resolved'));
    await clock.advance(1);
    const stopping = scheduler.stop().then(() => events.push('stop resolved'));
    await clock.advance(10);
    expect(events).toEqual(['job started']);
    finish();
    await Promise.all([stopping, looping]);
    expect(events.slice(0, 2)).toEqual(['job started', 'job finished']);
    expect(events.slice(2).sort()).toEqual(['loopForever resolved', 'stop resolved']);
    expect(scheduler.jobs()).toEqual([]);
  });
});
