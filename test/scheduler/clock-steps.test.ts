import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock, Scheduler, type Clock } from '../../src/scheduler/index.js';

const HOUR = 3_600_000;
const schedulers: Scheduler[] = [];

function setup(start: string, clock: Clock = new ManualClock(new Date(start))) {
  const scheduler = new Scheduler({ clock }).start();
  schedulers.push(scheduler);
  return scheduler;
}

const iso = (ms: number) => new Date(ms).toISOString();

afterEach(async () => {
  await Promise.all(schedulers.splice(0).map((s) => s.stop()));
});

describe('wall-clock steps (NTP)', () => {
  it('after a +1 h step each wall job runs once (coalesced), then stays aligned', async () => {
    const clock = new ManualClock(new Date('2026-05-10T12:00:30.000Z'));
    const scheduler = setup('', clock);
    const runs: string[] = [];
    scheduler.repeatOClock(60, () => runs.push(`minute ${iso(clock.now())}`));
    scheduler.repeatCron('*/5 * * * *', () => runs.push(`cron ${iso(clock.now())}`));
    scheduler.onceWhen(new Date('2026-05-10T12:30:00Z'), () => runs.push(`once ${iso(clock.now())}`));
    clock.setWallTime(new Date(clock.now() + HOUR));
    await clock.advance(0);
    expect(runs.sort()).toEqual([
      'cron 2026-05-10T13:00:30.000Z',
      'minute 2026-05-10T13:00:30.000Z',
      'once 2026-05-10T13:00:30.000Z',
    ]);
    runs.length = 0;
    await clock.advance(5 * 60);
    expect(runs).toEqual([
      'minute 2026-05-10T13:01:00.000Z',
      'minute 2026-05-10T13:02:00.000Z',
      'minute 2026-05-10T13:03:00.000Z',
      'minute 2026-05-10T13:04:00.000Z',
      'cron 2026-05-10T13:05:00.000Z', // queued since 13:00:30, before the minute job's latest re-queue
      'minute 2026-05-10T13:05:00.000Z',
    ]);
  });

  it("after a −1 h step an hourly o'clock job and a cron job do not run their last slot again", async () => {
    const clock = new ManualClock(new Date('2026-05-10T12:59:00.000Z'));
    const scheduler = setup('', clock);
    const slots: string[] = [];
    scheduler.repeatOClock(3600, () => slots.push(`hourly ${iso(clock.now())}`));
    scheduler.repeatCron('0 13 * * *', () => slots.push(`daily ${iso(clock.now())}`));
    await clock.advance(61); // both run at 13:00:00
    clock.setWallTime(new Date(clock.now() - HOUR)); // 12:00:01 again
    await clock.advance(3 * 3600);
    expect(slots).toEqual([
      'hourly 2026-05-10T13:00:00.000Z',
      'daily 2026-05-10T13:00:00.000Z',
      'hourly 2026-05-10T14:00:00.000Z', // not 13:00 a second time
      'hourly 2026-05-10T15:00:00.000Z',
    ]);
  });

  it('after a small step back right after a run, repeatOClock(60) does not repeat that minute', async () => {
    const clock = new ManualClock(new Date('2026-05-10T12:00:50.000Z'));
    const scheduler = setup('', clock);
    const runs: string[] = [];
    scheduler.repeatOClock(60, () => runs.push(iso(clock.now())));
    await clock.advance(10.5); // runs 12:01:00, now 12:01:00.5
    clock.setWallTime(new Date('2026-05-10T12:00:58.000Z'));
    await clock.advance(120);
    expect(iso(clock.now())).toBe('2026-05-10T12:02:58.000Z');
    expect(runs).toEqual(['2026-05-10T12:01:00.000Z', '2026-05-10T12:02:00.000Z']);
  });

  it('after a −1 h step repeatOClock(60) keeps running every minute on the minute of the new time', async () => {
    const clock = new ManualClock(new Date('2026-05-10T12:00:30.000Z'));
    const scheduler = setup('', clock);
    const runs: string[] = [];
    scheduler.repeatOClock(60, () => runs.push(iso(clock.now())));
    await clock.advance(60); // 12:01:00, now 12:01:30
    clock.setWallTime(new Date(clock.now() - HOUR)); // 11:01:30
    await clock.advance(90);
    expect(runs).toEqual([
      '2026-05-10T12:01:00.000Z',
      '2026-05-10T11:02:00.000Z',
      '2026-05-10T11:03:00.000Z',
    ]);
  });

  it('relative jobs (onceAfter, repeatEvery) follow the monotonic clock and ignore steps both ways', async () => {
    const clock = new ManualClock(new Date('2026-05-10T12:00:00.000Z'));
    const scheduler = setup('', clock);
    const runs: string[] = [];
    scheduler.repeatEvery(10, () => runs.push(`every ${clock.monotonic()}`));
    scheduler.onceAfter(25, () => runs.push(`once ${clock.monotonic()}`));
    await clock.advance(5);
    clock.setWallTime(new Date(clock.now() + HOUR));
    await clock.advance(10);
    clock.setWallTime(new Date(clock.now() - 2 * HOUR));
    await clock.advance(15);
    expect(runs).toEqual(['every 10000', 'every 20000', 'once 25000', 'every 30000']);
  });

  it('a Pi booting at 1970 then set by NTP (+56 years) does not flood: each job runs once, then on schedule', async () => {
    const clock = new ManualClock(new Date(0));
    const scheduler = setup('', clock);
    const counts = { second: 0, minute: 0, cron: 0, every: 0 };
    scheduler.repeatOClock(1, () => counts.second++);
    scheduler.repeatOClock(60, () => counts.minute++);
    scheduler.repeatCron('* * * * *', () => counts.cron++);
    scheduler.repeatEvery(1, () => counts.every++);
    await clock.advance(10);
    expect(counts).toEqual({ second: 10, minute: 0, cron: 0, every: 10 });
    clock.setWallTime(new Date('2026-05-10T12:00:00.500Z'));
    await clock.advance(0);
    expect(counts).toEqual({ second: 11, minute: 1, cron: 1, every: 10 });
    await clock.advance(5);
    expect(counts).toEqual({ second: 16, minute: 1, cron: 1, every: 15 });
  });

  it('with a clock that reports its steps, advancing two years wakes the timer only for due work', async () => {
    const manual = new ManualClock(new Date('2026-01-01T00:00:00Z'));
    let timersArmed = 0;
    const counting: Clock = {
      now: () => manual.now(),
      monotonic: () => manual.monotonic(),
      setTimer: (callback, delayMs) => {
        timersArmed++;
        return manual.setTimer(callback, delayMs);
      },
      clearTimer: (handle) => manual.clearTimer(handle),
      onStep: (listener) => manual.onStep(listener),
    };
    const scheduler = setup('', counting);
    let ran = 0;
    scheduler.onceWhen(new Date('2028-01-01T00:00:00Z'), () => ran++);
    await manual.advance(2 * 365 * 86_400);
    expect(ran).toBe(1);
    // 730 days in 24.8-day chunks: about 30 wake-ups, not one per clockCheck (6.3 million).
    expect(timersArmed).toBeLessThan(40);
  });

  it('with a clock that does not report steps, only wall jobs bring clock checks; relative jobs alone do not', async () => {
    const manual = new ManualClock(new Date('2026-05-10T12:00:00.000Z'));
    let timersArmed = 0;
    const polled: Clock = {
      now: () => manual.now(),
      monotonic: () => manual.monotonic(),
      setTimer: (callback, delayMs) => {
        timersArmed++;
        return manual.setTimer(callback, delayMs);
      },
      clearTimer: (handle) => manual.clearTimer(handle),
    };
    const scheduler = new Scheduler({ clock: polled }).start(); // clockCheck 10 s
    schedulers.push(scheduler);
    scheduler.repeatEvery(3600, () => undefined);
    await manual.advance(86_400);
    expect(timersArmed).toBe(25); // one per run (24) and the first arming: no polling
    timersArmed = 0;
    scheduler.repeatOClock(86_400, () => undefined);
    await manual.advance(3600);
    expect(timersArmed).toBeGreaterThanOrEqual(360); // a check every 10 s while a wall job waits
    expect(timersArmed).toBeLessThanOrEqual(362);
  });

  it('with a clock that does not report steps, a forward step is noticed within clockCheck seconds', async () => {
    const manual = new ManualClock(new Date('2026-05-10T12:00:00.000Z'));
    const polled: Clock = {
      now: () => manual.now(),
      monotonic: () => manual.monotonic(),
      setTimer: (callback, delayMs) => manual.setTimer(callback, delayMs),
      clearTimer: (handle) => manual.clearTimer(handle),
    };
    const scheduler = new Scheduler({ clock: polled, clockCheck: 5 }).start();
    schedulers.push(scheduler);
    const runs: string[] = [];
    scheduler.onceWhen(new Date('2026-05-10T12:30:00Z'), () => runs.push(iso(manual.now())));
    await manual.advance(1);
    manual.setWallTime(new Date('2026-05-10T13:00:00.000Z'));
    await manual.advance(3.9);
    expect(runs).toEqual([]);
    await manual.advance(0.1);
    expect(runs).toEqual(['2026-05-10T13:00:04.000Z']);
  });

  it("with a clock that does not report steps, a backward step re-plans o'clock jobs at the next check", async () => {
    const manual = new ManualClock(new Date('2026-05-10T12:00:30.000Z'));
    const polled: Clock = {
      now: () => manual.now(),
      monotonic: () => manual.monotonic(),
      setTimer: (callback, delayMs) => manual.setTimer(callback, delayMs),
      clearTimer: (handle) => manual.clearTimer(handle),
    };
    const scheduler = new Scheduler({ clock: polled }).start(); // clockCheck 10 s
    schedulers.push(scheduler);
    const runs: string[] = [];
    scheduler.repeatOClock(60, () => runs.push(iso(manual.now())));
    manual.setWallTime(new Date('2026-05-10T11:00:30.000Z'));
    await manual.advance(60);
    expect(runs).toEqual(['2026-05-10T11:01:00.000Z']);
  });
});
