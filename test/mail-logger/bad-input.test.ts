import fc from 'fast-check';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MailLoggerClient, MailLoggerServer } from '../../src/mail-logger/index.js';
import { SmtpSink } from '../helpers/smtp-sink.js';
import { waitFor } from '../helpers/wait.js';
import { tempDir } from './fixtures.js';

/** A raw protocol client: send lines, collect the daemon's frames. */
class RawClient {
  readonly frames: Array<Record<string, unknown>> = [];
  private buffered = '';
  closed = false;

  private constructor(readonly socket: net.Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.buffered += chunk;
      const lines = this.buffered.split('\n');
      this.buffered = lines.pop()!;
      for (const line of lines) this.frames.push(JSON.parse(line) as Record<string, unknown>);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => (this.closed = true));
  }

  static async connect(socketPath: string): Promise<RawClient> {
    const socket = net.connect({ path: socketPath });
    await new Promise((resolve) => socket.once('connect', resolve));
    return new RawClient(socket);
  }

  send(text: string): void {
    this.socket.write(text);
  }

  hello(session: string): void {
    this.send(`${JSON.stringify({ t: 'hello', v: 1, session, source: 'raw', pid: 1 })}\n`);
  }

  async waitFor(
    predicate: (f: Record<string, unknown>) => boolean,
    timeoutMs = 5000,
  ): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.frames.find(predicate);
      if (found) return found;
      if (Date.now() > deadline)
        throw new Error(`no such frame; got ${JSON.stringify(this.frames.slice(-3))}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}

describe('bad input on the socket affects only that connection', () => {
  let sink: SmtpSink;
  let tmp: ReturnType<typeof tempDir>;
  let socketPath: string;
  let server: MailLoggerServer;
  const logged: string[] = [];

  beforeAll(async () => {
    sink = await SmtpSink.start();
    tmp = tempDir();
    socketPath = path.join(tmp.dir, 'ml.sock');
    server = await MailLoggerServer.start({
      credentials: { smtp: sink.url, from: 'pi@example.org', to: 'team@example.org' },
      listen: `unix://${socketPath}`,
      stateDir: path.join(tmp.dir, 'state'),
      groupWait: 0.1,
      log: (line) => logged.push(line),
    });
  });
  afterAll(async () => {
    await server.close();
    await sink.close();
    tmp.remove();
  });

  it('rejects malformed JSON, unknown levels and oversized frames with a reason, and keeps the connection', async () => {
    const raw = await RawClient.connect(socketPath);
    raw.hello('bad-1');
    await raw.waitFor((f) => f.t === 'welcome');
    raw.send('{"t":"rec",\n');
    raw.send('{"t":"rec","seq":1,"time":1,"level":"FATAL","schedule":"DAILY","msg":"x"}\n');
    raw.send(
      `{"t":"rec","seq":2,"time":1,"level":"INFO","schedule":"DAILY","msg":"${'x'.repeat(70_000)}"}\n`,
    );
    raw.send('{"t":"rec","seq":3,"time":1,"level":"INFO","schedule":"DAILY","msg":"fine"}\n');
    expect(await raw.waitFor((f) => f.t === 'ack' && f.seq === 3)).toBeTruthy();
    const reasons = raw.frames.filter((f) => f.t === 'nack').map((f) => f.reason);
    expect(reasons).toEqual(['malformed JSON', 'unknown level "FATAL"', 'frame larger than 65536 bytes']);
    expect(logged.some((l) => l.includes('rejected a frame: unknown level "FATAL"'))).toBe(true);
    expect(raw.closed).toBe(false);
    raw.socket.destroy();
  });

  it('survives any sequence of arbitrary lines (fast-check) and still acks the next good record', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            fc.string({ unit: 'binary', maxLength: 200 }),
            fc.jsonValue().map((v) => JSON.stringify(v)),
            fc.constantFrom(
              '{"t":"hello","v":1,"session":"dup","source":"x","pid":1}',
              '{"t":"drop","seq":-1}',
              '{',
            ),
          ),
          { maxLength: 30 },
        ),
        async (lines) => {
          const raw = await RawClient.connect(socketPath);
          raw.hello(`fuzz-${run++}`);
          raw.send(lines.map((l) => `${l}\n`).join(''));
          raw.send(
            '{"t":"rec","seq":9007199254740991,"time":1,"level":"DEBUG","schedule":"SILENTLY","msg":"probe"}\n',
          );
          const ack = await raw.waitFor((f) => f.t === 'ack' && f.seq === 9007199254740991);
          raw.socket.destroy();
          return ack !== undefined;
        },
      ),
      { numRuns: 40 },
    );
  });

  it('keeps serving a good client while another sends an endless line, never reads, or says nothing', async () => {
    const endless = await RawClient.connect(socketPath);
    endless.send('x'.repeat(300_000)); // no newline, ever
    const silent = await RawClient.connect(socketPath);
    const deaf = await RawClient.connect(socketPath);
    deaf.socket.pause(); // never reads its acks
    deaf.hello('deaf');
    let text = '';
    for (let seq = 1; seq <= 20_000; seq++) {
      text += `{"t":"rec","seq":${seq},"time":1,"level":"INFO","schedule":"SILENTLY","msg":"deaf ${seq}"}\n`;
      if (seq % 100 === 0) {
        deaf.send(text);
        text = '';
      }
    }
    const logger = MailLoggerClient.open(`unix://${socketPath}`, { source: 'good' });
    logger.alert('still served');
    await logger.flush();
    const mail = (await sink.waitFor(1)).find((m) => m.subject.includes('still served'));
    expect(mail?.subject).toBe('[ALERT] good: still served');
    await logger.close();
    for (const c of [endless, silent, deaf]) c.socket.destroy();
  });
});

