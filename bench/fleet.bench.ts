// Fleet simulation: N monitors (one namespace = one database each, as N Raspberry Pis
// would have) writing to one FerretDB at once, against one monitor writing the same
// devices into a single database. The drivers offer more than the server can take (a
// synthetic polled driver, 50 values per read every 0.1 s), so the figure is the
// server's write capacity in each layout. Also prints what the server holds per device
// database (SQLite files, bytes per reading, indexes).
//
// Knobs (env): FLEET_N (monitors, default 20), FLEET_DEVICES (devices per monitor, 5),
// FLEET_KEYS (values per read, 50), FLEET_INTERVAL (seconds between reads, 0.1),
// FLEET_SECONDS (measured window per phase, 10), MONGODB_URI (use that server instead
// of starting FerretDB; the file counts are then skipped).
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { Monitor, type DriverFactory, type MonitorLogger } from '../src/monitor/index.js';
import { Scheduler } from '../src/scheduler/index.js';
import { startFerretDB, type FerretDB } from '../test/helpers/ferretdb.js';
import { report, type Figure } from './lib/report.js';

const fleetSize = Number(process.env.FLEET_N ?? 20);
const devicesPerMonitor = Number(process.env.FLEET_DEVICES ?? 5);
const keysPerRead = Number(process.env.FLEET_KEYS ?? 50);
const intervalSeconds = Number(process.env.FLEET_INTERVAL ?? 0.1);
const windowSeconds = Number(process.env.FLEET_SECONDS ?? 10);
const warmupSeconds = 3;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

// A polled in-memory driver: every read returns one value per key.
const synthetic: DriverFactory = (config) => {
  const keys = Number(config.keys);
  let value = 0;
  return { read: () => Array.from({ length: keys }, (_, k) => ({ keyId: k + 1, value: value++ })) };
};

const problems: string[] = [];
const quietLogger: MonitorLogger = {
  debug: () => undefined,
  info: () => undefined,
  warning: (message) => void problems.push(message),
  error: (message) => void problems.push(message),
  alert: (message) => void problems.push(message),
};

async function seed(client: MongoClient, namespace: string, devices: number): Promise<void> {
  const db = client.db(namespace);
  await db.dropDatabase();
  await db
    .collection('keys')
    .insertMany(Array.from({ length: keysPerRead }, (_, k) => ({ keyId: k + 1, unit: 'count' })));
  await db.collection('devices').insertMany(
    Array.from({ length: devices }, (_, d) => ({
      id: d + 1,
      name: `sensor-${d + 1}`,
      driver: 'synthetic',
      config: { keys: keysPerRead },
      interval: intervalSeconds,
    })),
  );
}

interface PhaseResult {
  writtenPerSecond: number;
  acceptedPerSecond: number;
  /** Readings still queued when the window closed (writer lag). */
  queuedAtEnd: number;
}

/** Runs one monitor per namespace for the window; returns what they wrote. */
async function phase(uri: string, namespaces: string[], devicesEach: number): Promise<PhaseResult> {
  const seeder = new MongoClient(uri);
  for (const ns of namespaces) await seed(seeder, ns, devicesEach);
  await seeder.close();
  const stateRoot = mkdtempSync(path.join(tmpdir(), 'raspimon-fleet-'));
  const running = namespaces.map((namespace) => {
    const scheduler = new Scheduler({ onError: (e) => void problems.push(String(e)) }).start();
    const monitor = new Monitor({
      uri,
      namespace,
      scheduler,
      logger: quietLogger,
      drivers: { synthetic },
      pollSeconds: 600,
      flushSeconds: 0.5,
      // Measure the database, not the spool: keep the backlog in memory, and do not
      // wait for it at stop (the rest is spooled to the temp state dir and deleted).
      memoryLimit: 2_000_000,
      stopTimeoutSeconds: 1,
      stateDir: path.join(stateRoot, namespace),
    });
    return { scheduler, monitor };
  });
  await Promise.all(running.map((r) => r.monitor.start()));
  const totals = (): { written: number; accepted: number; queued: number } =>
    running
      .map((r) => r.monitor.stats())
      .reduce(
        (sum, s) => ({
          written: sum.written + s.written,
          accepted: sum.accepted + s.accepted,
          queued: sum.queued + s.queued,
        }),
        { written: 0, accepted: 0, queued: 0 },
      );
  await sleep(warmupSeconds * 1000);
  const before = totals();
  const t0 = performance.now();
  await sleep(windowSeconds * 1000);
  const after = totals();
  const seconds = (performance.now() - t0) / 1000;
  await Promise.all(running.map((r) => r.monitor.stop()));
  await Promise.all(running.map((r) => r.scheduler.stop()));
  rmSync(stateRoot, { recursive: true, force: true });
  return {
    writtenPerSecond: (after.written - before.written) / seconds,
    acceptedPerSecond: (after.accepted - before.accepted) / seconds,
    queuedAtEnd: after.queued,
  };
}

