// The same job's memory as an arm64 program (issue 21, item 5): the packed package, installed
// as on a Pi, run under qemu-user beside the same files run by x86 Node, in one window.
//
//  job   one DS18B20-style file read every 5 s into FerretDB with an alert rule (the
//        pi-weight job): the monitor (examples/main.ts) + the mail-logger daemon
//        (raspimon-mail-logger from the tarball), and the one-process mode
//        (examples/main-one-process.ts), each bare and with --lite-mode (the units' flag);
//        the floor (node + mongodb) and idle `node`; all once per architecture, at once.
//
// What is measured, and why three figures: the host sees an emulated program as the qemu
// process, whose VmRSS adds qemu itself (its binary, translated-code buffer, bookkeeping);
// qemu fills the guest's own /proc rss with 0. So each arm64 row gives the qemu process's
// VmRSS (an upper bound), the resident pages of the guest's mappings in that process
// (bench/arm64-weight/guest-rss.ts: what the program itself holds, the figure to set beside
// x86's VmRSS), and V8's heap as the program reports it (bench/arm64-weight/heap-probe.ts).
// CPU under emulation says nothing about a Pi and is not reported.
//
// Needs qemu-aarch64-static and the arm64 C runtime: scripts/bench/arm64-weight.sh installs
// them (Debian packages) and runs this bench; without them it prints why and measures nothing.
// RASPIMON_BENCH_ARM64_SECONDS (default 60) sets the window, RASPIMON_BENCH_ARM64_WARMUP (30)
// the settling time before it, counted from when every job has stored a reading (an emulated
// Node takes tens of seconds to start).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { startFerretDB } from '../test/helpers/ferretdb.js';
import { SmtpSink } from '../test/helpers/smtp-sink.js';
import { guestResidentBytes } from './arm64-weight/guest-rss.js';
import { installPackedApp } from './arm64-weight/install.js';
import { seedJob } from './pi-weight/job.js';
import { ProcWatch } from './pi-weight/proc.js';

const seconds = Number(process.env.RASPIMON_BENCH_ARM64_SECONDS ?? 60);
const warmupSeconds = Number(process.env.RASPIMON_BENCH_ARM64_WARMUP ?? 30);
const sysroot = '/usr/aarch64-linux-gnu';
const qemu = '/usr/bin/qemu-aarch64-static';
const root = path.resolve(import.meta.dirname, '..');

if (!existsSync(qemu) || !existsSync(path.join(sysroot, 'lib', 'ld-linux-aarch64.so.1'))) {
  console.log(
    'arm64-weight: skipped, qemu-aarch64-static or the arm64 C runtime is not installed (bash scripts/bench/arm64-weight.sh installs them and runs this bench)',
  );
  process.exit(0);
}

type Arch = 'x86-64' | 'arm64';
interface Row {
  arch: Arch;
  name: string;
  child: ChildProcess;
  heapFile: string;
  output: string;
  watch?: ProcWatch;
  guest: number[];
}

const mean = (xs: number[]): number => (xs.length === 0 ? NaN : xs.reduce((a, b) => a + b, 0) / xs.length);
const MB = 2 ** 20;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const tmp = mkdtempSync(path.join(os.tmpdir(), 'raspimon-bench-arm64-'));
const sensorFile = path.join(tmp, '28-000005e2fdc3', 'temperature');
mkdirSync(path.dirname(sensorFile));
writeFileSync(sensorFile, '21500\n'); // 21.5 °C: above the −15 °C of the alert rule

