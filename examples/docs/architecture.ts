// docs/architecture.md opens with this file (below this line); test/examples/docs.test.ts runs it.
import { MailLoggerClient } from 'raspimon/mail-logger';
import { Monitor, type DriverFactory } from 'raspimon/monitor';

const counter: DriverFactory = (config) => {
  let count = 0;
  return { read: () => [{ keyId: config.keyId as number, value: ++count }] }; // 1. the driver reads
};
const logger = MailLoggerClient.open(); // the log path: client → daemon's socket → journal → SMTP
const monitor = new Monitor({
  uri: process.env.MONGODB_URI ?? 'mongodb://localhost:27017/',
  namespace: process.env.RASPIMON_NAMESPACE ?? 'raspimon_example', // devices, keys, readings
  drivers: { counter },
  logger,
});
monitor.onReading((deviceId, keyId, value) =>
  console.log(`2. intake accepted ${deviceId}/${keyId}: ${value}`),
);
const stored = new Promise<void>((resolve) =>
  monitor.onStored((readings) => {
    console.log(`3. writer stored ${readings.length} reading(s) in MongoDB`);
    resolve();
  }),
);
await monitor.start(); // loads devices and keys, starts each device's driver on the scheduler
await stored;
logger.warning('boiler probe unplugged', { deviceId: 3 }); // a WARNING is mailed at once
await logger.flush({ timeoutSeconds: 5 }); // 4. on the daemon's disk: it will be mailed
console.log('4. the daemon acknowledged the record');
await monitor.stop();
await logger.close();
