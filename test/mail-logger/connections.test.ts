// Connection limits: a cap on open connections and a hello timeout, so a flood of (idle)
// connections cannot use up the daemon's file descriptors (issue 10, "also found").
import net from 'node:net';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MailLoggerClient, MailLoggerServer } from '../../src/mail-logger/index.js';
import { SmtpSink } from '../helpers/smtp-sink.js';
import { waitFor } from '../helpers/wait.js';
import { tempDir } from './fixtures.js';

interface Raw {
  socket: net.Socket;
  text: () => string;
  closed: () => boolean;
}

async function connect(socketPath: string): Promise<Raw> {
  const socket = net.connect({ path: socketPath });
  let text = '';
  let closed = false;
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => (text += chunk));
  socket.on('error', () => undefined);
  socket.on('close', () => (closed = true));
  await new Promise((resolve) => socket.once('connect', resolve));
  return { socket, text: () => text, closed: () => closed };
}

function hello(raw: Raw, session: string): void {
  raw.socket.write(`${JSON.stringify({ t: 'hello', v: 1, session, source: 'raw', pid: 1 })}\n`);
}

describe('connection limits', () => {
  let sink: SmtpSink;
  let tmp: ReturnType<typeof tempDir>;
  let socketPath: string;
  let server: MailLoggerServer;
  let logged: string[];
  const raws: Raw[] = [];

  beforeEach(async () => {
    sink = await SmtpSink.start();
    tmp = tempDir();
    socketPath = path.join(tmp.dir, 'ml.sock');
    logged = [];
    server = await MailLoggerServer.start({
      credentials: { smtp: sink.url, from: 'pi@example.org', to: 'team@example.org' },
      listen: `unix://${socketPath}`,
      stateDir: path.join(tmp.dir, 'state'),
      groupWait: 0.1,
      maxConnections: 5,
      helloTimeoutSeconds: 0.3,
      log: (line) => logged.push(line),
    });
  });
  afterEach(async () => {
    for (const raw of raws.splice(0)) raw.socket.destroy();
    await server.close();
    await sink.close();
    tmp.remove();
  });

  it('refuses connections beyond maxConnections with a nack, says so once with the count, and serves again once one closes', async () => {
    for (let i = 0; i < 5; i++) {
      const raw = await connect(socketPath);
      hello(raw, `held-${i}`);
      raws.push(raw);
    }
    await waitFor(() => raws.every((r) => r.text().includes('welcome')), 5000, 'five welcomes');
    const extra: Raw[] = [];
    for (let i = 0; i < 15; i++) extra.push(await connect(socketPath));
    raws.push(...extra);
    await waitFor(() => extra.every((r) => r.closed()), 5000, 'the extra connections closed');
    for (const raw of extra) expect(raw.text()).toContain('"t":"nack"');
    expect(extra[0]!.text()).toContain('limit (maxConnections)');
    expect(server.stats().connections).toBe(5);
    expect(logged.filter((l) => l.includes('refusing new ones'))).toHaveLength(1);

    raws[0]!.socket.destroy();
    await waitFor(
      () => logged.some((l) => l.includes('refused 15 connection(s) meanwhile')),
      5000,
      'the summary',
    );
    const logger = MailLoggerClient.open(`unix://${socketPath}`, { source: 'good' });
    logger.alert('served again');
    await logger.flush({ timeoutSeconds: 5 });
    await logger.close();
    expect((await sink.waitFor(1))[0]!.subject).toBe('[ALERT] good: served again');
  });

  it('closes a connection that says no hello within helloTimeoutSeconds, logging the first and then each power of two', async () => {
    const greeted = await connect(socketPath);
    hello(greeted, 'greeted');
    raws.push(greeted);
    const silent: Raw[] = [];
    for (let i = 0; i < 4; i++) silent.push(await connect(socketPath));
    raws.push(...silent);
    await waitFor(() => silent.every((r) => r.closed()), 5000, 'the silent connections closed');
    // The greeted one connected first: a hello timer of its own would have fired before
    // theirs, which closed them.
    expect(greeted.closed()).toBe(false);
    expect(greeted.text()).toContain('welcome');
    const lines = logged.filter((l) => l.includes('no hello within 0.3 s'));
    expect(lines.map((l) => /\((\d+) so far\)/.exec(l)?.[1])).toEqual(['1', '2', '4']);
  });
});
