// The "20 devices × 5 keys at 1 Hz" row of bench/pi-weight.bench.ts: a monitor whose
// drivers return five integers per read with no I/O of their own (a sensor board), silent
// logger. argv: uri namespace stateDir.
import { Monitor } from '../../src/monitor/index.js';
import { Scheduler } from '../../src/scheduler/index.js';

const [uri, namespace, stateDir] = process.argv.slice(2) as [string, string, string];
const silent = { debug() {}, info() {}, warning() {}, error() {}, alert() {} };
const scheduler = new Scheduler().start();
const monitor = new Monitor({
  uri,
  namespace,
  scheduler,
  logger: silent,
  stateDir,
  drivers: {
    five: () => {
      let n = 0;
      return { read: () => [1, 2, 3, 4, 5].map((keyId) => ({ keyId, value: 20_000 + keyId + (n++ % 7) })) };
    },
  },
});
monitor.handleSignals({ onStop: () => void scheduler.stop() });
await monitor.start();
process.stdout.write('ready\n');
await scheduler.loopForever();