/** SQLite files and bytes FerretDB keeps for one database. */
function databaseFiles(dataDir: string, namespace: string): { files: number; bytes: number } {
  const files = readdirSync(dataDir).filter(
    (f) => f === `${namespace}.sqlite` || f.startsWith(`${namespace}.sqlite-`),
  );
  return {
    files: files.length,
    bytes: files.reduce((sum, f) => sum + statSync(path.join(dataDir, f)).size, 0),
  };
}

async function indexesPerDatabase(uri: string, namespace: string): Promise<number> {
  const client = new MongoClient(uri);
  try {
    const db = client.db(namespace);
    const collections = await db.listCollections({}, { nameOnly: true }).toArray();
    let count = 0;
    for (const { name } of collections) count += (await db.collection(name).listIndexes().toArray()).length;
    return count;
  } finally {
    await client.close();
  }
}

async function readingsIn(uri: string, namespaces: string[]): Promise<number> {
  const client = new MongoClient(uri);
  try {
    let total = 0;
    for (const ns of namespaces) total += await client.db(ns).collection('readings').estimatedDocumentCount();
    return total;
  } finally {
    await client.close();
  }
}

async function main(): Promise<void> {
  let ferret: FerretDB | undefined;
  const uri = process.env.MONGODB_URI ?? (ferret = await startFerretDB()).uri;
  const offered = (fleetSize * devicesPerMonitor * keysPerRead) / intervalSeconds;
  console.log(
    `fleet: ${fleetSize} monitors × ${devicesPerMonitor} devices × ${keysPerRead} values every ${intervalSeconds} s = ${offered.toLocaleString('en-US')} readings/s offered; ${windowSeconds} s window per phase on ${ferret ? 'FerretDB 1.24 (SQLite)' : uri}`,
  );
  try {
    const fleetNamespaces = Array.from(
      { length: fleetSize },
      (_, i) => `fleet_${String(i).padStart(4, '0')}`,
    );
    const fleet = await phase(uri, fleetNamespaces, devicesPerMonitor);
    const single = await phase(uri, ['fleet_single'], fleetSize * devicesPerMonitor);

    const figures: Figure[] = [
      {
        who: 'raspimon',
        metric: `readings written/s, ${fleetSize} monitors (one database each)`,
        value: fleet.writtenPerSecond,
        unit: 'readings/s',
        lowerIsBetter: false,
      },
      {
        who: 'one monitor, one database',
        metric: `readings written/s, ${fleetSize} monitors (one database each)`,
        value: single.writtenPerSecond,
        unit: 'readings/s',
        lowerIsBetter: false,
      },
      {
        who: 'raspimon',
        metric: 'readings offered/s (what the drivers produced)',
        value: fleet.acceptedPerSecond,
        unit: 'readings/s',
        lowerIsBetter: false,
      },
      {
        who: 'one monitor, one database',
        metric: 'readings offered/s (what the drivers produced)',
        value: single.acceptedPerSecond,
        unit: 'readings/s',
        lowerIsBetter: false,
      },
      {
        who: 'raspimon',
        metric: 'readings still queued when the window closed',
        value: fleet.queuedAtEnd,
        unit: 'readings',
        lowerIsBetter: true,
      },
      {
        who: 'one monitor, one database',
        metric: 'readings still queued when the window closed',
        value: single.queuedAtEnd,
        unit: 'readings',
        lowerIsBetter: true,
      },
    ];

    const sample = fleetNamespaces[0]!;
    figures.push({
      who: 'raspimon',
      metric: 'indexes per device database (listIndexes over devices, keys, readings)',
      value: await indexesPerDatabase(uri, sample),
      unit: 'indexes',
      lowerIsBetter: true,
    });
    if (ferret) {
      const perDb = fleetNamespaces.map((ns) => databaseFiles(ferret.dataDir, ns));
      const files = perDb.reduce((sum, d) => sum + d.files, 0);
      const bytes = perDb.reduce((sum, d) => sum + d.bytes, 0);
      const readings = await readingsIn(uri, fleetNamespaces);
      const singleFiles = databaseFiles(ferret.dataDir, 'fleet_single');
      const singleReadings = await readingsIn(uri, ['fleet_single']);
      figures.push(
        {
          who: 'raspimon',
          metric: 'SQLite files per device database',
          value: files / fleetSize,
          unit: 'files',
          lowerIsBetter: true,
        },
        {
          who: 'raspimon',
          metric: 'bytes on disk per reading',
          value: bytes / Math.max(1, readings),
          unit: 'bytes',
          lowerIsBetter: true,
        },
        {
          who: 'one monitor, one database',
          metric: 'bytes on disk per reading',
          value: singleFiles.bytes / Math.max(1, singleReadings),
          unit: 'bytes',
          lowerIsBetter: true,
        },
      );
    }
    report('fleet', figures);
    if (problems.length > 0)
      console.log(`\n${problems.length} problem(s) reported by the monitors, first: ${problems[0]}`);
  } finally {
    await ferret?.dispose();
  }
}

await main();
