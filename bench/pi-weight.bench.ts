// The weight of the job on a small board (issue 21), measured from /proc from outside each
// process, beside hand-written Node floors and collectd in the same windows:
//
//  job        one DS18B20-style file read every 5 s into FerretDB with an alert rule
//             (above −15 °C, so it fires): raspimon's monitor (examples/main.ts) + mail-logger
//             daemon (two processes), the one-process mode (examples/main-one-process.ts)
//             with and without V8 flags, the floors (node + mongodb: read, insertOne every
//             5 s; node + nodemailer + a listening socket) and collectd (table → write_mongodb,
//             threshold → notify_email) when installed;
//  mailing    the daemon while a client logs a WARNING every 5 s, beside the daemon floor
//             mailing one pooled mail per line;
//  fleet      20 devices × 5 keys at 1 Hz, beside a floor doing insertMany of 100 every second.
//
// Every raspimon process runs from a plain-JS bundle of its real entry point (esbuild; mongodb,
// serialport and nodemailer external), as a built app runs, not under the TypeScript loader.
// Processes of one window run at once, so a shared machine's load falls on all alike.
// RASPIMON_BENCH_PI_SECONDS (default 60) sets each window, RASPIMON_BENCH_PI_WARMUP (15) the
// settling time before it. Ratios printed are raspimon ÷ floor (lower is better; 1 = the floor).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { MongoClient } from 'mongodb';
import { MailLoggerClient } from '../src/mail-logger/index.js';
import { startFerretDB } from '../test/helpers/ferretdb.js';
import { SmtpSink } from '../test/helpers/smtp-sink.js';
import { seedJob } from './pi-weight/job.js';
import { ProcWatch, type ProcFigures } from './pi-weight/proc.js';
import { report, type Figure } from './lib/report.js';

const seconds = Number(process.env.RASPIMON_BENCH_PI_SECONDS ?? 60);
const warmupSeconds = Number(process.env.RASPIMON_BENCH_PI_WARMUP ?? 15);
const root = path.resolve(import.meta.dirname, '..');
const cache = path.join(root, 'node_modules', '.cache', 'raspimon-bench', 'pi-weight');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'raspimon-bench-pi-'));
const sensorFile = path.join(tmp, '28-000005e2fdc3', 'temperature');
mkdirSync(path.dirname(sensorFile));
writeFileSync(sensorFile, '21500\n'); // 21.5 °C: above the −15 °C of the alert rule

/** V8 flags tried on the one-process mode (item 5 of the issue). */
const flagVariants: Array<{ name: string; flags: string[] }> = [
  { name: 'one process', flags: [] },
  { name: 'one process --max-semi-space-size=1', flags: ['--max-semi-space-size=1'] },
  { name: 'one process --optimize-for-size', flags: ['--optimize-for-size'] },
  { name: 'one process --lite-mode', flags: ['--lite-mode'] },
  {
    name: 'one process --optimize-for-size --max-semi-space-size=1',
    flags: ['--optimize-for-size', '--max-semi-space-size=1'],
  },
];

async function bundle(entry: string, name: string): Promise<string> {
  const outfile = path.join(cache, `${name}.mjs`);
  await build({
    entryPoints: [path.join(root, entry)],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    external: ['mongodb', 'serialport', 'nodemailer'],
    logLevel: 'error',
    // Bundled ESM has no require(): give the CommonJS parts one.
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
  });
  return outfile;
}

interface Contender {
  /** Row label. */
  name: string;
  child: ChildProcess;
  output: () => string;
  watch?: ProcWatch;
  figures?: ProcFigures;
}

function launch(name: string, command: string, args: string[], env: Record<string, string> = {}): Contender {
  const child = spawn(command, args, {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  child.stderr.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  return { name, child, output: () => output };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Warm-up, then one measured window over every contender at once; then SIGTERM to all. */
async function measure(contenders: Contender[], during?: () => void): Promise<void> {
  await sleep(warmupSeconds * 1000);
  for (const c of contenders) {
    if (c.child.exitCode !== null || c.child.pid === undefined)
      throw new Error(`${c.name} exited early (status ${c.child.exitCode}):\n${c.output()}`);
    c.watch = new ProcWatch(c.child.pid);
  }
  during?.();
  await sleep(seconds * 1000);
  for (const c of contenders) {
    c.watch!.stop();
    c.figures = c.watch!.figures();
  }
  await Promise.all(
    contenders.map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.child.exitCode !== null || c.child.signalCode !== null) return resolve();
          const force = setTimeout(() => c.child.kill('SIGKILL'), 10_000);
          c.child.once('exit', () => (clearTimeout(force), resolve()));
          c.child.kill('SIGTERM');
        }),
    ),
  );
}

