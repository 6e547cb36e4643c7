// How fast an instant alert reaches the SMTP server (log call → DATA at a real smtp-server),
// and what a naive mail logger (one nodemailer sendMail per record) costs beside ours.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';
import { MailLoggerClient, MailLoggerServer } from '../src/mail-logger/index.js';
import { SmtpSink } from '../test/helpers/smtp-sink.js';
import { percentile, report, type Figure } from './lib/report.js';
import { startFastSmtpSink } from './smtp-fast-sink.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'raspimon-bench-lat-'));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function waitUntil(condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(1);
  }
}

const figures: Figure[] = [];
const sink = await SmtpSink.start();
try {
  // 1. Alert latency. Alerts are spaced beyond groupWait (0.2 s here, to take 60 samples in
  // ~20 s; a lone alert's latency does not depend on it, only on groupSettle = 25 ms).
  const server = await MailLoggerServer.start({
    credentials: { smtp: sink.url, from: 'pi@example.org', to: 'team@example.org' },
    listen: `unix://${path.join(dir, 'ml.sock')}`,
    stateDir: path.join(dir, 'state'),
    groupWait: 0.2,
    maxInstantMails: 10_000,
    log: () => undefined,
  });
  const logger = MailLoggerClient.open(server.address, { source: 'bench' });
  logger.info('connect');
  await logger.flush();
  const latencies: number[] = [];
  for (let i = 0; i < 65; i++) {
    const before = sink.messages.length;
    const t0 = Date.now();
    logger.alert(`alert ${i}`);
    await waitUntil(() => sink.messages.length > before);
    if (i >= 5) latencies.push(sink.messages[before]!.dataAt - t0); // first few warm the pool
    await sleep(300);
  }
  figures.push(
    {
      who: 'raspimon',
      metric: 'instant alert → SMTP DATA, median',
      value: percentile(latencies, 50),
      unit: 'ms',
      lowerIsBetter: true,
    },
    {
      who: 'raspimon',
      metric: 'instant alert → SMTP DATA, p99',
      value: percentile(latencies, 99),
      unit: 'ms',
      lowerIsBetter: true,
    },
  );

  // 2. A burst of 1,000 errors: our grouped mails vs one sendMail per record.
  const burst = 1000;
  let before = sink.messages.length;
  let t0 = performance.now();
  for (let i = 0; i < burst; i++) logger.error(`sensor ${i % 10} timeout`);
  await logger.flush();
  const countOf = (s: string): number => Number(/×(\d+)/.exec(s)?.[1] ?? 1);
  await waitUntil(() => sink.messages.slice(before).reduce((n, m) => n + countOf(m.subject), 0) >= burst);
  const oursMs = performance.now() - t0;
  const oursMails = sink.messages.length - before;
  await logger.close();
  await server.close();

  before = sink.messages.length;
  // A fresh connection per mail, as a naive logger's default transport does (~0.1 s each,
  // so only a tenth of the burst is measured).
  const naive = nodemailer.createTransport({ url: sink.url });
  const naiveBurst = burst / 10;
  t0 = performance.now();
  for (let i = 0; i < naiveBurst; i++) {
    await naive.sendMail({
      from: 'pi@example.org',
      to: 'team@example.org',
      subject: `[ERROR] sensor ${i % 10} timeout`,
      text: 'x',
    });
  }
  const naiveMs = performance.now() - t0;
  const naiveMails = sink.messages.length - before;
  naive.close();

  figures.push(
    {
      who: 'raspimon',
      metric: 'error burst: records delivered to the SMTP server per second',
      value: burst / (oursMs / 1000),
      unit: 'records/s',
      lowerIsBetter: false,
    },
    {
      who: 'nodemailer sendMail per record',
      metric: 'error burst: records delivered to the SMTP server per second',
      value: naiveBurst / (naiveMs / 1000),
      unit: 'records/s',
      lowerIsBetter: false,
    },
    {
      who: 'raspimon',
      metric: 'error burst: mails per 1,000 records',
      value: (oursMails * 1000) / burst,
      unit: 'mails',
      lowerIsBetter: true,
    },
    {
      who: 'nodemailer sendMail per record',
      metric: 'error burst: mails per 1,000 records',
      value: (naiveMails * 1000) / naiveBurst,
      unit: 'mails',
      lowerIsBetter: true,
    },
  );

  // 3. One pooled transport vs a fresh connection per mail (why the daemon pools), against
  // a sink that greets at once: smtp-server's deliberate 100 ms greeting delay would be most
  // of a fresh connection's cost and say nothing about the transport.
  const fast = await startFastSmtpSink();
  const pooled = nodemailer.createTransport({ url: fast.url, pool: true });
  const fresh = nodemailer.createTransport({ url: fast.url });
  const timeEach = async (t: Transporter, n: number): Promise<number> => {
    const start = performance.now();
    for (let i = 0; i < n; i++)
      await t.sendMail({ from: 'a@example.org', to: 'b@example.org', subject: 's', text: 't' });
    return (performance.now() - start) / n;
  };
  // 'raspimon' here is the pooled transport the daemon uses.
  await timeEach(pooled, 5);
  await timeEach(fresh, 5);
  figures.push(
    {
      who: 'raspimon',
      metric: 'one mail, pooled vs fresh connection (sink without greeting delay)',
      value: await timeEach(pooled, 200),
      unit: 'ms/mail',
      lowerIsBetter: true,
    },
    {
      who: 'fresh SMTP connection per mail',
      metric: 'one mail, pooled vs fresh connection (sink without greeting delay)',
      value: await timeEach(fresh, 200),
      unit: 'ms/mail',
      lowerIsBetter: true,
    },
  );
  pooled.close();
  fresh.close();
  await fast.close();
  report('mail-logger-latency', figures);
} finally {
  await sink.close();
  rmSync(dir, { recursive: true, force: true });
}
