// Shared set-up of the mail-logger tests: temp dirs, credentials files, daemons.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  MailLoggerClient,
  MailLoggerServer,
  type MailLoggerClientOptions,
  type MailLoggerServerOptions,
} from '../../src/mail-logger/index.js';
import { ManualClock, Scheduler } from '../../src/scheduler/index.js';
import { SmtpSink, type SinkMessage } from '../helpers/smtp-sink.js';
import { canConnect, waitFor } from '../helpers/wait.js';

const repo = path.resolve(import.meta.dirname, '../..');

export function tempDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'raspimon-ml-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export function writeCredentials(
  dir: string,
  smtpUrl: string,
  mode = 0o600,
  extra: Record<string, unknown> = {},
): string {
  const file = path.join(dir, 'mail_credentials');
  writeFileSync(
    file,
    JSON.stringify({ smtp: smtpUrl, from: 'pi@example.org', to: ['team@example.org'], ...extra }),
    { mode },
  );
  return file;
}

/** Resolves once something accepts connections on the unix socket. */
export function waitForSocket(socketPath: string, timeoutMs = 60_000): Promise<void> {
  return waitFor(() => canConnect({ path: socketPath }), timeoutMs, `a listener on ${socketPath}`);
}

export interface Daemon {
  child: ChildProcess;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** Starts the real daemon process (`node --import tsx src/mail-logger/daemon/bin.ts ...`). */
export function spawnDaemon(args: string[]): Daemon {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(repo, 'src/mail-logger/daemon/bin.ts'), ...args],
    {
      cwd: repo,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stderr: () => stderr, exited };
}

/**
 * The daemon's command line as the process tests start it: a credentials file for `smtpUrl`
 * written into `dir`, the unix socket and the state directory, then `flags`.
 */
export function daemonArgs(
  dir: string,
  smtpUrl: string,
  where: { socketPath: string; stateDir: string },
  ...flags: string[]
): string[] {
  return [
    writeCredentials(dir, smtpUrl),
    '--listen',
    `unix://${where.socketPath}`,
    '--state-dir',
    where.stateDir,
    ...flags,
  ];
}

/**
 * Starts the daemon process with `args`, adds it to `daemons` (for {@link killDaemons}), and
 * resolves with it once it listens on `socketPath`.
 */
export async function startDaemonProcess(
  args: string[],
  socketPath: string,
  daemons: Daemon[],
): Promise<Daemon> {
  const daemon = spawnDaemon(args);
  daemons.push(daemon);
  await waitForSocket(socketPath);
  return daemon;
}

/** Kills (SIGKILL) each daemon of `daemons` still running, waits until every one has exited, and empties the list. */
export async function killDaemons(daemons: Daemon[]): Promise<void> {
  for (const d of daemons.splice(0)) {
    if (d.child.exitCode === null && d.child.signalCode === null) d.child.kill('SIGKILL');
    await d.exited;
  }
}

/** Runs the CLI to completion; returns exit code and output. */
export async function runCli(args: string[]): Promise<{ code: number | null; output: string }> {
  const daemon = spawnDaemon(args);
  const code = await daemon.exited;
  return { code, output: daemon.stderr() };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Waits until nothing more happens without the clock moving: no ManualClock timer is due,
 * and the daemon is idle (everything received is journaled, nothing is being composed or
 * sent). After it, "no mail was sent" is final, not merely late on a slow machine.
 */
export async function quiescent(clock: ManualClock, server: MailLoggerServer): Promise<void> {
  do {
    await clock.advance(0);
    await server.whenIdle();
  } while (clock.dueTimers() > 0);
}

/** A daemon on a ManualClock with a real SMTP sink and one client, as the clock-driven tests use it. */
export interface ManualMailWorld {
  sink: SmtpSink;
  clock: ManualClock;
  scheduler: Scheduler;
  server: MailLoggerServer;
  logger: MailLoggerClient;
  /** {@link quiescent} for this world's clock and daemon. */
  quiescent(): Promise<void>;
  /** Closes the client (1 s at most), the daemon, the scheduler and the sink; deletes the temp dir. */
  dispose(): Promise<void>;
}

/** Starts a daemon whose digests and grouping timers run on a ManualClock at `start`, in `timeZone`. */
export async function startManualMailWorld(options: {
  start: Date;
  timeZone: string;
  client?: MailLoggerClientOptions;
  /** More server options (e.g. `maxMailsPerDay`); `log` receives the daemon's lines. */
  server?: Partial<MailLoggerServerOptions>;
}): Promise<ManualMailWorld> {
  const sink = await SmtpSink.start();
  const tmp = tempDir();
  const clock = new ManualClock(options.start);
  const scheduler = new Scheduler({ clock, timeZone: options.timeZone }).start();
  const listen = `unix://${path.join(tmp.dir, 'ml.sock')}`;
  const server = await MailLoggerServer.start({
    credentials: { smtp: sink.url, from: 'pi@example.org', to: 'team@example.org' },
    listen,
    stateDir: path.join(tmp.dir, 'state'),
    scheduler,
    timeZone: options.timeZone,
    log: () => undefined,
    ...options.server,
  });
  const logger = MailLoggerClient.open(listen, { source: 'raspimon_dca632112233', ...options.client });
  return {
    sink,
    clock,
    scheduler,
    server,
    logger,
    quiescent: () => quiescent(clock, server),
    async dispose() {
      await logger.close({ timeoutSeconds: 1 });
      await server.close();
      await scheduler.stop();
      await sink.close();
      tmp.remove();
    },
  };
}

/** How many times each `rec-N` record appears in the mails (a daemon fault test's count of kept and duplicated records). */
export function recordIds(messages: readonly SinkMessage[]): Map<string, number> {
  const seen = new Map<string, number>();
  for (const m of messages) {
    for (const match of m.text.matchAll(/\] (rec-\d+)$/gm))
      seen.set(match[1]!, (seen.get(match[1]!) ?? 0) + 1);
  }
  return seen;
}