/** collectd doing the same job, or the reason it cannot here. */
function collectdJob(uri: string, smtpPort: number): Contender | string {
  const binary = '/usr/sbin/collectd';
  if (!existsSync(binary))
    return 'collectd is not installed (bash scripts/bench/install-collectd.sh installs it)';
  const mongoPort = new URL(uri).port;
  const dir = path.join(tmp, 'collectd');
  mkdirSync(dir);
  const conf = path.join(dir, 'collectd.conf');
  writeFileSync(
    conf,
    `Interval 5
BaseDir "${dir}"
PIDFile "${dir}/collectd.pid"
PluginDir "/usr/lib/collectd"
TypesDB "/usr/share/collectd/types.db"
AutoLoadPlugin false
LoadPlugin logfile
<Plugin logfile>
  LogLevel warning
  File STDOUT
</Plugin>
LoadPlugin table
LoadPlugin write_mongodb
LoadPlugin threshold
LoadPlugin notify_email
<Plugin table>
  <Table "${sensorFile}">
    Instance "ds18b20"
    Separator " \\n"
    <Result>
      Type temperature
      ValuesFrom 0
    </Result>
  </Table>
</Plugin>
<Plugin write_mongodb>
  <Node "ferretdb">
    Host "127.0.0.1"
    Port "${mongoPort}"
    Timeout 2000
    StoreRates false
    Database "bench_pi_collectd"
  </Node>
</Plugin>
<Plugin threshold>
  <Type "temperature">
    FailureMax -15000
  </Type>
</Plugin>
<Plugin notify_email>
  SMTPServer "127.0.0.1"
  SMTPPort ${smtpPort}
  From "pi@example.org"
  Recipient "team@example.org"
  Subject "collectd alert %s@%s"
</Plugin>
`,
  );
  // collectd -t passes a config whose plugins cannot load; ask the loader instead.
  for (const plugin of ['table', 'write_mongodb', 'threshold', 'notify_email']) {
    const ldd = spawnSync('ldd', [`/usr/lib/collectd/${plugin}.so`], { encoding: 'utf8' });
    const missing = /^\s*(\S+) => not found/m.exec(ldd.stdout)?.[1];
    if (ldd.status !== 0 || missing)
      return `collectd's ${plugin} plugin cannot load here (${missing ?? ldd.stderr.trim()}); bash scripts/bench/install-collectd.sh installs what they need`;
  }
  return launch('collectd', binary, ['-f', '-C', conf]);
}

const figures: Figure[] = [];
const notes: string[] = [];
const mb = (n: number): string => `${n.toFixed(1)} MB`;

