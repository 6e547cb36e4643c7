import net from 'node:net';
import { canConnect, waitFor } from './wait.js';

/** Asks the kernel for a free loopback TCP port. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once something accepts TCP connections on `port`, or rejects after `timeoutMs`. */
export function waitForPort(port: number, timeoutMs = 20_000): Promise<void> {
  return waitFor(() => canConnect({ port, host: '127.0.0.1' }), timeoutMs, `a listener on 127.0.0.1:${port}`);
}
