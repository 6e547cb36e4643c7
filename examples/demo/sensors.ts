// The demo's simulated hardware: a serial thermometer/hygrometer behind a socat PTY,
// and a DS18B20-style 1-Wire file whose temperature drifts.
import { createWriteStream, writeFileSync } from 'node:fs';

/** Writes `T=<tenths °C>` and `H=<%>` lines to the PTY every second, and one garbled line. */
export function startSerialSensor(ptyPeer: string): { stop(): void } {
  const port = createWriteStream(ptyPeer);
  port.on('error', () => undefined); // the PTY closes first at shutdown
  let tick = 0;
  const timer = setInterval(() => {
    tick++;
    const tenths = 215 + Math.round(10 * Math.sin(tick / 5));
    const humidity = 48 + (tick % 5);
    port.write(tick === 6 ? 'T=twenty-one\n' : `T=${tenths}\nH=${humidity}\n`);
  }, 1000);
  return {
    stop() {
      clearInterval(timer);
      port.destroy();
    },
  };
}

/** Rewrites a 1-Wire `temperature` file (millidegrees) every second. */
export function startOneWireFile(file: string): { stop(): void } {
  let tick = 0;
  const write = (): void => writeFileSync(file, `${18_500 + 125 * (tick++ % 8)}\n`);
  write();
  const timer = setInterval(write, 1000);
  return { stop: () => clearInterval(timer) };
}
