// Delivery faults injected into a real SMTP server (smtp-server): 552 to a big digest, an
// announced SIZE, 5xx and 4xx to one mail, a server that hangs in DATA, a refused login, no
// STARTTLS. Each test prints the figure the README's Reliability table quotes.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  MailLoggerClient,
  MailLoggerServer,
  type MailLoggerServerOptions,
} from '../../src/mail-logger/index.js';
import { SmtpSink } from '../helpers/smtp-sink.js';
import { waitFor } from '../helpers/wait.js';
import { startManualMailWorld, tempDir } from './fixtures.js';

interface World {
  server: MailLoggerServer;
  logger: MailLoggerClient;
  logged: string[];
  stateDir: string;
}

/** Lines `… N more records, M occurrences` of a mail, summed. */
function omitted(text: string): { records: number; occurrences: number } {
  let records = 0;
  let occurrences = 0;
  for (const m of text.matchAll(/… (\d+) more records, (\d+) occurrences/g)) {
    records += Number(m[1]);
    occurrences += Number(m[2]);
  }
  return { records, occurrences };
}

describe('mail delivery under SMTP faults (real smtp-server)', () => {
  let sink: SmtpSink | undefined;
  let tmp: ReturnType<typeof tempDir>;
  let world: World | undefined;

  beforeEach(() => {
    tmp = tempDir();
  });
  afterEach(async () => {
    await world?.logger.close({ timeoutSeconds: 0.5 });
    await world?.server.close();
    world = undefined;
    await sink?.close();
    sink = undefined;
    tmp.remove();
  });

  async function start(
    smtpSink: SmtpSink,
    options: Partial<MailLoggerServerOptions> & { smtp?: string; allowUnencryptedAuth?: boolean } = {},
  ): Promise<World> {
    const logged: string[] = [];
    const stateDir = path.join(tmp.dir, 'state');
    const { smtp, allowUnencryptedAuth, ...rest } = options;
    const server = await MailLoggerServer.start({
      credentials: {
        smtp: smtp ?? smtpSink.url,
        from: 'pi@example.org',
        to: 'team@example.org',
        ...(allowUnencryptedAuth === undefined ? {} : { allowUnencryptedAuth }),
      },
      listen: `unix://${path.join(tmp.dir, 'ml.sock')}`,
      stateDir,
      groupWait: 0.2,
      retry: { minSeconds: 0.2, maxSeconds: 0.5 },
      log: (line) => logged.push(line),
      ...rest,
    });
    const logger = MailLoggerClient.open(server.address, { source: 'pi', maxBufferedRecords: 50_000 });
    world = { server, logger, logged, stateDir };
    return world;
  }

  /** Logs `n` distinct INFO lines of about 60 characters each. */
  async function manyInfoLines(logger: MailLoggerClient, n: number): Promise<void> {
    for (let i = 0; i < n; i++)
      logger.info(`reading ${i} of the soil sensor at 21.${i % 10} °C, nothing unusual`);
    await logger.flush();
  }

  it('552 to a big digest (no SIZE announced): it is cut until it fits, and an ALERT logged meanwhile is not delayed', async () => {
    sink = await SmtpSink.start();
    sink.refuseOver(60_000);
    const { server, logger, logged } = await start(sink);
    await manyInfoLines(logger, 3000);
    expect(await server.sendDigest('daily')).toBe(true);
    const alertAt = Date.now();
    logger.alert('pump 2 stopped');
    await logger.flush();
    await waitFor(() => sink!.messages.length === 2, 10_000, 'the digest and the alert');
    const alert = sink.messages.find((m) => m.subject.startsWith('[ALERT]'))!;
    const digest = sink.messages.find((m) => m.subject.startsWith('[Daily digest'))!;
    const alertSeconds = (alert.dataAt - alertAt) / 1000;
    // Not queued behind the digest's refusals: instant mails go first, on the pool's other
    // connection, so the ALERT's first attempt is the one that delivered it.
    expect(logged.find((l) => / sent kind=instant /.test(l))).toMatch(/ attempts=1$/);
    // Every delivered mail is under the limit; what was cut is counted, so all 3000 are accounted for.
    expect(digest.bytes).toBeLessThanOrEqual(60_000);
    expect(digest.subject).toBe('[Daily digest ×3000] pi: 3000 INFO');
    const shown = digest.text.split('\n').filter((l) => l.includes('of the soil sensor')).length;
    const cut = omitted(digest.text);
    expect(shown).toBeGreaterThan(50);
    expect(shown + cut.records).toBe(3000);
    expect(cut.occurrences).toBe(cut.records);
    // What the summary leaves out is in the attachment: the text of all 3000.
    const whole = gunzipSync(digest.attachments[0]!.content).toString('utf8');
    expect(whole.split('\n').filter((l) => l.includes('of the soil sensor'))).toHaveLength(3000);
    // The refused sizes went down: never the same mail twice.
    const sizes = sink.refused.map((r) => r.bytes);
    expect(sizes.length).toBeGreaterThan(0);
    for (let i = 1; i < sizes.length; i++) expect(sizes[i]!).toBeLessThan(sizes[i - 1]!);
    expect(logged.filter((l) => / too-big kind=daily /.test(l))).toHaveLength(sizes.length);
    console.log(
      `552 over 60 kB: digest of 3000 lines delivered after ${sizes.length} refusal(s) at ${digest.bytes} B (${shown} lines shown, ${cut.records} counted); ALERT delivered after ${alertSeconds.toFixed(2)} s`,
    );
  });

  it('the SIZE the server announces is never exceeded: the mail is cut before it is sent', async () => {
    sink = await SmtpSink.start({ size: 40_000 });
    const { server, logger } = await start(sink);
    await manyInfoLines(logger, 2000);
    await server.sendDigest('daily');
    const [digest] = await sink.waitFor(1);
    expect(digest!.bytes).toBeLessThanOrEqual(40_000);
    expect(sink.refused).toEqual([]); // nodemailer refused the first rendering itself, from EHLO SIZE
    expect(omitted(digest!.text).records).toBeGreaterThan(0);
    const whole = gunzipSync(digest!.attachments[0]!.content).toString('utf8');
    expect(whole.split('\n').filter((l) => l.includes('of the soil sensor'))).toHaveLength(2000);
    console.log(`EHLO SIZE 40000: digest of 2000 lines sent at ${digest!.bytes} B, 0 refusals`);
  });

  it('maxMailBytes caps every mail, even when the server would take more', async () => {
    sink = await SmtpSink.start();
    const { server, logger } = await start(sink, { maxMailBytes: 20_000 });
    for (let i = 0; i < 400; i++) logger.error(`relay ${i} stuck`);
    await manyInfoLines(logger, 2000);
    await server.sendDigest('daily');
    await waitFor(
      () => sink!.messages.some((m) => m.subject.startsWith('[Daily')) && sink!.messages.length >= 2,
      10_000,
      'digest and instant mail',
    );
    await server.whenIdle();
    for (const m of sink.messages) expect(m.bytes).toBeLessThanOrEqual(20_000);
    const instant = sink.messages.filter((m) => m.subject.startsWith('[ERROR'));
    const accounted = instant.reduce((n, m) => {
      const shown = m.text.split('\n').filter((l) => / relay \d+ stuck$/.test(l)).length;
      return n + shown + omitted(m.text).records;
    }, 0);
    expect(accounted).toBe(400);
    expect(sink.refused).toEqual([]);
  });

  it('a 550 refusal goes to the dead-letter file once, is logged, and is mentioned in the next mail delivered (only that one)', async () => {
    sink = await SmtpSink.start();
    sink.refuseData({
      code: 550,
      message: '5.7.1 Message rejected as spam',
      match: (raw) => /^Subject: .*cheap pills/m.test(raw),
    });
    const { server, logger, logged, stateDir } = await start(sink);
    logger.alert('cheap pills for the boiler');
    await logger.flush();
    await waitFor(() => logged.some((l) => / dead-letter kind=instant /.test(l)), 5000, 'a dead letter');
    await server.whenIdle();
    expect(sink.refused).toEqual([expect.objectContaining({ code: 550 })]); // never retried as is
    expect(server.stats().outbox).toBe(0);
    const file = path.join(stateDir, 'dead-letters.ndjson');
    const letters = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { reason: string; mail: { subject: string } });
    expect(letters).toHaveLength(1);
    expect(letters[0]!.mail.subject).toBe('[ALERT] pi: cheap pills for the boiler');
    expect(letters[0]!.reason).toContain('550');
    const line = logged.find((l) => / dead-letter /.test(l))!;
    expect(line).toMatch(
      /^mail [0-9a-f]{8} dead-letter kind=instant records=1 reason="[^"]*550[^"]*" file=\S+dead-letters\.ndjson$/,
    );

    logger.alert('door open');
    await logger.flush();
    const [next] = await sink.waitFor(1);
    expect(next!.text).toContain('NOTICE: a mail could not be delivered');
    expect(next!.text).toContain('"[ALERT] pi: cheap pills for the boiler"');
    await server.whenIdle();
    logger.alert('door closed');
    await logger.flush();
    await sink.waitFor(2);
    expect(sink.messages[1]!.text).not.toContain('NOTICE');
  });

  it('a mail refused with 451 keeps being retried with backoff while the mails behind it go out', async () => {
    sink = await SmtpSink.start();
    sink.refuseData({
      code: 451,
      message: '4.3.0 Try again later',
      match: (raw) => raw.includes('greylisted'),
    });
    const { logger, logged } = await start(sink);
    logger.alert('greylisted alert');
    await logger.flush();
    await waitFor(() => sink!.refused.length >= 1, 5000, 'the first refusal');
    const behindAt = Date.now();
    logger.alert('second alert');
    await logger.flush();
    const [second] = await sink.waitFor(1);
    expect(second!.subject).toBe('[ALERT] pi: second alert');
    const behindSeconds = (second!.dataAt - behindAt) / 1000;
    // The mail behind went out while the refused one was still being retried (it arrives
    // last, below): not queued behind it.
    await waitFor(() => sink!.refused.length >= 3, 10_000, 'three 451s');
    // One retry line per change of reason, not one per attempt.
    expect(logged.filter((l) => / retry kind=instant .*451/.test(l))).toHaveLength(1);
    sink.refuseData(null);
    await sink.waitFor(2, 10_000);
    expect(sink.messages[1]!.subject).toBe('[ALERT] pi: greylisted alert');
    console.log(`451 to one mail: the mail behind it delivered after ${behindSeconds.toFixed(2)} s`);
  });

  it('a server that hangs in DATA: the mail behind goes out on the other connection, the stuck one is abandoned after sendTimeoutSeconds and resent', async () => {
    sink = await SmtpSink.start();
    sink.hangNext(1);
    const { logger, logged } = await start(sink, { sendTimeoutSeconds: 1.5 });
    const t0 = Date.now();
    logger.alert('stuck alert');
    await logger.flush();
    await waitFor(() => sink!.hanging === 1, 5000, 'the hang');
    const behindAt = Date.now();
    logger.alert('alert behind the hang');
    await logger.flush();
    const [behind] = await sink.waitFor(1);
    expect(behind!.subject).toBe('[ALERT] pi: alert behind the hang');
    const behindSeconds = (behind!.dataAt - behindAt) / 1000;
    // Delivered on the other connection while the stuck one still hung (it arrives second).
    const [, stuck] = await sink.waitFor(2, 20_000);
    expect(stuck!.subject).toBe('[ALERT] pi: stuck alert');
    const stuckSeconds = (stuck!.dataAt - t0) / 1000;
    // Abandoned after sendTimeoutSeconds, not before (a lower bound: load only adds to it).
    expect(stuckSeconds).toBeGreaterThan(1.5);
    expect(logged.some((l) => / retry kind=instant .*ETIMEDOUT/.test(l))).toBe(true);
    console.log(
      `hang in DATA: the mail behind delivered after ${behindSeconds.toFixed(2)} s; the stuck one resent after ${stuckSeconds.toFixed(2)} s (sendTimeoutSeconds 1.5)`,
    );
  });

  it('a server that hangs both connections: the first alert after it answers again goes out at once, and none is lost', async () => {
    sink = await SmtpSink.start();
    sink.hangNext(2);
    const { logger } = await start(sink, { sendTimeoutSeconds: 20, groupWait: 0.05 });
    logger.alert('hung 1');
    await logger.flush();
    await waitFor(() => sink!.hanging === 1, 5000, 'the first hang'); // two separate mails
    logger.alert('hung 2');
    await logger.flush();
    await waitFor(() => sink!.hanging === 2, 5000, 'both connections hanging');
    logger.alert('queued behind the hang');
    await logger.flush();
    // Composed, but both connections hang: it waits in the outbox.
    await waitFor(() => world!.server.stats().outbox === 3, 5000, 'the third mail composed');
    expect(sink.messages).toEqual([]);
    const answeredAt = Date.now();
    sink.release(); // the server answers again (451 to the two it held)
    const [first] = await sink.waitFor(1);
    const firstSeconds = (first!.dataAt - answeredAt) / 1000;
    // The first delivered once the server answers is the queued one: sent as soon as a
    // connection freed, not after the hung ones' retry backoff.
    expect(first!.subject).toBe('[ALERT] pi: queued behind the hang');
    await sink.waitFor(3, 10_000);
    expect(sink.messages.map((m) => m.subject).sort()).toEqual([
      '[ALERT] pi: hung 1',
      '[ALERT] pi: hung 2',
      '[ALERT] pi: queued behind the hang',
    ]);
    console.log(
      `both connections hung: first alert ${firstSeconds.toFixed(2)} s after the server answered again`,
    );
  });

  it('a refused login (535) is reported once however often it is retried, and the mail is kept', async () => {
    sink = await SmtpSink.start({ auth: { user: 'robot', pass: 'right' } });
    const { server, logger, logged } = await start(sink, {
      smtp: `smtp://robot:wrong@127.0.0.1:${sink.port}`,
      allowUnencryptedAuth: true,
      retry: { minSeconds: 0.05, maxSeconds: 0.1 },
    });
    logger.alert('auth test');
    await logger.flush();
    await waitFor(() => sink!.auths.length >= 5, 10_000, 'five login attempts');
    expect(logged.filter((l) => l.startsWith('smtp problem: login refused'))).toHaveLength(1);
    expect(logged.filter((l) => / retry kind=instant /.test(l))).toHaveLength(1);
    expect(logged.find((l) => l.startsWith('smtp problem'))).toContain('535');
    expect(server.stats().outbox).toBe(1);
  });

  it('smtp:// with a password and no STARTTLS: the password is never sent, the problem is reported once, the mail kept', async () => {
    sink = await SmtpSink.start({ auth: { user: 'robot', pass: 'secret' } });
    const { server, logger, logged } = await start(sink, { retry: { minSeconds: 0.05, maxSeconds: 0.1 } });
    logger.alert('tls test');
    await logger.flush();
    await waitFor(() => logged.filter((l) => / retry /.test(l)).length >= 1, 5000, 'a failed attempt');
    await server.whenIdle();
    expect(sink.auths).toEqual([]);
    expect(sink.messages).toEqual([]);
    const problems = logged.filter((l) => l.startsWith('smtp problem: TLS failed'));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('"allowUnencryptedAuth": true');
    expect(server.stats().outbox).toBe(1);
  });

  it('with STARTTLS offered, the login goes over TLS; "allowUnencryptedAuth": true lets a trusted relay take it in clear', async () => {
    sink = await SmtpSink.start({ auth: { user: 'robot', pass: 'secret' }, starttls: true });
    const first = await start(sink, { transport: { tls: { rejectUnauthorized: false } } }); // self-signed test certificate
    first.logger.alert('over tls');
    await first.logger.flush();
    await sink.waitFor(1);
    expect(sink.auths).toEqual([{ user: 'robot', secure: true }]);
    await first.logger.close();
    await first.server.close();
    world = undefined;
    await sink.close();

    sink = await SmtpSink.start({ auth: { user: 'robot', pass: 'secret' } });
    const relay = await start(sink, { allowUnencryptedAuth: true });
    relay.logger.alert('over a trusted relay');
    await relay.logger.flush();
    await sink.waitFor(1);
    expect(sink.auths).toEqual([{ user: 'robot', secure: false }]);
  });
});