const server = await startFerretDB();
const sink = await SmtpSink.start();
try {
  mkdirSync(cache, { recursive: true });
  const [mainJs, onePJs, daemonJs, fleetJs, floorJs] = await Promise.all([
    bundle('examples/main.ts', 'main'),
    bundle('examples/main-one-process.ts', 'main-one-process'),
    bundle('src/mail-logger/daemon/bin.ts', 'mail-logger'),
    bundle('bench/pi-weight/fleet.ts', 'fleet'),
    bundle('bench/pi-weight/floor.ts', 'floor'),
  ]);
  const credentials = path.join(tmp, 'mail_credentials');
  writeFileSync(
    credentials,
    JSON.stringify({ smtp: sink.url, from: 'pi@example.org', to: ['team@example.org'] }),
    {
      mode: 0o600,
    },
  );
  const client = new MongoClient(server.uri);
  await client.connect();
  const namespaces: string[] = [];
  async function jobNamespace(name: string): Promise<string> {
    await seedJob(client.db(name), sensorFile);
    namespaces.push(name);
    return name;
  }
  const node = process.execPath;
  const floorMonitor = (db: string): Contender =>
    launch('floor: node + mongodb', node, [floorJs, 'monitor', server.uri, db, sensorFile, '5']);
  const floorDaemon = (socket: string): Contender =>
    launch('floor: node + nodemailer + socket', node, [floorJs, 'daemon', socket, sink.url]);
  const mainEnv = (ns: string, socket: string): Record<string, string> => ({
    MONGODB_URI: server.uri,
    RASPIMON_NAMESPACE: ns,
    RASPIMON_MAIL_LOGGER: `unix://${socket}`,
    STATE_DIRECTORY: path.join(tmp, `${ns}-state`),
  });

  // ── window 1: the job ──
  const jobSocket = path.join(tmp, 'ml.sock');
  const daemon = launch('raspimon daemon', node, [
    daemonJs,
    credentials,
    '--listen',
    `unix://${jobSocket}`,
    '--state-dir',
    path.join(tmp, 'ml-state'),
  ]);
  await sleep(1000); // the daemon's socket first, as systemd's After= orders them
  const job: Contender[] = [
    daemon,
    launch('raspimon monitor', node, [mainJs], mainEnv(await jobNamespace('bench_pi_two'), jobSocket)),
    floorMonitor('bench_pi_floor'),
    floorDaemon(path.join(tmp, 'floor.sock')),
    // Nobody logs to this one: the daemon with nothing to mail (nodemailer not loaded).
    launch('raspimon daemon, nothing to mail', node, [
      daemonJs,
      credentials,
      '--listen',
      `unix://${path.join(tmp, 'ml-idle.sock')}`,
      '--state-dir',
      path.join(tmp, 'ml-idle-state'),
    ]),
  ];
  for (const variant of flagVariants) {
    const i = flagVariants.indexOf(variant);
    const socket = path.join(tmp, `one-${i}.sock`);
    const ns = await jobNamespace(`bench_pi_one_${i}`);
    job.push(
      launch(`raspimon ${variant.name}`, node, [...variant.flags, onePJs], {
        ...mainEnv(ns, socket),
        RASPIMON_MAIL_CREDENTIALS: credentials,
        RASPIMON_MAIL_STATE_DIR: path.join(tmp, `one-${i}-ml-state`),
      }),
    );
  }
  const collectd = collectdJob(server.uri, sink.port);
  if (typeof collectd === 'string') notes.push(collectd);
  else job.push(collectd);
  console.log(`window "job": ${job.length} processes, ${warmupSeconds} s warm-up + ${seconds} s`);
  await measure(job);
  const stored = async (db: string): Promise<number> => client.db(db).collection('readings').countDocuments();
  for (const ns of ['bench_pi_two', 'bench_pi_floor', ...flagVariants.map((_, i) => `bench_pi_one_${i}`)])
    notes.push(`${ns}: ${await stored(ns)} readings stored`);
  const alertMails = sink.messages.filter((m) =>
    /freezer warm|collectd alert/.test(m.subject + m.text),
  ).length;
  notes.push(
    `alert mails received in the job window: ${alertMails} (one per raspimon job expected, collectd's at every reading)`,
  );
  const byName = (list: Contender[], name: string): ProcFigures =>
    list.find((c) => c.name === name)!.figures!;

  // ── window 2: the daemon while mailing ──
  const mailSocket = path.join(tmp, 'ml-mail.sock');
  const floorMailSocket = path.join(tmp, 'floor-mail.sock');
  const mailFlags = [[], ['--lite-mode']];
  const mailing: Contender[] = mailFlags.flatMap((flags, i) => {
    const suffix = flags.length > 0 ? ` ${flags.join(' ')}` : '';
    return [
      launch(`raspimon daemon${suffix}`, node, [
        ...flags,
        daemonJs,
        credentials,
        '--listen',
        `unix://${mailSocket}${i}`,
        '--state-dir',
        path.join(tmp, `ml-mail-state-${i}`),
      ]),
      launch(`floor: node + nodemailer + socket${suffix}`, node, [
        ...flags,
        floorJs,
        'daemon',
        `${floorMailSocket}${i}`,
        sink.url,
      ]),
    ];
  });
  const before = sink.messages.length;
  const loggers: MailLoggerClient[] = [];
  const floorLines: net.Socket[] = [];
  let feeder: NodeJS.Timeout | undefined;
  console.log(`window "mailing": a WARNING every 5 s to each daemon`);
  await measure(mailing, () => {
    for (const i of mailFlags.keys()) {
      loggers.push(MailLoggerClient.open(`unix://${mailSocket}${i}`, { source: 'bench', tee: false }));
      floorLines.push(net.connect(`${floorMailSocket}${i}`).on('error', () => undefined));
    }
    let n = 0;
    feeder = setInterval(() => {
      n++;
      for (const logger of loggers) logger.warning(`pump ${n} stalled`);
      for (const line of floorLines) line.write(`pump ${n} stalled\n`);
    }, 5000);
  });
  clearInterval(feeder);
  for (const logger of loggers) await logger.close({ timeoutSeconds: 1 });
  for (const line of floorLines) line.destroy();
  notes.push(`mails received in the mailing window: ${sink.messages.length - before} (all daemons)`);

  // ── window 3: 20 devices × 5 keys at 1 Hz ──
  const fleetFlags = ['--lite-mode', '--optimize-for-size'];
  const fleetDbs = [
    'bench_pi_fleet',
    ...fleetFlags.map((flag) => `bench_pi_fleet${flag.replace(/\W/g, '_')}`),
  ];
  for (const name of fleetDbs) {
    const fleetDb = client.db(name);
    await fleetDb.dropDatabase();
    await fleetDb.collection('keys').insertMany([1, 2, 3, 4, 5].map((keyId) => ({ keyId, unit: 'n' })));
    await fleetDb.collection('devices').insertMany(
      Array.from({ length: 20 }, (_, d) => ({
        id: d + 1,
        name: `sensor-${d + 1}`,
        driver: 'five',
        interval: 1,
      })),
    );
  }
  const fleet: Contender[] = [
    launch('raspimon monitor', node, [fleetJs, server.uri, 'bench_pi_fleet', path.join(tmp, 'fleet-state')]),
    launch('floor: node + mongodb', node, [floorJs, 'fleet', server.uri, 'bench_pi_fleet_floor']),
    ...fleetFlags.map((flag) =>
      launch(`raspimon monitor ${flag}`, node, [
        flag,
        fleetJs,
        server.uri,
        `bench_pi_fleet${flag.replace(/\W/g, '_')}`,
        path.join(tmp, `fleet-state${flag}`),
      ]),
    ),
  ];
  console.log(`window "fleet": 20 devices × 5 keys at 1 Hz`);
  await measure(fleet);
  notes.push(
    `fleet: raspimon stored ${await stored('bench_pi_fleet')}, floor ${await stored('bench_pi_fleet_floor')} readings`,
  );
  await client.db('bench_pi_fleet_floor').dropDatabase();
  for (const name of fleetDbs) await client.db(name).dropDatabase();
  for (const ns of namespaces) await client.db(ns).dropDatabase();
  await client.close();

  // ── figures and ratios ──
  const floorM = byName(job, 'floor: node + mongodb');
  const floorD = byName(job, 'floor: node + nodemailer + socket');
  const twoRss = byName(job, 'raspimon monitor').rssMeanMB + byName(job, 'raspimon daemon').rssMeanMB;
  const twoCpu = byName(job, 'raspimon monitor').cpuSeconds + byName(job, 'raspimon daemon').cpuSeconds;
  const push = (metric: string, who: string, value: number, unit: string): void =>
    void figures.push({ who, metric, value, unit, lowerIsBetter: true });
  const per = `${seconds} s`;
  const addProc = (prefix: string, who: string, f: ProcFigures): void => {
    push(`${prefix} RSS mean`, who, f.rssMeanMB, 'MB');
    push(`${prefix} RSS peak`, who, f.rssPeakMB, 'MB');
    push(`${prefix} CPU in ${per}`, who, f.cpuSeconds, 's');
    push(`${prefix} wake-ups`, who, f.wakeupsPerMinute, '/min');
  };
  addProc('job: monitor', 'raspimon', byName(job, 'raspimon monitor'));
  addProc('job: monitor', 'floor: node + mongodb', floorM);
  addProc('job: daemon idle', 'raspimon', byName(job, 'raspimon daemon, nothing to mail'));
  addProc('job: daemon, one alert mailed', 'raspimon', byName(job, 'raspimon daemon'));
  addProc('job: daemon, one alert mailed', 'floor: node + nodemailer + socket', floorD);
  addProc('job: daemon idle', 'floor: node + nodemailer + socket', floorD);
  push('job: whole RSS mean', 'raspimon', twoRss, 'MB');
  push('job: whole CPU in ' + per, 'raspimon', twoCpu, 's');
  for (const v of flagVariants) {
    const f = byName(job, `raspimon ${v.name}`);
    push('job: whole RSS mean', `raspimon ${v.name}`, f.rssMeanMB, 'MB');
    push('job: whole RSS peak', `raspimon ${v.name}`, f.rssPeakMB, 'MB');
    push('job: whole CPU in ' + per, `raspimon ${v.name}`, f.cpuSeconds, 's');
    push('job: whole wake-ups', `raspimon ${v.name}`, f.wakeupsPerMinute, '/min');
  }
  push('job: whole RSS mean', 'floors (both)', floorM.rssMeanMB + floorD.rssMeanMB, 'MB');
  push('job: whole CPU in ' + per, 'floors (both)', floorM.cpuSeconds + floorD.cpuSeconds, 's');
  push('job: whole RSS mean', 'goal (issue 21)', 75, 'MB');
  if (typeof collectd !== 'string') {
    push('job: whole RSS mean', 'collectd', collectd.figures!.rssMeanMB, 'MB');
    push('job: whole CPU in ' + per, 'collectd', collectd.figures!.cpuSeconds, 's');
    push('job: whole wake-ups', 'collectd', collectd.figures!.wakeupsPerMinute, '/min');
  }
  addProc('mailing: daemon', 'raspimon', byName(mailing, 'raspimon daemon'));
  addProc(
    'mailing: daemon',
    'floor: node + nodemailer + socket',
    byName(mailing, 'floor: node + nodemailer + socket'),
  );
  addProc('fleet 20×5 at 1 Hz: monitor', 'raspimon', byName(fleet, 'raspimon monitor'));
  addProc('fleet 20×5 at 1 Hz: monitor', 'floor: node + mongodb', byName(fleet, 'floor: node + mongodb'));
  for (const flag of fleetFlags)
    addProc('fleet 20×5 at 1 Hz: monitor', `raspimon ${flag}`, byName(fleet, `raspimon monitor ${flag}`));
  addProc('mailing: daemon', 'raspimon --lite-mode', byName(mailing, 'raspimon daemon --lite-mode'));
  addProc(
    'mailing: daemon',
    'floor --lite-mode',
    byName(mailing, 'floor: node + nodemailer + socket --lite-mode'),
  );

  // The table the issue asks for: raspimon ÷ its floor, same window.
  const lines = [`\n## pi-weight: raspimon ÷ floor (same window; lower is better, 1.00 = the floor)`];
  const ratio = (a: number, b: number): string => (b > 0 ? `×${(a / b).toFixed(2)}` : 'n/a');
  const line = (label: string, f: ProcFigures, floor: ProcFigures | undefined): void =>
    void lines.push(
      `  ${label.padEnd(44)} RSS ${mb(f.rssMeanMB).padStart(9)} (peak ${mb(f.rssPeakMB).padStart(9)})  CPU ${f.cpuSeconds.toFixed(2).padStart(5)} s  ${f.wakeupsPerMinute.toFixed(0).padStart(5)} wake-ups/min` +
        (floor
          ? `   RSS ${ratio(f.rssMeanMB, floor.rssMeanMB)}  CPU ${ratio(f.cpuSeconds, floor.cpuSeconds)}`
          : ''),
    );
  const both: ProcFigures = {
    rssMeanMB: floorM.rssMeanMB + floorD.rssMeanMB,
    rssPeakMB: floorM.rssPeakMB + floorD.rssPeakMB,
    cpuSeconds: floorM.cpuSeconds + floorD.cpuSeconds,
    wakeupsPerMinute: floorM.wakeupsPerMinute + floorD.wakeupsPerMinute,
  };
  lines.push(`job (1 file every 5 s, alert rule), ${per}:`);
  line('raspimon monitor', byName(job, 'raspimon monitor'), floorM);
  line('floor: node + mongodb', floorM, undefined);
  line('raspimon daemon (the one alert mailed)', byName(job, 'raspimon daemon'), floorD);
  line('raspimon daemon, nothing to mail', byName(job, 'raspimon daemon, nothing to mail'), floorD);
  line('floor: node + nodemailer + socket', floorD, undefined);
  const two = byName(job, 'raspimon monitor');
  const dd = byName(job, 'raspimon daemon');
  line(
    'raspimon two processes (sum)',
    {
      rssMeanMB: twoRss,
      rssPeakMB: two.rssPeakMB + dd.rssPeakMB,
      cpuSeconds: twoCpu,
      wakeupsPerMinute: two.wakeupsPerMinute + dd.wakeupsPerMinute,
    },
    both,
  );
  for (const v of flagVariants) line(`raspimon ${v.name}`, byName(job, `raspimon ${v.name}`), both);
  line('floors (both, sum)', both, undefined);
  if (typeof collectd !== 'string') line('collectd', collectd.figures!, both);
  lines.push(`daemon while mailing (a WARNING every 5 s), ${per}:`);
  const floorMail = byName(mailing, 'floor: node + nodemailer + socket');
  line('raspimon daemon', byName(mailing, 'raspimon daemon'), floorMail);
  line('floor: node + nodemailer + socket', floorMail, undefined);
  const floorMailLite = byName(mailing, 'floor: node + nodemailer + socket --lite-mode');
  line('raspimon daemon --lite-mode', byName(mailing, 'raspimon daemon --lite-mode'), floorMailLite);
  line(
    'raspimon daemon --lite-mode ÷ default floor',
    byName(mailing, 'raspimon daemon --lite-mode'),
    floorMail,
  );
  line('floor --lite-mode', floorMailLite, undefined);
  lines.push(`20 devices × 5 keys at 1 Hz, ${per}:`);
  const floorFleet = byName(fleet, 'floor: node + mongodb');
  line('raspimon monitor', byName(fleet, 'raspimon monitor'), floorFleet);
  line('floor: node + mongodb (insertMany)', floorFleet, undefined);
  for (const flag of fleetFlags)
    line(`raspimon monitor ${flag}`, byName(fleet, `raspimon monitor ${flag}`), floorFleet);
  const goal = (text: string, ok: boolean): void =>
    void lines.push(`goal (issue 21): ${text} ${ok ? '✓' : '✗'}`);
  const mon = byName(job, 'raspimon monitor');
  goal(
    `monitor CPU ≤ 1.2× floor: ×${(mon.cpuSeconds / floorM.cpuSeconds).toFixed(2)}`,
    mon.cpuSeconds <= 1.2 * floorM.cpuSeconds,
  );
  goal(
    `monitor RSS ≤ 1.1× floor: ×${(mon.rssMeanMB / floorM.rssMeanMB).toFixed(2)}`,
    mon.rssMeanMB <= 1.1 * floorM.rssMeanMB,
  );
  for (const [label, f] of [
    ['daemon, nothing to mail', byName(job, 'raspimon daemon, nothing to mail')],
    ['daemon after mailing', byName(job, 'raspimon daemon')],
  ] as const)
    goal(
      `${label} RSS ≤ 1.1× floor: ×${(f.rssMeanMB / floorD.rssMeanMB).toFixed(2)}`,
      f.rssMeanMB <= 1.1 * floorD.rssMeanMB,
    );
  for (const v of flagVariants.slice(0, 4)) {
    const f = byName(job, `raspimon ${v.name}`);
    goal(`${v.name} ≤ 75 MB: ${mb(f.rssMeanMB)}`, f.rssMeanMB <= 75);
  }
  lines.push(
    `load average at the end: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} (${os.cpus().length} CPUs)`,
  );
  for (const note of notes) lines.push(`note: ${note}`);
  console.log(lines.join('\n'));
} finally {
  await sink.close();
  await server.dispose();
  rmSync(tmp, { recursive: true, force: true });
}
report('pi-weight', figures);
