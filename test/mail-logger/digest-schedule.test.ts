import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MailLoggerClient, MailLoggerServer } from '../../src/mail-logger/index.js';
import { Level, Schedule } from '../../src/mail-logger/index.js';
import type { ManualClock } from '../../src/scheduler/index.js';
import type { SmtpSink } from '../helpers/smtp-sink.js';
import { startManualMailWorld, type ManualMailWorld } from './fixtures.js';

describe('digests through the Scheduler (ManualClock, cron in a time zone)', () => {
  let world: ManualMailWorld;
  let sink: SmtpSink;
  let clock: ManualClock;
  let server: MailLoggerServer;
  let logger: MailLoggerClient;

  beforeEach(async () => {
    world = await startManualMailWorld({
      start: new Date('2024-03-03T06:00:00Z'),
      timeZone: 'Europe/Madrid',
    });
    ({ sink, clock, server, logger } = world);
  });
  afterEach(() => world.dispose());

  it('sends the daily digest at 08:00 and the weekly one on Monday 08:00 local time; no mail for an empty digest', async () => {
    logger.config(Level.WARNING, Schedule.WEEKLY);
    logger.info('rotated logs');
    logger.info('rotated logs');
    logger.warning('battery at 20 %');
    await logger.flush();
    await clock.advance(3599);
    await world.quiescent();
    expect(sink.messages).toHaveLength(0);
    await clock.advance(1); // 08:00 Madrid
    const [daily] = await sink.waitFor(1);
    expect(daily!.subject).toBe('[Daily digest ×2] raspimon_dca632112233: 2 INFO');
    expect(daily!.text).toContain('rotated logs');
    expect(daily!.text).not.toContain('battery');
    // Monday 08:00: the daily digest is empty (no mail), the weekly one goes out.
    await clock.advance(24 * 3600);
    await sink.waitFor(2);
    await world.quiescent();
    expect(sink.messages).toHaveLength(2);
    expect(sink.messages[1]!.subject).toBe('[Weekly digest ×1] raspimon_dca632112233: 1 WARNING');
    expect(sink.messages[1]!.text).toContain('battery at 20 %');
    expect(sink.messages[1]!.headers.get('x-raspimon-mail-kind')).toBe('weekly');
  });

  it('routes each level × schedule combination where its schedule says', async () => {
    const levels = Object.values(Level);
    const schedules = Object.values(Schedule);
    for (let round = 0; round < schedules.length; round++) {
      const expected: Record<string, string[]> = { SILENTLY: [], DAILY: [], WEEKLY: [], INSTANTANEOUSLY: [] };
      levels.forEach((level, i) => {
        const schedule = schedules[(i + round) % schedules.length]!;
        logger.config(level, schedule);
        expected[schedule]!.push(`${level} via ${schedule}`);
      });
      for (const level of levels) {
        const method = level.toLowerCase() as 'debug' | 'info' | 'warning' | 'error' | 'alert';
        logger[method](`${level} via ${schedules[(levels.indexOf(level) + round) % schedules.length]!}`);
      }
      await logger.flush();
      const before = sink.messages.length;
      await clock.advance(1);
      if (expected.INSTANTANEOUSLY!.length > 0) await sink.waitFor(before + 1);
      await server.sendDigest('daily');
      await server.sendDigest('weekly');
      const wanted = ['INSTANTANEOUSLY', 'DAILY', 'WEEKLY'].filter((s) => expected[s]!.length > 0).length;
      const mails = (await sink.waitFor(before + wanted)).slice(before);
      await world.quiescent();
      expect(sink.messages).toHaveLength(before + wanted);
      const all = mails.map((m) => m.text).join('\n');
      for (const s of ['INSTANTANEOUSLY', 'DAILY', 'WEEKLY']) {
        const mail = mails.find((m) =>
          s === 'INSTANTANEOUSLY'
            ? m.subject.startsWith('[') && !m.subject.includes('digest')
            : m.subject.includes(s === 'DAILY' ? 'Daily' : 'Weekly'),
        );
        for (const text of expected[s]!) expect(mail?.text, `${text} in round ${round}`).toContain(text);
      }
      for (const text of expected.SILENTLY!) expect(all).not.toContain(text);
    }
  });
});