describe('10,000 hostile lines through the daemon', () => {
  it('never crash it, never corrupt its state, and good frames (on hostile connections and from a real client) are served exactly once', async () => {
    const sink = await SmtpSink.start();
    const tmp = tempDir();
    const socketPath = path.join(tmp.dir, 'ml.sock');
    const start = (): Promise<MailLoggerServer> =>
      MailLoggerServer.start({
        credentials: { smtp: sink.url, from: 'pi@example.org', to: 'team@example.org' },
        listen: `unix://${socketPath}`,
        stateDir: path.join(tmp.dir, 'state'),
        log: () => undefined,
      });
    let server = await start();
    const good = MailLoggerClient.open(`unix://${socketPath}`, { source: 'good', tee: false });
    const hostile = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 300 }),
      fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
      fc
        .record(
          {
            t: fc.constantFrom('rec', 'drop', 'hello', '__proto__'),
            seq: fc.oneof(fc.integer({ min: -5, max: 5 }), fc.double(), fc.constant(2 ** 53)),
            time: fc.oneof(fc.integer(), fc.constant(-1), fc.constant(1e300)),
            level: fc.constantFrom('INFO', 'FATAL', '__proto__', 'constructor'),
            schedule: fc.constantFrom('DAILY', 'SILENTLY', 'NEVER'),
            msg: fc.oneof(fc.string({ maxLength: 50 }), fc.integer()),
            count: fc.oneof(fc.integer({ min: -3, max: 3 }), fc.constant(1.5)),
            session: fc.oneof(fc.string({ maxLength: 5 }), fc.constant('x'.repeat(200))),
            v: fc.constantFrom(1, 2),
          },
          { requiredKeys: [] },
        )
        .map((v) => JSON.stringify(v)),
      fc.constantFrom('{', '', '\r', '{"__proto__":{"t":"rec"}}', '{"t":"rec","seq":1e999}'),
    );
    let lines = 0;
    let run = 0;
    let goodSent = 0;
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(hostile, { minLength: 50, maxLength: 80 }), async (batch) => {
          lines += batch.length;
          const raw = await RawClient.connect(socketPath);
          raw.hello(`hostile-${run++}`);
          // Interleaved with the junk, two valid records of this session that must be kept.
          const half = batch.length >> 1;
          const valid = (seq: number): string =>
            `{"t":"rec","seq":${seq},"time":1,"level":"INFO","schedule":"DAILY","msg":"kept ${run}-${seq}"}`;
          const text = [...batch.slice(0, half), valid(1_000_000), ...batch.slice(half), valid(1_000_001)]
            .map((l) => `${l.replace(/\n/g, ' ')}\n`)
            .join('');
          raw.send(text);
          good.info(`good ${goodSent++}`);
          await raw.waitFor((f) => f.t === 'ack' && (f.seq as number) >= 1_000_001);
          raw.socket.destroy();
        }),
        { numRuns: 200 },
      );
      expect(lines).toBeGreaterThanOrEqual(10_000);
      await good.flush({ timeoutSeconds: 10 });
      // The state is intact across a restart: every kept record, once, nothing else.
      await server.close();
      server = await start();
      const pending = server.stats().pendingDaily;
      expect(pending).toBeGreaterThanOrEqual(200 * 2 + goodSent);
      expect(await server.sendDigest('daily')).toBe(true);
      // Hostile drop notices may have caused instant mails too: the digest is the one to read.
      await waitFor(
        () => sink.messages.some((m) => m.subject.startsWith('[Daily digest')),
        5000,
        'the digest',
      );
      const digest = sink.messages.find((m) => m.subject.startsWith('[Daily digest'));
      const count = (needle: string): number => digest!.text.split(needle).length - 1;
      for (let r = 1; r <= run; r++) {
        expect(count(`kept ${r}-1000000\n`), `kept ${r}-1000000`).toBe(1);
        expect(count(`kept ${r}-1000001\n`), `kept ${r}-1000001`).toBe(1);
      }
      for (let i = 0; i < goodSent; i++) expect(count(`good ${i}\n`), `good ${i}`).toBe(1);
    } finally {
      await good.close({ timeoutSeconds: 0.5 });
      await server.close();
      await sink.close();
      tmp.remove();
    }
  }, 60_000);
});
