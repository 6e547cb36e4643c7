// Debian's mosquitto on a free loopback port, with an optional password file and TLS
// listener (certificates made here with openssl), stoppable and restartable on the same port.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { freePort, waitForPort } from './free-port.js';
import { stopChild } from './child-process.js';

export interface MosquittoOptions {
  /** Require this user and password (anonymous refused). */
  user?: { username: string; password: string };
  /** Also listen with TLS on `tlsPort`, with a certificate signed by `caFile`. */
  tls?: boolean;
}

export interface Mosquitto {
  port: number;
  url: string;
  /** Set with `tls`: the mqtts:// URL and the CA's PEM file. */
  tlsUrl?: string;
  caFile?: string;
  dir: string;
  /** Stops the broker (SIGTERM) and waits for it to exit. */
  stop(): Promise<void>;
  /** Starts it again on the same port(s). */
  start(): Promise<void>;
  dispose(): Promise<void>;
}

function binary(): string {
  for (const candidate of ['/usr/sbin/mosquitto', '/usr/bin/mosquitto'])
    if (existsSync(candidate)) return candidate;
  return 'mosquitto';
}

function makeCertificates(dir: string): { ca: string; cert: string; key: string } {
  const file = (name: string): string => path.join(dir, name);
  const run = (args: string[]): void => void execFileSync('openssl', args, { stdio: 'ignore' });
  run([
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=raspimon test CA',
    '-keyout',
    file('ca.key'),
    '-out',
    file('ca.pem'),
  ]);
  run([
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    '/CN=localhost',
    '-keyout',
    file('server.key'),
    '-out',
    file('server.csr'),
  ]);
  writeFileSync(file('san.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  run([
    'x509',
    '-req',
    '-in',
    file('server.csr'),
    '-CA',
    file('ca.pem'),
    '-CAkey',
    file('ca.key'),
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    file('san.ext'),
    '-out',
    file('server.pem'),
  ]);
  return { ca: file('ca.pem'), cert: file('server.pem'), key: file('server.key') };
}

/** Starts mosquitto and resolves once it accepts connections. */
export async function startMosquitto(options: MosquittoOptions = {}): Promise<Mosquitto> {
  const dir = mkdtempSync(path.join(tmpdir(), 'raspimon-mosquitto-'));
  const port = await freePort();
  // Global settings (per_listener_settings false) first, then the listeners.
  // `user`: started as root, mosquitto would drop to user "mosquitto", who cannot read the temp dir.
  const lines = [
    'per_listener_settings false',
    'persistence false',
    'log_dest stderr',
    `user ${userInfo().username}`,
  ];
  if (options.user) {
    const passwords = path.join(dir, 'passwords');
    execFileSync('mosquitto_passwd', ['-b', '-c', passwords, options.user.username, options.user.password], {
      stdio: 'ignore',
    });
    lines.push('allow_anonymous false', `password_file ${passwords}`);
  } else lines.push('allow_anonymous true');
  lines.push(`listener ${port} 127.0.0.1`);
  let tlsPort: number | undefined;
  let caFile: string | undefined;
  if (options.tls) {
    const certs = makeCertificates(dir);
    tlsPort = await freePort();
    caFile = certs.ca;
    lines.push(`listener ${tlsPort} 127.0.0.1`, `certfile ${certs.cert}`, `keyfile ${certs.key}`);
  }
  const conf = path.join(dir, 'mosquitto.conf');
  writeFileSync(conf, `${lines.join('\n')}\n`);
  let child: ChildProcess | undefined;
  const start = async (): Promise<void> => {
    const proc = spawn(binary(), ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    child = proc;
    let stderr = '';
    proc.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<never>((_, reject) =>
      proc.once('exit', (code) => reject(new Error(`mosquitto exited with ${code}: ${stderr}`))),
    );
    exited.catch(() => undefined);
    await Promise.race([waitForPort(port, 15_000), exited]);
    if (tlsPort !== undefined) await Promise.race([waitForPort(tlsPort, 15_000), exited]);
  };
  const stop = async (): Promise<void> => {
    const proc = child;
    child = undefined;
    await stopChild(proc);
  };
  await start();
  return {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    ...(tlsPort !== undefined ? { tlsUrl: `mqtts://localhost:${tlsPort}`, caFile } : {}),
    dir,
    stop,
    start,
    async dispose() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
