// The measured process of monitor-idle.bench.ts, bundled to plain JS first so the figures
// are the library's, not the TypeScript loader's (tsx alone adds ~34 MB of RSS).
// argv: uri namespace stateDir seconds; prints one JSON line with the figures.
import { benchMonitor } from './lib/monitor.js';

const [uri, namespace, stateDir, secondsText] = process.argv.slice(2);
const seconds = Number(secondsText);
const KEYS = 5;
const { monitor, scheduler } = benchMonitor({
  uri: uri!,
  namespace: namespace!,
  stateDir: stateDir!,
  drivers: {
    // Like a sensor board: five integers per read, no I/O of its own.
    five: () => {
      let n = 0;
      return {
        read: () => Array.from({ length: KEYS }, (_, k) => ({ keyId: k + 1, value: 20_000 + k + (n++ % 7) })),
      };
    },
  },
});
await monitor.start();
await new Promise((r) => setTimeout(r, 3000)); // warm-up: connection pool, JIT
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const written0 = monitor.stats().written;
let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 250);
await new Promise((r) => setTimeout(r, seconds * 1000));
clearInterval(sampler);
const cpu = process.cpuUsage(cpu0);
const wallMs = performance.now() - t0;
const written = monitor.stats().written - written0;
const devices = monitor.devices().length;
await monitor.stop();
await scheduler.stop();
console.log(
  JSON.stringify({
    cpuPercent: ((cpu.user + cpu.system) / 1000 / wallMs) * 100,
    peakRssMB: peakRss / 2 ** 20,
    written,
    devices,
  }),
);
