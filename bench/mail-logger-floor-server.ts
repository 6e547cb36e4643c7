// The floor for bench/mail-logger-throughput: a bare NDJSON-over-unix-socket sink that
// appends what it receives to a file with batched fdatasync and acks the line count.
// Mode 'bare' only counts newlines; mode 'parse' also JSON.parses every line (what any
// NDJSON receiver does). No validation, no state: nothing a real daemon could do faster.
import { promises as fs } from 'node:fs';
import net from 'node:net';

const [socketPath, file, mode] = process.argv.slice(2) as [string, string, 'bare' | 'parse'];
const handle = await fs.open(file, 'a');
await fs.rm(socketPath, { force: true });

net
  .createServer((socket) => {
    let lines = 0;
    let chunks: Buffer[] = [];
    let running = false;
    const pump = async (): Promise<void> => {
      running = true;
      while (chunks.length > 0) {
        const batch = Buffer.concat(chunks);
        chunks = [];
        const upTo = lines;
        await handle.write(batch);
        await handle.datasync();
        socket.write(`{"t":"ack","seq":${upTo}}\n`);
      }
      running = false;
    };
    let partial = '';
    socket.on('data', (chunk: Buffer) => {
      if (mode === 'parse') {
        const parts = (partial + chunk.toString('utf8')).split('\n');
        partial = parts.pop()!;
        for (const line of parts) if ((JSON.parse(line) as { seq: number }).seq > 0) lines++;
      } else {
        let at = chunk.indexOf(10);
        while (at !== -1) {
          lines++;
          at = chunk.indexOf(10, at + 1);
        }
      }
      chunks.push(chunk);
      if (!running) void pump();
    });
    socket.on('error', () => undefined);
  })
  .listen(socketPath, () => process.stdout.write('ready\n'));