console.log('arm64-weight: packing and installing the package (npm pack, npm install --cpu=arm64)');
const app = await installPackedApp(root, path.join(root, 'node_modules/.cache/raspimon-bench/arm64-weight'));
const server = await startFerretDB();
const sink = await SmtpSink.start();
const client = new MongoClient(server.uri);
const rows: Row[] = [];
try {
  await client.connect();
  const credentials = path.join(tmp, 'mail_credentials');
  writeFileSync(
    credentials,
    JSON.stringify({ smtp: sink.url, from: 'pi@example.org', to: ['team@example.org'] }),
    {
      mode: 0o600,
    },
  );
  /** A namespace holding the job's one device, key and rule. */
  const seed = async (name: string): Promise<string> => {
    await seedJob(client.db(name), sensorFile);
    return name;
  };
  /** Starts `args` (node flags, script, its arguments) on `arch`'s Node. */
  const start = (arch: Arch, name: string, args: string[], env: Record<string, string> = {}): Row => {
    const heapFile = path.join(tmp, `heap-${rows.length}.jsonl`);
    const nodeArgs = ['--import', app.entries.heapProbe, ...args];
    const [command, argv] =
      arch === 'arm64' ? [qemu, ['-L', sysroot, app.arm64Node, ...nodeArgs]] : [process.execPath, nodeArgs];
    const child = spawn(command, argv, {
      cwd: app.dir,
      env: { ...process.env, ...env, RASPIMON_BENCH_HEAP_FILE: heapFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const row: Row = { arch, name, child, heapFile, output: '', guest: [] };
    const keep = (d: Buffer): void => void (row.output = (row.output + d.toString()).slice(-4000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    rows.push(row);
    return row;
  };
  const jobEnv = async (ns: string, socket: string): Promise<Record<string, string>> => ({
    MONGODB_URI: server.uri,
    RASPIMON_NAMESPACE: await seed(ns),
    RASPIMON_MAIL_LOGGER: `unix://${socket}`,
    STATE_DIRECTORY: path.join(tmp, `${ns}-state`),
  });
  for (const arch of ['x86-64', 'arm64'] as const) {
    const tag = arch === 'arm64' ? 'arm' : 'x86';
    // Bare, and with the flag the generated units set (docs/deploy.md).
    for (const flags of [[], ['--lite-mode']]) {
      const suffix = flags.map((f) => ` ${f}`).join('');
      const ns = `bench_arm_${tag}${flags.length}`;
      const socket = path.join(tmp, `${ns}-ml.sock`);
      start(arch, `daemon${suffix}`, [
        ...flags,
        app.entries.daemon,
        credentials,
        '--listen',
        `unix://${socket}`,
        '--state-dir',
        path.join(tmp, `${ns}-ml`),
      ]);
      start(arch, `monitor${suffix}`, [...flags, app.entries.main], await jobEnv(`${ns}_two`, socket));
      start(arch, `one process${suffix}`, [...flags, app.entries.onePs], {
        ...(await jobEnv(`${ns}_one`, path.join(tmp, `${ns}-one.sock`))),
        RASPIMON_MAIL_CREDENTIALS: credentials,
        RASPIMON_MAIL_STATE_DIR: path.join(tmp, `${ns}-one-ml`),
      });
    }
    start(arch, 'floor: node + mongodb', [
      app.entries.floor,
      'monitor',
      server.uri,
      `bench_arm_${tag}_floor`,
      sensorFile,
      '5',
    ]);
    start(arch, 'node, idle', ['-e', 'setInterval(() => {}, 2 ** 30)']);
  }
  console.log(`window "job": ${rows.length} processes, ${warmupSeconds} s warm-up + ${seconds} s`);
  // Wait for a state, not a time: every process sampling itself and every job storing
  // readings (an emulated Node starts in tens of seconds); then the same warm-up for all.
  const jobs = ['x86', 'arm'].flatMap((tag) =>
    ['0_two', '0_one', '1_two', '1_one', '_floor'].map((job) => `bench_arm_${tag}${job}`),
  );
  const ready = async (): Promise<boolean> =>
    rows.every((r) => existsSync(`${r.heapFile}.maps`)) &&
    (await Promise.all(jobs.map((db) => client.db(db).collection('readings').countDocuments()))).every(
      (n) => n > 0,
    );
  const giveUp = Date.now() + 300_000;
  while (!(await ready())) {
    const gone = rows.find((r) => r.child.exitCode !== null);
    if (gone || Date.now() > giveUp)
      throw new Error(
        `${gone ? `${gone.arch} ${gone.name} exited` : 'not every job stored a reading in 300 s'}:\n${(gone ?? rows[0]!).output}`,
      );
    await sleep(1000);
  }
  console.log(`all ${rows.length} processes running and storing; ${warmupSeconds} s warm-up`);
  await sleep(warmupSeconds * 1000);
  for (const row of rows) {
    if (row.child.exitCode !== null || row.child.pid === undefined)
      throw new Error(`${row.arch} ${row.name} exited early (status ${row.child.exitCode}):\n${row.output}`);
    row.watch = new ProcWatch(row.child.pid);
  }
  const windowStart = Date.now();
  const guestTimer = setInterval(() => {
    for (const row of rows) {
      const bytes = guestResidentBytes(row.child.pid!, `${row.heapFile}.maps`);
      if (bytes !== undefined) row.guest.push(bytes / MB);
    }
  }, 5000);
  await sleep(seconds * 1000);
  clearInterval(guestTimer);
  const figures = new Map<Row, { rss: number; guest: number; heapUsed: number; heapTotal: number }>();
  for (const row of rows) {
    row.watch!.stop();
    const heap = readFileSync(row.heapFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { t: number; heapUsed: number; heapTotal: number })
      .filter((s) => s.t >= windowStart);
    figures.set(row, {
      rss: row.watch!.figures().rssMeanMB,
      guest: mean(row.guest),
      heapUsed: mean(heap.map((s) => s.heapUsed / MB)),
      heapTotal: mean(heap.map((s) => s.heapTotal / MB)),
    });
  }
  const stored = await Promise.all(
    jobs.map(async (db) => `${db}: ${await client.db(db).collection('readings').countDocuments()}`),
  );

  // ── the table: arm64 beside x86, same files, same window ──
  const mb = (n: number): string => `${n.toFixed(1)} MB`.padStart(9);
  const lines = [
    `\n## arm64-weight: the packed package on arm64 (qemu-user) beside x86-64, same window, ${seconds} s`,
    `  ${'process'.padEnd(26)} ${'x86 RSS'.padStart(9)} ${'arm64 RSS'.padStart(9)} ${'ratio'.padStart(6)} ${'qemu RSS'.padStart(9)} ${'V8 heap used/total x86'.padStart(24)} ${'arm64'.padStart(17)}`,
  ];
  const names = [...new Set(rows.map((r) => r.name))];
  const of = (arch: Arch, name: string) =>
    figures.get(rows.find((r) => r.arch === arch && r.name === name)!)!;
  const line = (
    label: string,
    x: { rss: number; guest: number; heapUsed: number; heapTotal: number },
    a: typeof x,
  ): void =>
    void lines.push(
      `  ${label.padEnd(26)} ${mb(x.rss)} ${mb(a.guest)} ${`×${(a.guest / x.rss).toFixed(2)}`.padStart(6)} ${mb(a.rss)} ${`${x.heapUsed.toFixed(1)} / ${x.heapTotal.toFixed(1)} MB`.padStart(24)} ${`${a.heapUsed.toFixed(1)} / ${a.heapTotal.toFixed(1)} MB`.padStart(17)}`,
    );
  /** The two-process layout: the monitor and the daemon started with the same flags. */
  const sum = (arch: Arch, suffix: string) => {
    const [m, d] = [of(arch, `monitor${suffix}`), of(arch, `daemon${suffix}`)];
    return {
      rss: m.rss + d.rss,
      guest: m.guest + d.guest,
      heapUsed: m.heapUsed + d.heapUsed,
      heapTotal: m.heapTotal + d.heapTotal,
    };
  };
  for (const name of names) {
    line(name, of('x86-64', name), of('arm64', name));
    const suffix = /^monitor(.*)$/.exec(name)?.[1];
    if (suffix !== undefined) line(`two processes${suffix}`, sum('x86-64', suffix), sum('arm64', suffix));
  }
  lines.push(
    `  arm64 RSS: the resident pages of the emulated program's own mappings (qemu excluded); qemu RSS: the whole`,
    `  qemu process as the host sees it (the program + the emulator); ratio = arm64 RSS ÷ x86 RSS.`,
    `check: x86 RSS summed the same way from each process's own maps is within ${Math.max(
      ...rows
        .filter((r) => r.arch === 'x86-64')
        .map((r) => Math.abs(figures.get(r)!.guest - figures.get(r)!.rss)),
    ).toFixed(1)} MB of its VmRSS`,
    `readings stored: ${stored.join(', ')}`,
    `node ${process.version} on both; load average at the end: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} (${os.cpus().length} CPUs)`,
  );
  console.log(lines.join('\n'));
} finally {
  await Promise.all(
    rows.map(
      (row) =>
        new Promise<void>((resolve) => {
          if (row.child.exitCode !== null || row.child.signalCode !== null) return resolve();
          const force = setTimeout(() => row.child.kill('SIGKILL'), 15_000);
          row.child.once('exit', () => (clearTimeout(force), resolve()));
          row.child.kill('SIGTERM');
        }),
    ),
  );
  await client.close();
  await sink.close();
  await server.dispose();
  rmSync(tmp, { recursive: true, force: true });
}
