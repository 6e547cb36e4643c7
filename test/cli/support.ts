// Runs the raspimon CLI in-process (runCli with captured output) or as a real process,
// against the run's FerretDB, each test in its own namespace; and what the CLI tests share
// besides: command lines they build (addDevice, addRule), seeds and temporary files.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, expect } from 'vitest';
import { MongoClient, type Db } from 'mongodb';
import { runCli } from '../../src/cli/main.js';
import type { CliIO } from '../../src/cli/command.js';
import { mongodbUri, uniqueDbName } from '../helpers/mongo.js';
import { tempDir } from '../monitor/support.js';

export const root = path.resolve(import.meta.dirname, '../..');
export const binPath = path.join(root, 'src/cli/bin.ts');
export const fixtures = path.join(import.meta.dirname, 'fixtures');

/** A DS18B20 1-Wire `file` device config (keyId 1), as JSON text. */
export const boilerConfig = '{"path":"/sys/bus/w1/devices/28-0000/temperature","keyId":1}';

/** `raspimon devices add` of a device with `config` (JSON text or `@file`), then `flags`. */
export function addDevice(
  id: number,
  name: string,
  driver: string,
  config: string,
  ...flags: string[]
): string[] {
  return [
    'devices',
    'add',
    '--id',
    String(id),
    '--name',
    name,
    '--driver',
    driver,
    '--config',
    config,
    ...flags,
  ];
}

/** `raspimon devices add` of device 3 "boiler" with that config, every 10 s. */
export const addBoiler = addDevice(3, 'boiler', 'file', boilerConfig, '--interval', '10');

/** `raspimon rules add` of rule `id` named `name` on key `keyId`, then `flags`. */
export function addRule(id: number, name: string, keyId: number, ...flags: string[]): string[] {
  return ['rules', 'add', '--id', String(id), '--name', name, '--key', String(keyId), ...flags];
}

/**
 * Stores the freezer the rules tests watch: key 7 (mC), then `keys`, and device 3
 * "freezer", a 1-Wire `file` device of key 7.
 */
export async function seedFreezer(db: Db, ...keys: Array<{ keyId: number; unit: string }>): Promise<void> {
  await db.collection('keys').insertMany([{ keyId: 7, unit: 'mC' }, ...keys]);
  await db.collection('devices').insertOne({
    id: 3,
    name: 'freezer',
    driver: 'file',
    config: { path: '/sys/bus/w1/devices/28-0000/temperature', keyId: 7 },
  });
}

/**
 * A fresh temporary directory (`prefix` plus random letters) for each test of the enclosing
 * file or describe, removed after it: call it there; the getter names the current one.
 */
export function tempDirEachTest(prefix: string): () => string {
  let current: ReturnType<typeof tempDir> | undefined;
  beforeEach(() => {
    current = tempDir(prefix);
  });
  afterEach(() => {
    current?.remove();
  });
  return () => current!.dir;
}

/** A file `name` holding `text` in a fresh temporary directory (a sensor, a pid file); its path. */
export function tempFile(name: string, text?: string): string {
  const file = path.join(tempDir('raspimon-cli-').dir, name);
  if (text !== undefined) writeFileSync(file, text);
  return file;
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * runCli in-process with stdout and stderr captured and an empty environment; `io` gives
 * the working directory and adds to or overrides the rest.
 */
export async function runCaptured(
  argv: readonly string[],
  io: Partial<CliIO> & { cwd: string },
): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env: {},
    ...io,
  });
  return { code, stdout, stderr };
}

/** `raspimon init <argv>` in-process in `cwd`; it fails the test if init asks for a namespace. */
export function runInit(argv: readonly string[], cwd: string): Promise<CliResult> {
  return runCaptured(['init', ...argv], {
    cwd,
    defaultNamespace: () => expect.fail('init needs no namespace'),
  });
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
  run(argv: string[], io: Partial<CliIO> = {}): Promise<CliResult> {
    // Global flags first (as `raspimon --uri … devices list`), so a test's own flags win.
    return runCaptured(['--uri', this.uri, '--namespace', this.namespace, ...argv], { cwd: fixtures, ...io });
  }

  /**
   * Runs `argv` in-process and asserts its exit status and, when given, what stderr holds
   * (a substring, or a pattern it matches); the result, for more checks.
   */
  async expectExit(argv: string[], code: number, stderr?: string | RegExp): Promise<CliResult> {
    const result = await this.run(argv);
    expect(result.code).toBe(code);
    if (typeof stderr === 'string') expect(result.stderr).toContain(stderr);
    else if (stderr !== undefined) expect(result.stderr).toMatch(stderr);
    return result;
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
