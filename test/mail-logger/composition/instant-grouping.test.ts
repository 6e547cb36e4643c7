import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MailLoggerClient } from '../../../src/mail-logger/index.js';
import type { ManualClock } from '../../../src/scheduler/index.js';
import type { SmtpSink } from '../../helpers/smtp-sink.js';
import { startManualMailWorld, type ManualMailWorld } from '../fixtures.js';

/** Count of records a mail accounts for, from its subject `[LEVEL ×N] ...` (no ×: 1). */
function countOf(subject: string): number {
  const m = /^\[[A-Z]+(?: ×(\d+))?\]/.exec(subject);
  if (!m) throw new Error(`not an instant subject: ${subject}`);
  return m[1] === undefined ? 1 : Number(m[1]);
}

describe('instant mails: grouped, rate-limited, on a ManualClock', () => {
  let world: ManualMailWorld;
  let sink: SmtpSink;
  let clock: ManualClock;
  let logger: MailLoggerClient;

  beforeEach(async () => {
    world = await startManualMailWorld({
      start: new Date('2024-03-04T10:00:00Z'),
      timeZone: 'UTC',
      client: { maxBufferedRecords: 20_000 },
    });
    ({ sink, clock, logger } = world);
  });
  afterEach(() => world.dispose());

  /** Moves the manual clock, then waits until the daemon has mailed `count` in total and is idle. */
  async function advanceAndExpect(seconds: number, count: number): Promise<void> {
    await clock.advance(seconds);
    await sink.waitFor(count);
    await world.quiescent();
    expect(sink.messages).toHaveLength(count);
  }

  it('two unrelated alerts a minute apart are each mailed 25 ms after they arrive', async () => {
    logger.alert('pump 1 stopped');
    await logger.flush();
    await clock.advance(0.02);
    await world.quiescent();
    expect(sink.messages).toHaveLength(0);
    await advanceAndExpect(0.005, 1);
    await clock.advance(60);
    logger.alert('door open');
    await logger.flush();
    await advanceAndExpect(0.025, 2);
    expect(sink.messages.map((m) => m.subject)).toEqual([
      '[ALERT] raspimon_dca632112233: pump 1 stopped',
      '[ALERT] raspimon_dca632112233: door open',
    ]);
  });

  it('a burst of 10,000 errors in a minute yields at most 7 mails that account for all 10,000; an alert an hour later arrives within 2 s', async () => {
    for (let second = 0; second < 60; second++) {
      const n = second < 40 ? 167 : 166;
      for (let i = 0; i < n; i++) logger.error(`sensor ${i % 5} timeout`, { second });
      await logger.flush();
      await clock.advance(1);
      await world.quiescent();
    }
    await world.quiescent();
    const early = sink.messages.length;
    expect(early).toBe(6); // at 0.025 s, then 1 s apart; the rest is held
    await clock.advance(600);
    await sink.waitFor(7);
    await world.quiescent();
    expect(sink.messages).toHaveLength(7);
    const counts = sink.messages.map((m) => countOf(m.subject));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(10_000);
    // identical messages collapse with a count
    expect(sink.messages[6]!.text).toMatch(/sensor 0 timeout/);
    expect(sink.messages[6]!.text).toMatch(/\[×\d+, first \d{4}-\d\d-\d\d \d\d:\d\d:\d\d, last /);
    expect(sink.messages[6]!.text.split('\n').filter((l) => l.includes('timeout'))).toHaveLength(5);

    await clock.advance(3600);
    logger.alert('boiler pressure low');
    await logger.flush();
    await clock.advance(1);
    await sink.waitFor(8);
    expect(sink.messages[7]!.subject).toBe('[ALERT] raspimon_dca632112233: boiler pressure low');
  });

  it('after a burst of 10,000 ERRORs in a minute, an ALERT 2 min later and an ERROR not in the burst are each mailed within groupWait; the burst stays grouped', async () => {
    for (let second = 0; second < 60; second++) {
      for (let i = 0; i < 167; i++) logger.error(`sensor ${i % 5} timeout after ${100 + i} ms`);
      await logger.flush();
      await clock.advance(1);
      await world.quiescent();
    }
    await world.quiescent();
    expect(sink.messages).toHaveLength(6); // then the burst's group is held
    await clock.advance(60);
    logger.alert('boiler pressure low');
    await logger.flush();
    await clock.advance(1); // groupWait
    await sink.waitFor(7);
    const alertMail = sink.messages[6]!;
    expect(alertMail.subject).toMatch(/^\[ALERT ×\d+\] raspimon_dca632112233: boiler pressure low$/);
    // The held burst rides along, collapsed: one line per distinct message, not one per record.
    expect(alertMail.text.split('\n').filter((l) => l.includes('timeout after')).length).toBeLessThanOrEqual(
      167,
    );
    await clock.advance(5);
    logger.error('disk 97% full');
    for (let i = 0; i < 50; i++) logger.error(`sensor 1 timeout after ${i} ms`); // still the burst
    await logger.flush();
    await clock.advance(1);
    await sink.waitFor(8);
    expect(sink.messages[7]!.text).toContain('disk 97% full');
    await clock.advance(30);
    for (let i = 0; i < 50; i++) logger.error(`sensor 2 timeout after ${i} ms`);
    await logger.flush();
    await clock.advance(2);
    await world.quiescent();
    expect(sink.messages).toHaveLength(8); // the burst alone sends nothing until the window ends
    await clock.advance(600);
    await sink.waitFor(9);
    await world.quiescent();
    expect(sink.messages).toHaveLength(9);
    const counts = sink.messages.map((m) => countOf(m.subject));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(60 * 167 + 1 + 1 + 100);
  });

  it('differently worded ERRORs cause at most 30 mails per window (5 × maxInstantMails), yet a new ALERT still gets through', async () => {
    const words = ['pump', 'valve', 'fan', 'relay', 'door', 'gate', 'lamp', 'heater'];
    for (let i = 0; i < 40; i++) {
      logger.error(`${words[i % 8]} ${words[Math.floor(i / 8)]} failed`);
      await logger.flush();
      await clock.advance(1.5);
      await world.quiescent();
    }
    await world.quiescent();
    expect(sink.messages).toHaveLength(30);
    logger.alert('smoke in the server room');
    await logger.flush();
    await clock.advance(1);
    await sink.waitFor(31);
    expect(sink.messages[30]!.subject).toMatch(
      /^\[ALERT ×\d+\] raspimon_dca632112233: smoke in the server room$/,
    );
  });

  it('identical messages in one instant mail collapse with count and first/last time', async () => {
    for (let i = 0; i < 12; i++) logger.error('sensor timeout');
    logger.warning('disk 91% full');
    await logger.flush();
    await advanceAndExpect(1, 1);
    const [mail] = sink.messages;
    expect(mail!.subject).toBe('[ERROR ×13] raspimon_dca632112233: sensor timeout');
    expect(mail!.text).toMatch(
      /== ERROR \(12\) ==\n-- raspimon_dca632112233 \(12\)\n {2}\[×12, first .*, last .*\] sensor timeout/,
    );
    expect(mail!.text).toMatch(/== WARNING \(1\) ==/);
  });
});
