// A minimal SMTP sink for benchmarks: answers at once (smtp-server waits 100 ms before its
// greeting to catch early talkers, which would dominate a per-connection figure) and
// accepts every mail without parsing it. Just enough SMTP for nodemailer: greeting, EHLO,
// MAIL, RCPT, DATA, RSET, NOOP, QUIT.
import net from 'node:net';

/** A running fast sink: `url` for nodemailer, `mails` accepted so far. */
export interface FastSmtpSink {
  url: string;
  readonly mails: number;
  close(): Promise<void>;
}

/** Starts the sink on a free loopback port. */
export async function startFastSmtpSink(): Promise<FastSmtpSink> {
  let mails = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let buffer = '';
    let inData = false;
    socket.write('220 fast-sink ESMTP\r\n');
    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('latin1');
      for (;;) {
        if (inData) {
          const end = buffer.indexOf('\r\n.\r\n');
          if (end === -1) return;
          buffer = buffer.slice(end + 5);
          inData = false;
          mails++;
          socket.write('250 2.0.0 accepted\r\n');
          continue;
        }
        const eol = buffer.indexOf('\r\n');
        if (eol === -1) return;
        const line = buffer.slice(0, eol);
        buffer = buffer.slice(eol + 2);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO') socket.write('250-fast-sink\r\n250 8BITMIME\r\n');
        else if (verb === 'DATA') {
          inData = true;
          // DATA's terminator may follow in the same chunk, right after "DATA\r\n".
          buffer = '\r\n' + buffer;
          socket.write('354 go ahead\r\n');
        } else if (verb === 'QUIT') socket.end('221 bye\r\n');
        else socket.write('250 ok\r\n');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    get mails() {
      return mails;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
