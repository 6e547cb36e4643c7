import net from 'node:net';

/**
 * Polls `check` every 20 ms until it returns true, or throws after `timeoutMs`. `what` names
 * the state; as a function it is called at the timeout, to say how far things got.
 */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
  what: string | (() => string) = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) {
      const state = typeof what === 'function' ? what() : what;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${state}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Whether something accepts a connection at `address` (TCP `{ port, host }` or unix `{ path }`) now. */
export function canConnect(address: net.NetConnectOpts): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(address);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
