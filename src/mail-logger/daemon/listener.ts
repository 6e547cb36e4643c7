// Where clients connect: the listening socket, the open connections, the connection cap.
// Apart from the server because it changes for other reasons (sockets, permissions, limits)
// than what the daemon does with records and mails.
import { promises as fs, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Connection, type ConnectionHost } from './connection.js';
import { MailLoggerError } from '../errors.js';
import { formatEndpoint, serializeServerFrame, type Endpoint } from '../protocol.js';

/** What the listener needs: the connections' host, the limits, and the daemon's log. */
export interface ListenerOptions {
  host: ConnectionHost;
  socketMode: number;
  maxConnections: number;
  log: (line: string) => void;
}

/**
 * The default cap: 256, or fewer when the process may open fewer files (`ulimit -n`), so 64
 * descriptors always stay for the journal, snapshots and SMTP.
 */
export function defaultMaxConnections(limitsFile = '/proc/self/limits'): number {
  let soft = Infinity;
  try {
    const line = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync(limitsFile, 'utf8'));
    if (line?.[1] !== undefined && line[1] !== 'unlimited') soft = Number(line[1]);
  } catch {
    // not Linux: no way to ask from Node, keep 256
  }
  return Math.max(1, Math.min(256, soft - 64));
}

/** Whether something accepts connections on the unix socket now. */
function isListening(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.connect({ path: socketPath });
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
}

function listenError(endpoint: Endpoint, error: NodeJS.ErrnoException): MailLoggerError {
  return new MailLoggerError(
    error.code === 'EADDRINUSE' ? 'ERR_ADDRESS_IN_USE' : 'ERR_LISTEN',
    `cannot listen on ${formatEndpoint(endpoint)} (${error.code ?? error.message}): ${error.code === 'EADDRINUSE' ? 'another process uses it' : 'check the path/port and permissions'}`,
    { cause: error },
  );
}

/** The daemon's listening socket and its client connections. */
export class Listener {
  private readonly connections = new Set<Connection>();
  /** Connections refused since the cap was reached (reported once per spell). */
  private refused = 0;
  private closing = false;

  private constructor(
    private readonly server: net.Server,
    /** Where it listens (a TCP port 0 resolved to the port taken). */
    readonly endpoint: Endpoint,
    private readonly options: ListenerOptions,
  ) {}

  /** Starts listening at `endpoint`; throws `ERR_LISTEN` / `ERR_ADDRESS_IN_USE`. */
  static async open(endpoint: Endpoint, options: ListenerOptions): Promise<Listener> {
    const server = net.createServer();
    if (endpoint.kind === 'unix') {
      const dir = path.dirname(endpoint.path);
      await fs.mkdir(dir, { recursive: true }).catch((error: NodeJS.ErrnoException) => {
        throw new MailLoggerError(
          'ERR_LISTEN',
          `cannot create the socket's directory ${dir} (${error.code ?? error.message}): create it writable by the daemon's user, or pass another --listen`,
          { cause: error },
        );
      });
      if (await isListening(endpoint.path)) {
        throw new MailLoggerError(
          'ERR_ADDRESS_IN_USE',
          `another daemon already listens on ${endpoint.path}: stop it, or pass another --listen`,
        );
      }
      await fs.rm(endpoint.path, { force: true }); // a stale socket from a killed daemon
    }
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) => reject(listenError(endpoint, error)));
      if (endpoint.kind === 'unix') server.listen(endpoint.path, resolve);
      else server.listen(endpoint.port, endpoint.host, resolve);
    });
    const bound =
      endpoint.kind === 'unix' ? endpoint : { ...endpoint, port: (server.address() as net.AddressInfo).port };
    const listener = new Listener(server, bound, options);
    server.on('error', (error) => options.log(`listener error: ${error.message}`));
    server.on('connection', (socket) => listener.accept(socket));
    if (endpoint.kind === 'unix') {
      await fs.chmod(endpoint.path, options.socketMode).catch(async (error: NodeJS.ErrnoException) => {
        await listener.close();
        throw new MailLoggerError(
          'ERR_LISTEN',
          `cannot set the mode of ${endpoint.path} (${error.code ?? error.message})`,
          { cause: error },
        );
      });
    }
    return listener;
  }

  /** Client connections open now. */
  get size(): number {
    return this.connections.size;
  }

  /** Stops listening, drops every connection (clients resend what was not acknowledged). */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    // server.close() waits for open connections: drop them first.
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const connection of this.connections) connection.destroy();
    await closed;
    if (this.endpoint.kind === 'unix') await fs.rm(this.endpoint.path, { force: true });
  }

  private accept(socket: net.Socket): void {
    if (this.closing) {
      socket.destroy();
      return;
    }
    const { maxConnections, log } = this.options;
    if (this.connections.size >= maxConnections) {
      if (this.refused++ === 0)
        log(
          `${maxConnections} client connections open, the most allowed: refusing new ones until some close`,
        );
      socket.on('error', () => undefined);
      socket.end(
        serializeServerFrame({
          t: 'nack',
          seq: null,
          reason: `the daemon has ${maxConnections} connections open, its limit (maxConnections); retry later`,
        }),
      );
      socket.destroySoon();
      return;
    }
    const connection = new Connection(socket, this.options.host);
    this.connections.add(connection);
    socket.on('close', () => {
      this.connections.delete(connection);
      if (this.refused > 0 && this.connections.size < maxConnections) {
        log(`below the connection limit again: refused ${this.refused} connection(s) meanwhile`);
        this.refused = 0;
      }
    });
  }
}
