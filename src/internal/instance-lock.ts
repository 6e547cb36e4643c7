// One process per directory, by a lock that cannot go stale.
//
// Node has no flock(), and a pid file is a guess: after a power cut the pid it names is often
// reused by another service, and the lock then looks held forever. The lock here is a
// listening unix socket, which the kernel releases when the process dies, however it dies:
//   - On Linux, a socket in the abstract namespace named after the directory's device and
//     inode (so symlinks and bind mounts of one directory share one lock). Binding is atomic
//     and nothing is left on disk. Abstract names are per network namespace: two processes
//     in different network namespaces (containers) sharing one directory are not stopped.
//   - Elsewhere, a socket file in the directory. A socket file left by a killed process
//     refuses connections, so it is recognised as stale by connecting to it, and replaced.
// The holder answers every connection with its pid, so the error can name it.
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

/** Options of {@link InstanceLock.acquire}. */
export interface InstanceLockOptions {
  /** What is locked, e.g. `'mail-logger'`: part of the socket's name. */
  name: string;
  /** The error to throw when another live process holds the lock (`pid` when it told us). */
  held: (pid: number | undefined) => Error;
}

function listen(server: net.Server, address: string): Promise<NodeJS.ErrnoException | null> {
  return new Promise((resolve) => {
    const onError = (error: NodeJS.ErrnoException): void => resolve(error);
    server.once('error', onError);
    server.listen(address, () => {
      server.off('error', onError);
      resolve(null);
    });
  });
}

/** Connects to a lock socket: the holder's pid, `undefined` if it did not say, null if nobody listens. */
function askHolder(address: string): Promise<number | undefined | null> {
  return new Promise((resolve) => {
    const socket = net.connect(address);
    let text = '';
    let connected = false;
    const timer = setTimeout(() => socket.destroy(), 1000);
    socket.setEncoding('utf8');
    socket.on('connect', () => (connected = true));
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('error', () => undefined); // 'close' follows
    socket.on('close', () => {
      clearTimeout(timer);
      if (!connected) return resolve(null);
      const pid = Number(text.trim());
      resolve(Number.isSafeInteger(pid) && pid > 0 ? pid : undefined);
    });
  });
}

/**
 * Holds "one process per directory" until {@link InstanceLock.release} or the process's
 * death (kill -9 and power cuts included: the kernel frees it).
 *
 * @example
 * ```ts
 * const lock = await InstanceLock.acquire(stateDir, {
 *   name: 'mail-logger',
 *   held: (pid) => new MailLoggerError('ERR_STATE_LOCKED', `in use by pid ${pid}`),
 * });
 * // ... later
 * await lock.release();
 * ```
 */
export class InstanceLock {
  private constructor(
    private readonly server: net.Server,
    /** The socket file to remove on release (not for an abstract socket). */
    private readonly file: string | null,
  ) {}

  /**
   * Takes the lock of `dir` (which must exist), or throws `options.held(pid)` when another
   * live process has it. Other failures (e.g. the directory cannot be written) are thrown as
   * they come.
   */
  static async acquire(dir: string, options: InstanceLockOptions): Promise<InstanceLock> {
    const server = net.createServer((socket) => {
      socket.on('error', () => undefined);
      socket.end(`${process.pid}\n`);
    });
    server.unref(); // holding the lock never keeps the process alive
    let address: string;
    let file: string | null = null;
    if (process.platform === 'linux') {
      const { dev, ino } = await fs.stat(dir);
      const key = createHash('sha256').update(`${dev}:${ino}`).digest('hex').slice(0, 32);
      address = `\0raspimon-${options.name}-${key}`;
    } else {
      file = path.join(dir, `${options.name}.lock`);
      address = file;
      const holder = await askHolder(file);
      if (holder !== null) throw options.held(holder);
      await fs.rm(file, { force: true }); // left by a process that died
    }
    const error = await listen(server, address);
    if (error === null) return new InstanceLock(server, file);
    if (error.code !== 'EADDRINUSE') throw error;
    const holder = await askHolder(address);
    throw options.held(holder ?? undefined);
  }

  /** Releases the lock (idempotent). */
  async release(): Promise<void> {
    if (!this.server.listening) return;
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    if (this.file !== null) await fs.rm(this.file, { force: true });
  }
}
