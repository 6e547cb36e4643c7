import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock, type Clock } from '../../src/scheduler/index.js';
import { bareClock, onManualClock, runLog, startScheduler, stopStartedSchedulers } from './support.js';

const HOUR = 3_600_000;

const iso = (ms: number) => new Date(ms).toISOString();

afterEach(stopStartedSchedulers);

describe('wall-clock steps (NTP)', () => {
  // Changed from "each wall job runs once after the step": a step is not elapsed time,
  // so a slot the clock jumped over was not missed (issue 10); only onceWhen, a fixed
  // time now past, runs at once.
  it('after a +1 h step no slot the step jumped over runs; a onceWhen now past runs at once; then aligned', async () => {
    const { clock, scheduler } = onManualClock('2026-05-10T12:00:30.000Z');
    const log = runLog(clock);
    scheduler.repeatOClock(60, log.note('minute'));
    scheduler.repeatCron('*/5 * * * *', log.note('cron'));
    scheduler.onceOClock(3600, log.note('hour'));
    scheduler.onceWhen(new Date('2026-05-10T12:30:00Z'), log.note('once'));
    clock.setWallTime(new Date(clock.now() + HOUR));
    expect(await log.after(0)).toEqual(['once 2026-05-10T13:00:30.000Z']);
    log.runs.length = 0;
    expect(await log.after(5 * 60)).toEqual([
      'minute 2026-05-10T13:01:00.000Z',
      'minute 2026-05-10T13:02:00.000Z',
      'minute 2026-05-10T13:03:00.000Z',
      'minute 2026-05-10T13:04:00.000Z',
      'cron 2026-05-10T13:05:00.000Z', // queued since 12:00:30, before the minute job's latest re-queue
      'minute 2026-05-10T13:05:00.000Z',
    ]);
    expect(
      scheduler
        .jobs()
        .find((j) => j.kind === 'onceOClock')
        ?.nextRun?.toISOString(),
    ).toBe('2026-05-10T14:00:00.000Z');
  });

  it('a Pi booting in 1970 set by NTP to a Wednesday 14:00 sends neither the daily 08:00 nor the Monday 08:00 digest until their next real slot', async () => {
    const { clock, scheduler } = onManualClock(0, { timeZone: 'UTC' });
    const log = runLog(clock);
    scheduler.repeatCron('0 8 * * *', log.note('daily'));
    scheduler.repeatCron('0 8 * * 1', log.note('weekly'));
    await clock.advance(40); // boot, then NTP answers
    clock.setWallTime(new Date('2026-05-13T14:00:00.000Z')); // a Wednesday
    expect(await log.after(0)).toEqual([]);
    await clock.advance(18 * 3600); // to Thursday 08:00
    expect(log.runs).toEqual(['daily 2026-05-14T08:00:00.000Z']);
    await clock.advance(4 * 86_400); // to Monday 08:00
    expect(log.runs).toEqual([
      'daily 2026-05-14T08:00:00.000Z',
      'daily 2026-05-15T08:00:00.000Z',
      'daily 2026-05-16T08:00:00.000Z',
      'daily 2026-05-17T08:00:00.000Z',
      'weekly 2026-05-18T08:00:00.000Z', // queued since boot, before the daily job's latest re-queue
      'daily 2026-05-18T08:00:00.000Z',
    ]);
  });

  it('a slot that went by in real time while the clock was behind runs once when NTP corrects it', async () => {
    // The clock runs 3 min slow. Real 08:00 passes at 07:57 on it; NTP steps it at real
    // 08:01, so 08:00 was really missed: the daily job runs then, once, and so do the
    // hourly and the 5-minute jobs, whose 08:00 slot passed too. Then all are on time.
    const { clock, scheduler } = onManualClock('2026-05-13T06:57:00.000Z', { timeZone: 'UTC' });
    const log = runLog(clock);
    scheduler.repeatCron('0 8 * * *', log.note('daily'));
    scheduler.repeatOClock(3600, log.note('hourly'));
    scheduler.repeatOClock(300, log.note('5 min'));
    await clock.advance(3600); // to 07:57 on the slow clock: 07:00 … 07:55 ran
    log.runs.length = 0;
    await clock.advance(60); // 07:58, real 08:01
    clock.setWallTime(new Date('2026-05-13T08:01:00.000Z'));
    expect(await log.after(0)).toEqual([
      'daily 2026-05-13T08:01:00.000Z',
      'hourly 2026-05-13T08:01:00.000Z',
      '5 min 2026-05-13T08:01:00.000Z',
    ]);
    await clock.advance(4 * 60);
    expect(log.runs.slice(3)).toEqual(['5 min 2026-05-13T08:05:00.000Z']);
    expect(scheduler.jobs().map((j) => j.nextRun?.toISOString())).toEqual([
      '2026-05-14T08:00:00.000Z',
      '2026-05-13T09:00:00.000Z',
      '2026-05-13T08:10:00.000Z',
    ]);
  });

  it('two forward steps in a row: only the real time since planning counts, on the latest clock', async () => {
    const { clock, scheduler } = onManualClock('2026-05-13T07:59:00.000Z', { timeZone: 'UTC' });
    const log = runLog(clock);
    scheduler.repeatCron('0 8 * * *', log.note());
    await clock.advance(30);
    clock.setWallTime(new Date('2026-05-13T10:00:00.000Z')); // +2 h: 08:00 was jumped over
    clock.setWallTime(new Date('2026-05-13T10:00:10.000Z')); // and +10 s more
    expect(await log.after(0)).toEqual([]);
    expect(scheduler.jobs()[0]?.nextRun?.toISOString()).toBe('2026-05-14T08:00:00.000Z');
  });

  it("after a −1 h step an hourly o'clock job and a cron job do not run their last slot again", async () => {
    const { clock, scheduler } = onManualClock('2026-05-10T12:59:00.000Z');
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
    const { clock, scheduler } = onManualClock('2026-05-10T12:00:50.000Z');
    const log = runLog(clock);
    scheduler.repeatOClock(60, log.note());
    await clock.advance(10.5); // runs 12:01:00, now 12:01:00.5
    clock.setWallTime(new Date('2026-05-10T12:00:58.000Z'));
    await clock.advance(120);
    expect(iso(clock.now())).toBe('2026-05-10T12:02:58.000Z');
    expect(log.runs).toEqual(['2026-05-10T12:01:00.000Z', '2026-05-10T12:02:00.000Z']);
  });

  it('after a −1 h step repeatOClock(60) keeps running every minute on the minute of the new time', async () => {
    const { clock, scheduler } = onManualClock('2026-05-10T12:00:30.000Z');
    const log = runLog(clock);
    scheduler.repeatOClock(60, log.note());
    await clock.advance(60); // 12:01:00, now 12:01:30
    clock.setWallTime(new Date(clock.now() - HOUR)); // 11:01:30
    expect(await log.after(90)).toEqual([
      '2026-05-10T12:01:00.000Z',
      '2026-05-10T11:02:00.000Z',
      '2026-05-10T11:03:00.000Z',
    ]);
  });

  it('relative jobs (onceAfter, repeatEvery) follow the monotonic clock and ignore steps both ways', async () => {
    const { clock, scheduler } = onManualClock('2026-05-10T12:00:00.000Z');
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

  // Changed from "each job runs once": the per-second job's 12:00:01 slot had not come
  // when the step landed at 12:00:00.5 (only the minute's 12:00:00 went by in the 10 s
  // since boot, as the new clock counts), so the second job no longer runs at once.
  it('a Pi booting at 1970 then set by NTP (+56 years) does not flood: only slots in the real time since boot run, once', async () => {
    const { clock, scheduler } = onManualClock(0);
    const counts = { second: 0, minute: 0, cron: 0, every: 0 };
    scheduler.repeatOClock(1, () => counts.second++);
    scheduler.repeatOClock(60, () => counts.minute++);
    scheduler.repeatCron('* * * * *', () => counts.cron++);
    scheduler.repeatEvery(1, () => counts.every++);
    await clock.advance(10);
    expect(counts).toEqual({ second: 10, minute: 0, cron: 0, every: 10 });
    clock.setWallTime(new Date('2026-05-10T12:00:00.500Z'));
    await clock.advance(0);
    expect(counts).toEqual({ second: 10, minute: 1, cron: 1, every: 10 });
    await clock.advance(5);
    expect(counts).toEqual({ second: 15, minute: 1, cron: 1, every: 15 });
  });

  it('with a clock that reports its steps, advancing two years wakes the timer only for due work', async () => {
    const manual = new ManualClock(new Date('2026-01-01T00:00:00Z'));
    let timersArmed = 0;
    const scheduler = startScheduler({
      clock: bareClock(manual, { reportSteps: true, onSetTimer: () => timersArmed++ }),
    });
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
    const polled = bareClock(manual, { onSetTimer: () => timersArmed++ });
    const scheduler = startScheduler({ clock: polled }); // clockCheck 10 s
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
    const scheduler = startScheduler({ clock: bareClock(manual), clockCheck: 5 });
    const log = runLog(manual);
    scheduler.onceWhen(new Date('2026-05-10T12:30:00Z'), log.note());
    await manual.advance(1);
    manual.setWallTime(new Date('2026-05-10T13:00:00.000Z'));
    expect(await log.after(3.9)).toEqual([]);
    expect(await log.after(0.1)).toEqual(['2026-05-10T13:00:04.000Z']);
  });

  it("with a clock that does not report steps, a backward step re-plans o'clock jobs at the next check", async () => {
    const manual = new ManualClock(new Date('2026-05-10T12:00:30.000Z'));
    const scheduler = startScheduler({ clock: bareClock(manual) }); // clockCheck 10 s
    const log = runLog(manual);
    scheduler.repeatOClock(60, log.note());
    manual.setWallTime(new Date('2026-05-10T11:00:30.000Z'));
    expect(await log.after(60)).toEqual(['2026-05-10T11:01:00.000Z']);
  });

  it('with a clock that does not report steps, a slot that passed between the step and the check runs once at the check', async () => {
    const manual = new ManualClock(new Date('2026-05-10T12:00:30.000Z'));
    const scheduler = startScheduler({ clock: bareClock(manual) }); // clockCheck 10 s
    const runs: string[] = [];
    scheduler.repeatOClock(60, () => runs.push(iso(manual.now())));
    await manual.advance(1);
    manual.setWallTime(new Date('2026-05-10T13:00:55.000Z')); // +1 h 24 s, not reported
    await manual.advance(8.9); // 13:01:03.9: the step is not seen yet
    expect(runs).toEqual([]);
    await manual.advance(0.1); // the check at 10 s: 13:01:04, and 13:01:00 went by 4 s ago
    expect(runs).toEqual(['2026-05-10T13:01:04.000Z']);
    await manual.advance(60);
    expect(runs).toEqual(['2026-05-10T13:01:04.000Z', '2026-05-10T13:02:00.000Z']);
  });

  it.each(['before', 'after'] as const)(
    'with a clock that does not report steps, a look preempted %s its wall reading is not taken for a step',
    async (where) => {
      // A loaded Pi: at the first timer the process is descheduled for 150 ms next to
      // reading the wall clock, so the offset between the wall and the monotonic clock
      // seems to move by 150 ms. Taken for a forward step, the job planned 100 ms before
      // its 12:00:01 slot would count that slot as not lived through and skip it.
      const manual = new ManualClock(new Date('2026-05-10T12:00:00.900Z'));
      let pausedMs = 0;
      let last: 'now' | 'monotonic' | null = null;
      const pause = (after: 'now' | 'monotonic') => {
        if (last === after && pausedMs === 0 && manual.monotonic() >= 100) pausedMs = 150;
      };
      const polled: Clock = {
        now: () => {
          if (where === 'before') pause('monotonic');
          last = 'now';
          return manual.now() + pausedMs;
        },
        monotonic: () => {
          if (where === 'after') pause('now');
          last = 'monotonic';
          return manual.monotonic() + pausedMs;
        },
        setTimer: (callback, delayMs) => manual.setTimer(callback, delayMs),
        clearTimer: (handle) => manual.clearTimer(handle),
      };
      const scheduler = startScheduler({ clock: polled });
      const runs: string[] = [];
      scheduler.repeatOClock(1, () => runs.push(new Date(polled.now()).toISOString().slice(11, 23)));
      await manual.advance(3.2);
      expect(pausedMs).toBe(150);
      expect(runs.map((r) => r.slice(0, 8))).toEqual(['12:00:01', '12:00:02', '12:00:03', '12:00:04']);
    },
  );
});
