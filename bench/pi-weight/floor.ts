// The hand-written Node floors of bench/pi-weight.bench.ts: what a user would write by hand
// for the same job, with nothing raspimon adds. Bundled to plain JS like the measured
// raspimon processes; `mongodb` and `nodemailer` stay external (loaded from node_modules).
// argv: mode, then per mode:
//   monitor <uri> <db> <file> <seconds>   read the file, insertOne every <seconds>
//   fleet <uri> <db>                      insertMany of 20 devices × 5 keys every second
//   daemon <socket> <smtp-url>            nodemailer loaded, a listening socket, idle;
//                                         one pooled mail per line received on the socket
import { readFile, rm } from 'node:fs/promises';
import net from 'node:net';

const [mode, ...args] = process.argv.slice(2);

if (mode === 'monitor' || mode === 'fleet') {
  const { MongoClient } = await import('mongodb');
  const [uri, dbName, file, secondsText] = args as [string, string, string, string];
  const client = new MongoClient(uri);
  await client.connect();
  const readings = client.db(dbName).collection('readings');
  if (mode === 'monitor') {
    setInterval(
      () => {
        void readFile(file, 'utf8').then((text) =>
          readings.insertOne({ id: 1, keyId: 1, value: Math.round(Number(text)), ts: new Date() }),
        );
      },
      Number(secondsText) * 1000,
    );
  } else {
    let n = 0;
    setInterval(() => {
      const ts = new Date();
      const docs = [];
      for (let id = 1; id <= 20; id++)
        for (let keyId = 1; keyId <= 5; keyId++) docs.push({ id, keyId, value: 20_000 + (n++ % 7), ts });
      void readings.insertMany(docs, { ordered: false });
    }, 1000);
  }
} else if (mode === 'daemon') {
  const nodemailer = (await import('nodemailer')).default;
  const [socketPath, smtp] = args as [string, string];
  const transport = nodemailer.createTransport({ url: smtp, pool: true } as never);
  await rm(socketPath, { force: true });
  net
    .createServer((socket) => {
      let partial = '';
      socket.on('data', (chunk: Buffer) => {
        const lines = (partial + chunk.toString('utf8')).split('\n');
        partial = lines.pop()!;
        for (const line of lines)
          void transport.sendMail({
            from: 'pi@example.org',
            to: 'team@example.org',
            subject: 'alert',
            text: line,
          });
      });
      socket.on('error', () => undefined);
    })
    .listen(socketPath);
} else {
  throw new Error(`unknown mode ${String(mode)}`);
}
process.stdout.write('ready\n');
