// The daemon's daily and weekly digests across wall-clock steps (issue 10, "also found"):
// a step is not elapsed time, so a digest runs at a step only if its slot really went by.
import { afterEach, describe, expect, it } from 'vitest';
import { Level, Schedule } from '../../src/mail-logger/index.js';
import type { SinkMessage } from '../helpers/smtp-sink.js';
import { startManualMailWorld, type ManualMailWorld } from './fixtures.js';

let world: ManualMailWorld | undefined;

afterEach(async () => {
  await world?.dispose();
  world = undefined;
});

const kinds = (messages: readonly SinkMessage[]) =>
  messages.map((m) => m.headers.get('x-raspimon-mail-kind') as string);

/**
 * Moves the ManualClock on to the wall time `iso`. The steps are absolute: a second the
 * delivery helper below moved the clock on for an SMTP retry is not carried into the next step
 * (a relative "advance to Monday 07:59:59" after such a nudge landed past 08:00).
 */
async function advanceTo(w: ManualMailWorld, iso: string): Promise<void> {
  const seconds = (Date.parse(iso) - w.clock.now()) / 1000;
  expect(seconds).toBeGreaterThanOrEqual(0);
  await w.clock.advance(seconds);
}

/**
 * Waits for the sink to hold `count` mails. These tests are about when digests are composed,
 * not about SMTP retries: if an attempt failed transiently on a loaded machine, its retry
 * waits on the ManualClock, so once the daemon is idle with a mail in its outbox the clock is
 * moved on a second (a few seconds change no digest slot here; the next step is absolute).
 */
async function mailsDelivered(w: ManualMailWorld, count: number): Promise<SinkMessage[]> {
  for (let nudges = 0; w.sink.messages.length < count; nudges++) {
    await w.quiescent();
    if (w.sink.messages.length >= count) break;
    expect(w.server.stats().outbox, 'a composed mail waits for its retry').toBeGreaterThan(0);
    expect(nudges, 'SMTP retries of one mail').toBeLessThan(60);
    await w.clock.advance(1);
  }
  await w.quiescent();
  return [...w.sink.messages];
}

describe('digests across wall-clock steps (daemon on a ManualClock, real SMTP sink)', () => {
  it('a Pi booting in 1970 set by NTP to a Wednesday 14:00 mails no digest at the step, one daily at Thursday 08:00 and one weekly at Monday 08:00', async () => {
    world = await startManualMailWorld({ start: new Date(0), timeZone: 'UTC' });
    const { sink, clock, server, logger } = world;
    logger.config(Level.WARNING, Schedule.WEEKLY);
    logger.info('booted, clock still in 1970');
    logger.warning('no RTC: time unknown until NTP answers');
    await logger.flush();
    await clock.advance(40); // boot, then NTP answers
    await world.quiescent();
    expect(server.stats()).toMatchObject({ pendingDaily: 1, pendingWeekly: 1 });

    clock.setWallTime(new Date('2026-05-13T14:00:00.000Z')); // a Wednesday
    await clock.advance(0);
    await world.quiescent();
    expect(sink.messages).toHaveLength(0);
    expect(server.stats()).toMatchObject({ pendingDaily: 1, pendingWeekly: 1, outbox: 0 });

    logger.info('clock set by NTP');
    await logger.flush();
    await advanceTo(world, '2026-05-14T07:59:59.000Z'); // Thursday 07:59:59
    await world.quiescent();
    expect(sink.messages).toHaveLength(0);
    await advanceTo(world, '2026-05-14T08:00:00.000Z');
    const [daily] = await mailsDelivered(world, 1);
    await world.quiescent();
    expect(kinds(sink.messages)).toEqual(['daily']);
    expect(daily!.subject).toBe('[Daily digest ×2] raspimon_dca632112233: 2 INFO');
    expect(daily!.text).toContain('booted, clock still in 1970');
    expect(daily!.text).toContain('clock set by NTP');
    expect(daily!.text).not.toContain('no RTC');

    // Daily digests with nothing pending send no mail; the weekly one waits for Monday.
    await advanceTo(world, '2026-05-18T07:59:59.000Z'); // Monday 07:59:59
    await world.quiescent();
    expect(kinds(sink.messages)).toEqual(['daily']);
    await advanceTo(world, '2026-05-18T08:00:00.000Z'); // Monday 08:00
    const weekly = (await mailsDelivered(world, 2))[1]!;
    await world.quiescent();
    expect(kinds(sink.messages)).toEqual(['daily', 'weekly']);
    expect(weekly.subject).toBe('[Weekly digest ×1] raspimon_dca632112233: 1 WARNING');
    expect(weekly.text).toContain('no RTC: time unknown until NTP answers');
    expect(server.stats()).toMatchObject({ pendingDaily: 0, pendingWeekly: 0 });
  });

  it('a daily slot that real time went through while the clock was right mails its digest once; an NTP step back over it does not mail it again', async () => {
    world = await startManualMailWorld({ start: new Date('2026-05-13T07:58:00.000Z'), timeZone: 'UTC' });
    const { sink, clock, logger } = world;
    logger.info('before the slot');
    await logger.flush();
    await clock.advance(3 * 60); // 08:01: real time went through 08:00
    const [daily] = await mailsDelivered(world, 1);
    await world.quiescent();
    expect(kinds(sink.messages)).toEqual(['daily']);
    expect(daily!.text).toContain('before the slot');

    logger.info('after the slot');
    await logger.flush();
    clock.setWallTime(new Date('2026-05-13T07:58:00.000Z')); // NTP: −3 min
    await advanceTo(world, '2026-05-13T08:03:00.000Z'); // through 08:00 again by the corrected clock
    await world.quiescent();
    expect(kinds(sink.messages)).toEqual(['daily']);
    await advanceTo(world, '2026-05-14T08:03:00.000Z'); // Thursday 08:03
    const second = (await mailsDelivered(world, 2))[1]!;
    await world.quiescent();
    expect(kinds(sink.messages)).toEqual(['daily', 'daily']);
    expect(second.text).toContain('after the slot');
    expect(second.text).not.toContain('before the slot');
  });

  it('a daily slot that went by in real time while the clock ran 3 min slow mails its digest once, when NTP corrects the clock', async () => {
    // Real 08:00 passes at 07:57 on the slow clock; NTP steps it at real 08:01.
    world = await startManualMailWorld({ start: new Date('2026-05-13T07:55:00.000Z'), timeZone: 'UTC' });
    const { sink, clock, logger } = world;
    logger.info('while the clock ran slow');
    await logger.flush();
    await clock.advance(3 * 60); // 07:58 on the clock, real 08:01
    await world.quiescent();
    expect(sink.messages).toHaveLength(0);
    clock.setWallTime(new Date('2026-05-13T08:01:00.000Z'));
    await clock.advance(0);
    const [daily] = await mailsDelivered(world, 1);
    expect(daily!.text).toContain('while the clock ran slow');
    logger.info('after the correction');
    await logger.flush();
    await advanceTo(world, '2026-05-13T08:11:00.000Z'); // the slot is not run again
    await world.quiescent();
    expect(kinds(sink.messages)).toEqual(['daily']);
  });
});
