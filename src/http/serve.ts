// serveStatus(): the status handler on its own node:http server, on loopback by default.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RaspimonRangeError, RaspimonTypeError } from '../errors.js';
import { checkPositive, checkText, describeError, describeValue, isPlainObject } from '../internal/index.js';
import { StatusServerError } from './errors.js';
import { createStatusHandler, type StatusHandlerOptions, type StatusMonitor } from './handler.js';

/** Options of {@link serveStatus}. */
export interface ServeStatusOptions extends StatusHandlerOptions {
  /** TCP port; 0 picks a free one (see `StatusServer.port`). */
  port: number;
  /**
   * Address to bind. Anything but loopback exposes the page and /metrics to the network.
   * @default '127.0.0.1'
   */
  host?: string;
}

/** A running status server. */
export interface StatusServer {
  /** The port it listens on. */
  port: number;
  /** The address it is bound to. */
  host: string;
  /** `http://host:port/`. */
  url: string;
  /** Stops listening and closes open connections. */
  close(): Promise<void>;
}

/**
 * Serves the status page (`/`), `/api/summary` and `/metrics` of a monitor.
 *
 * @example
 * ```ts
 * import { serveStatus } from 'raspimon/http';
 * const status = await serveStatus(monitor, { port: 8080 }); // http://127.0.0.1:8080/
 * // … on shutdown:
 * await status.close();
 * ```
 * @throws StatusServerError (`ERR_STATUS_LISTEN`) when it cannot listen, e.g. the port is in use.
 */
export async function serveStatus(
  monitor: StatusMonitor,
  options: ServeStatusOptions,
): Promise<StatusServer> {
  if (!isPlainObject(options))
    throw new RaspimonTypeError(
      'ERR_INVALID_ARG_TYPE',
      `serveStatus(monitor, options): options must be an object with a port, got ${describeValue(options)}`,
    );
  const port = checkPositive('options.port', options.port, { integer: true, allowZero: true });
  if (port > 65_535)
    throw new RaspimonRangeError('ERR_OUT_OF_RANGE', `options.port must be at most 65535, got ${port}`);
  const host = checkText('options.host', options.host, '127.0.0.1');
  const server = createServer(
    createStatusHandler(monitor, { registry: options.registry, timeZone: options.timeZone }),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) => {
      const hint =
        (error as NodeJS.ErrnoException).code === 'EADDRINUSE'
          ? 'another process uses it; pick another options.port'
          : 'check options.host and options.port';
      reject(
        new StatusServerError(
          `serveStatus: cannot listen on ${host}:${port} (${describeError(error)}); ${hint}`,
          { cause: error },
        ),
      );
    });
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closing: Promise<void> | undefined;
  return {
    port: address.port,
    host: address.address,
    url: `http://${urlHost}:${address.port}/`,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
