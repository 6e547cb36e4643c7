// One process per (state dir, name): a lock that cannot go stale. The lock is a listening
// Unix socket, which the kernel takes away when the process ends however it ends (kill -9,
// power cut), so no pid is ever guessed at:
// - Linux: an abstract socket (no file at all) named after the state dir's device and
//   inode, so two paths to one directory (symlink, bind mount) are one lock;
// - elsewhere: a socket file in the state dir; one that refuses connections is a leftover
//   of a dead process and is replaced.
// The holder answers each connection with one JSON line describing itself, so a refused
// second process can say who holds the lock.
import { createHash } from 'node:crypto';
import { stat, unlink } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';

/** What the holder of a lock says about itself. */
export interface LockHolder {
  pid: number;
  /** Epoch ms when it took the lock. */
  since: number;
  /** Free text from the holder, e.g. the namespace. */
  about?: string;
}

/** Where the lock lives and what it is for. */
export interface InstanceLockOptions {
  /** The state dir the lock protects; must exist. */
  dir: string;
  /** What kind of process holds it, e.g. `'monitor'` or `'daemon'`. */
  name: string;
  /** Free text the holder reports to a refused process. */
  about?: string;
  /** Epoch ms to report as `since`. @default Date.now() */
  now?: number;
  /** Linux abstract socket (true) or a socket file in `dir` (false). @default Linux */
  abstract?: boolean;
}

/** A lock this process holds until {@link InstanceLock.release}. */
export interface InstanceLock {
  /** Where the lock is, for messages (`@raspimon…` for an abstract socket). */
  readonly where: string;
  release(): Promise<void>;
}

/** The result of {@link tryInstanceLock}: the lock, or who holds it. */
export type LockAttempt =
  { acquired: true; lock: InstanceLock } | { acquired: false; where: string; holder: LockHolder | undefined };

/** Takes the lock, or says who holds it. Rejects only for an unusable `dir`. */
export async function tryInstanceLock(options: InstanceLockOptions): Promise<LockAttempt> {
  const abstract = options.abstract ?? process.platform === 'linux';
  const holder: LockHolder = {
    pid: process.pid,
    since: options.now ?? Date.now(),
    ...(options.about === undefined ? {} : { about: options.about }),
  };
  let address: string;
  if (abstract) {
    const { dev, ino } = await stat(options.dir);
    const key = createHash('sha256').update(`${dev}:${ino}`).digest('hex').slice(0, 32);
    address = `\0raspimon-${options.name}-${key}`;
  } else {
    await stat(options.dir);
    address = path.join(options.dir, `${options.name}.lock`);
  }
  const where = abstract ? `@${address.slice(1)}` : address;
  for (let attempt = 0; ; attempt++) {
    const server = await listen(address, holder);
    if (server) {
      return {
        acquired: true,
        lock: {
          where,
          release: async () => {
            await new Promise<void>((resolve) => server.close(() => resolve()));
            // net removes the socket file on close; a leftover would only be replaced later.
            if (!abstract) await unlink(address).catch(() => undefined);
          },
        },
      };
    }
    const answer = await ask(address);
    if (answer.alive || abstract || attempt > 0) return { acquired: false, where, holder: answer.holder };
    // A socket file nobody listens on: left by a process that died. Replace it once.
    await unlink(address).catch(() => undefined);
  }
}

/** Listens on `address`, answering each connection with `holder`; undefined if in use. */
function listen(address: string, holder: LockHolder): Promise<net.Server | undefined> {
  const line = JSON.stringify(holder) + '\n';
  const server = net.createServer((socket) => {
    socket.on('error', () => undefined);
    socket.end(line);
  });
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') resolve(undefined);
      else reject(error);
    });
    server.listen(address, () => {
      // The lock must not keep a process alive on its own.
      server.unref();
      resolve(server);
    });
  });
}

/** Connects to a lock: alive with the holder's line, or not alive (refused, gone). */
function ask(address: string): Promise<{ alive: boolean; holder: LockHolder | undefined }> {
  return new Promise((resolve) => {
    let text = '';
    let connected = false;
    const socket = net.createConnection(address);
    const done = (): void => {
      clearTimeout(timer);
      socket.destroy();
      let holder: LockHolder | undefined;
      try {
        holder = JSON.parse(text.split('\n')[0]!) as LockHolder;
      } catch {
        holder = undefined;
      }
      resolve({ alive: connected, holder });
    };
    // A holder that accepts but never answers (busy event loop) is still alive.
    const timer = setTimeout(done, 1000);
    socket.setEncoding('utf8');
    socket.on('connect', () => (connected = true));
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('end', done);
    socket.on('error', done);
  });
}
