// Runs the raspimon CLI in-process (runCli with captured output) or as a real process,
// against the run's FerretDB, each test in its own namespace.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { MongoClient, type Db } from 'mongodb';
import { runCli } from '../../src/cli/main.js';
import type { CliIO } from '../../src/cli/command.js';
import { mongodbUri, uniqueDbName } from '../helpers/mongo.js';

export const root = path.resolve(import.meta.dirname, '../..');
export const binPath = path.join(root, 'src/cli/bin.ts');
export const fixtures = path.join(import.meta.dirname, 'fixtures');

/** A DS18B20 1-Wire `file` device config (keyId 1), as JSON text. */
export const boilerConfig = '{"path":"/sys/bus/w1/devices/28-0000/temperature","keyId":1}';
/** `raspimon devices add` of device 3 "boiler" with that config, every 10 s. */
export const addBoiler = [
  'devices',
  'add',
  '--id',
  '3',
  '--name',
  'boiler',
  '--driver',
  'file',
  '--config',
  boilerConfig,
  '--interval',
  '10',
];

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A namespace of one test with a client to inspect it and CLI runners bound to it. */
export class CliWorld {
  readonly namespace = uniqueDbName('cli_');
  readonly uri = mongodbUri();
  private readonly client = new MongoClient(this.uri);

  get db(): Db {
    return this.client.db(this.namespace);
  }

  /** `raspimon <argv> --uri … --namespace …` in-process. */
  async run(argv: string[], io: Partial<CliIO> = {}): Promise<CliResult> {
    let stdout = '';
    let stderr = '';
    // Global flags first (as `raspimon --uri … devices list`), so a test's own flags win.
    const code = await runCli(['--uri', this.uri, '--namespace', this.namespace, ...argv], {
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: (text: string) => (stderr += text) },
      env: {},
      cwd: fixtures,
      ...io,
    });
    return { code, stdout, stderr };
  }

  /** The same as a real process: `node --import tsx src/cli/bin.ts …`. */
  spawn(
    argv: string[],
    options: { onStdout?: (text: string) => void } = {},
  ): { done: Promise<CliResult>; kill(signal: NodeJS.Signals): void } {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', binPath, ...argv, '--uri', this.uri, '--namespace', this.namespace],
      {
        cwd: root,
        env: { ...process.env, MONGODB_URI: '' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      options.onStdout?.(stdout);
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const done = new Promise<CliResult>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    });
    return { done, kill: (signal) => void child.kill(signal) };
  }

  async dispose(): Promise<void> {
    await this.db.dropDatabase().catch(() => undefined);
    await this.client.close();
  }
}
