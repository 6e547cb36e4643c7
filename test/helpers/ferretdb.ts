import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, waitForPort } from './free-port.js';
import { stopChild } from './child-process.js';

const root = path.resolve(import.meta.dirname, '../..');

/** Path of the FerretDB binary, built by `scripts/install-ferretdb.sh` when missing. */
export function ferretdbBinary(): string {
  return execFileSync('bash', [path.join(root, 'scripts/install-ferretdb.sh')], { encoding: 'utf8' }).trim();
}

/** A running FerretDB (SQLite backend) on a loopback port with its own data dir. */
export interface FerretDB {
  uri: string;
  port: number;
  dataDir: string;
  /** Stops it gracefully (SIGTERM) and waits for exit; the data dir is kept. */
  stop(): Promise<void>;
  /** Kills it (SIGKILL) and waits for exit; the data dir is kept. */
  kill(): Promise<void>;
  /** Starts it again on the same port and data dir (after stop or kill). */
  restart(): Promise<void>;
  /** Stops it and deletes the data dir. */
  dispose(): Promise<void>;
}

/**
 * Starts FerretDB v1 with its SQLite backend on a free loopback port.
 * Same flags any tool can use: see scripts/install-ferretdb.sh.
 */
export async function startFerretDB(options: { port?: number; dataDir?: string } = {}): Promise<FerretDB> {
  const binary = ferretdbBinary();
  const port = options.port ?? (await freePort());
  const dataDir = options.dataDir ?? mkdtempSync(path.join(tmpdir(), 'raspimon-ferretdb-'));
  let child: ChildProcess | undefined;

  const launch = async (): Promise<void> => {
    const proc = spawn(
      binary,
      [
        '--handler=sqlite',
        `--sqlite-url=file:${dataDir}/`,
        `--listen-addr=127.0.0.1:${port}`,
        `--state-dir=${dataDir}`,
        '--debug-addr=-',
        '--telemetry=disable',
        '--log-level=error',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    proc.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    child = proc;
    const exited = new Promise<never>((_, reject) =>
      proc.once('exit', (code) => reject(new Error(`FerretDB exited with ${code}: ${stderr}`))),
    );
    exited.catch(() => undefined);
    await Promise.race([waitForPort(port), exited]);
  };

  const terminate = async (signal: NodeJS.Signals): Promise<void> => {
    const proc = child;
    child = undefined;
    await stopChild(proc, signal);
  };

  await launch();
  return {
    uri: `mongodb://127.0.0.1:${port}/`,
    port,
    dataDir,
    stop: () => terminate('SIGTERM'),
    kill: () => terminate('SIGKILL'),
    restart: launch,
    async dispose() {
      await terminate('SIGTERM');
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
