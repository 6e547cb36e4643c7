// Records/s from one client to the daemon over a unix socket with durable acks, beside a
// bare NDJSON-over-unix-socket loop with batched fdatasync (the floor), and the cost of a
// log call on the caller.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { MailLoggerClient } from '../src/mail-logger/index.js';
import { report, type Figure } from './lib/report.js';

const N = 300_000;
const dir = mkdtempSync(path.join(os.tmpdir(), 'raspimon-bench-ml-'));
const repo = path.resolve(import.meta.dirname, '..');
// ~200-byte frames: {"t":"rec","seq":…,"time":…,"level":"INFO","schedule":"DAILY","msg":"…"}
const MESSAGE = 'sensor 17 read 23.5 C on /dev/ttyUSB0 after 3 retries; next poll in 10 s; '.padEnd(112, 'x');

function spawnReady(args: string[], ready: (out: string) => boolean): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    cwd: repo,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  return new Promise((resolve, reject) => {
    const check = (d: Buffer): void => {
      out += d.toString();
      if (ready(out)) resolve(child);
    };
    child.stdout.on('data', check);
    child.stderr.on('data', check);
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
  });
}

async function stop(child: ChildProcess): Promise<void> {
  child.removeAllListeners('exit');
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

async function floor(mode: 'bare' | 'parse'): Promise<number> {
  const socketPath = path.join(dir, 'floor.sock');
  const child = await spawnReady(
    ['bench/mail-logger-floor-server.ts', socketPath, path.join(dir, `floor-${mode}.ndjson`), mode],
    (o) => o.includes('ready'),
  );
  const socket = net.connect({ path: socketPath });
  await new Promise((r) => socket.once('connect', r));
  let acked = 0;
  let pending = '';
  let done: () => void = () => undefined;
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop()!;
    for (const line of lines) acked = Math.max(acked, (JSON.parse(line) as { seq: number }).seq);
    if (acked >= N) done();
  });
  const allAcked = new Promise<void>((r) => (done = r));
  const start = performance.now();
  let seq = 0;
  for (let chunk = 0; chunk < N / 1000; chunk++) {
    let text = '';
    for (let i = 0; i < 1000; i++) {
      seq++;
      text +=
        JSON.stringify({ t: 'rec', seq, time: Date.now(), level: 'INFO', schedule: 'DAILY', msg: MESSAGE }) +
        '\n';
    }
    if (!socket.write(text)) await new Promise((r) => socket.once('drain', r));
  }
  await allAcked;
  const rate = N / ((performance.now() - start) / 1000);
  socket.destroy();
  await stop(child);
  return rate;
}

async function ours(): Promise<{ rate: number; callMicros: number; callCtxMicros: number }> {
  const socketPath = path.join(dir, 'ml.sock');
  const credentials = path.join(dir, 'credentials.json');
  writeFileSync(
    credentials,
    JSON.stringify({ smtp: 'smtp://127.0.0.1:9', from: 'a@example.org', to: 'b@example.org' }),
    {
      mode: 0o600,
    },
  );
  const stateDir = path.join(dir, `state-${Date.now()}`);
  const child = await spawnReady(
    [
      'src/mail-logger/daemon/bin.ts',
      credentials,
      '--listen',
      `unix://${socketPath}`,
      '--state-dir',
      stateDir,
    ],
    (o) => o.includes('listening on'),
  );
  const logger = MailLoggerClient.open(`unix://${socketPath}`, {
    source: 'bench',
    maxBufferedRecords: N * 2,
  });
  logger.info('warm-up');
  await logger.flush();
  const start = performance.now();
  for (let chunk = 0; chunk < N / 1000; chunk++) {
    for (let i = 0; i < 1000; i++) logger.info(MESSAGE);
    await new Promise((r) => setImmediate(r)); // a producer that yields, as a real program does
  }
  await logger.flush();
  const rate = N / ((performance.now() - start) / 1000);

  // Cost on the caller: the call alone (its batch is written on a later tick).
  const calls = 100_000;
  let t = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) logger.info(MESSAGE);
  const callMicros = Number(process.hrtime.bigint() - t) / 1000 / calls;
  await logger.flush();
  t = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) logger.info(MESSAGE, { sensor: i, unit: 'C' });
  const callCtxMicros = Number(process.hrtime.bigint() - t) / 1000 / calls;
  await logger.flush();
  await logger.close();
  await stop(child);
  return { rate, callMicros, callCtxMicros };
}

const figures: Figure[] = [];
try {
  const bare = Math.max(await floor('bare'), await floor('bare'));
  const parsed = Math.max(await floor('parse'), await floor('parse'));
  const runs = [await ours(), await ours()];
  const best = runs.reduce((a, b) => (b.rate > a.rate ? b : a));
  const metric = `records/s, 1 client → daemon, durable acks (${N.toLocaleString('en-US')} × 200 B)`;
  figures.push(
    { who: 'raspimon', metric, value: Math.round(best.rate), unit: 'records/s', lowerIsBetter: false },
    {
      who: 'NDJSON + parse + fdatasync',
      metric,
      value: Math.round(parsed),
      unit: 'records/s',
      lowerIsBetter: false,
    },
    {
      who: 'bare socket + fdatasync',
      metric,
      value: Math.round(bare),
      unit: 'records/s',
      lowerIsBetter: false,
    },
    {
      who: 'raspimon',
      metric: 'log call on the caller',
      value: Math.min(...runs.map((r) => r.callMicros)),
      unit: 'µs/call',
      lowerIsBetter: true,
    },
    {
      who: 'raspimon',
      metric: 'log call with a context object',
      value: Math.min(...runs.map((r) => r.callCtxMicros)),
      unit: 'µs/call',
      lowerIsBetter: true,
    },
  );
  report('mail-logger-throughput', figures);
  console.log(
    `\nraspimon reaches ${((100 * best.rate) / parsed).toFixed(0)} % of the NDJSON floor, ${((100 * best.rate) / bare).toFixed(0)} % of the bare one (target ≥ 70 %, ≥ 140,000/s)`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
