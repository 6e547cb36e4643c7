// docs/drivers.md opens with this file (below this line); test/examples/docs.test.ts runs it.
import { Monitor, type DriverDefinition } from 'raspimon/monitor';

// A driver of your own: a counter that reads 1, 2, 3, … every `interval` seconds.
const counter: DriverDefinition = {
  validateConfig(config) {
    const keyId = config.keyId;
    if (!Number.isSafeInteger(keyId)) {
      return { ok: false, problems: [{ field: 'config.keyId', message: 'must be an integer keyId' }] };
    }
    return { ok: true, config, keyIds: [keyId as number] };
  },
  create(config, context) {
    let count = 0;
    context.logger.info('counter started'); // lines name the device
    return { read: () => [{ keyId: config.keyId as number, value: ++count }] };
  },
};

// The device document names it: { id: 1, name: 'counter', driver: 'counter', config: { keyId: 1 }, interval: 1 }
const monitor = new Monitor({
  uri: process.env.MONGODB_URI ?? 'mongodb://localhost:27017/',
  namespace: process.env.RASPIMON_NAMESPACE ?? 'raspimon_example',
  drivers: { counter },
});
const twoStored = new Promise<void>((resolve) =>
  monitor.onStored((readings) => {
    for (const r of readings) console.log(`stored device ${r.id} key ${r.keyId}: ${r.value}`);
    if (readings.some((r) => r.value >= 2)) resolve();
  }),
);
await monitor.start();
await twoStored; // 1 and 2 are in the database
await monitor.stop();