describe('maxMailsPerDay on the scheduler clock (ManualClock, real smtp-server)', () => {
  it('once the instant budget is used, records are held (logged once), the digest still goes out and says so, and the held records follow in one mail a day later', async () => {
    const logged: string[] = [];
    const world = await startManualMailWorld({
      start: new Date('2024-03-04T07:59:00Z'),
      timeZone: 'UTC',
      server: { maxMailsPerDay: 4, log: (line) => logged.push(line) },
    });
    const { sink, clock, logger, server } = world;
    try {
      for (const text of ['alert 1', 'alert 2', 'alert 3', 'alert 4', 'alert 5']) {
        logger.alert(text);
        await logger.flush();
        await clock.advance(2);
        await world.quiescent();
      }
      expect(sink.messages.map((m) => m.subject)).toEqual([
        '[ALERT] raspimon_dca632112233: alert 1',
        '[ALERT] raspimon_dca632112233: alert 2',
      ]);
      expect(logged.filter((l) => / held kind=instant reason=maxMailsPerDay /.test(l))).toHaveLength(1);
      expect(server.stats().pendingInstant).toBe(3);
      logger.info('daily line');
      await logger.flush();
      await clock.advance(60); // 08:00: the daily digest has its own room in the budget
      await sink.waitFor(3);
      const digest = sink.messages[2]!;
      expect(digest.subject).toMatch(/^\[Daily digest/);
      expect(digest.text).toContain('NOTICE: maxMailsPerDay (4) was reached');
      expect(digest.text).toContain('3 instant record(s) are held');
      await clock.advance(86_400 - 60); // 24 h after the first mail
      await sink.waitFor(4);
      await world.quiescent();
      expect(sink.messages).toHaveLength(4);
      const late = sink.messages[3]!;
      expect(late.subject).toBe('[ALERT ×3] raspimon_dca632112233: alert 3');
      expect(late.text).toContain('were held since then and are sent now');
      expect(logged.filter((l) => / held kind=instant reason=maxMailsPerDay /.test(l))).toHaveLength(1);
    } finally {
      await world.dispose();
    }
  });
});
