// docs/http.md opens with this file (below this line); test/examples/docs.test.ts runs it.
import { serveStatus } from 'raspimon/http';
import { Monitor } from 'raspimon/monitor';

const monitor = new Monitor({
  uri: process.env.MONGODB_URI ?? 'mongodb://localhost:27017/',
  namespace: process.env.RASPIMON_NAMESPACE ?? 'raspimon_example',
});
await monitor.start();
const status = await serveStatus(monitor, { port: 0 }); // e.g. 8080; 0 picks a free port
console.log(`status page on ${status.url}`); // loopback only unless you pass host
const page = await fetch(status.url);
console.log(page.status, page.headers.get('content-type'));
const metrics = await (await fetch(new URL('/metrics', status.url))).text();
console.log(metrics.split('\n').find((line) => line.startsWith('raspimon_devices ')));
await status.close();
await monitor.stop();
