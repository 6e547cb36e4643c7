// Shared pieces of the monitor tests: a recording logger, a real-clock scheduler, waits.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MongoClient, type Db } from 'mongodb';
import { Scheduler } from '../../src/scheduler/index.js';
import type { DriverDefinition, MonitorLogger } from '../../src/monitor/index.js';

export interface LogRecord {
  level: keyof MonitorLogger;
  message: string;
  context: Record<string, unknown> | undefined;
}

/** A logger that keeps every record, for assertions. */
export function recordingLogger(): MonitorLogger & {
  records: LogRecord[];
  text(level?: keyof MonitorLogger): string;
} {
  const records: LogRecord[] = [];
  const log =
    (level: keyof MonitorLogger) =>
    (message: string, context?: Record<string, unknown>): void => {
      records.push({ level, message, context });
    };
  return {
    records,
    debug: log('debug'),
    info: log('info'),
    warning: log('warning'),
    error: log('error'),
    alert: log('alert'),
    text: (level) =>
      records
        .filter((r) => level === undefined || r.level === level)
        .map((r) => r.message)
        .join('\n'),
  };
}

/** A started real-clock scheduler. */
export function realScheduler(): Scheduler {
  const scheduler = new Scheduler({ onError: (e) => console.error('scheduler job failed', e) });
  scheduler.start();
  return scheduler;
}

/** A fresh temp dir, removed by the returned cleanup. */
export function tempDir(prefix = 'raspimon-monitor-'): { dir: string; remove(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A client for setting up and inspecting a namespace directly. */
export async function openDb(uri: string, name: string): Promise<{ db: Db; close(): Promise<void> }> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 5000 });
  await client.connect();
  return { db: client.db(name), close: () => client.close() };
}

/** The seed's example configuration, in its own shape (pyClass/pyConf strings). */
export function seedConfig(sensorFile: string): {
  devices: Record<string, unknown>[];
  keys: Record<string, unknown>[];
} {
  return {
    keys: [
      { keyId: 1, unit: 'mC', description: 'temperature' },
      { keyId: 2, unit: 'load×100', description: '1-minute load average' },
      { keyId: 3, unit: 'kB', description: 'available memory' },
    ],
    devices: [
      {
        id: 1,
        name: 'boiler',
        description: 'DS18B20 on the boiler',
        vendorId: '',
        productId: '',
        pyClass: 'file',
        pyConf: `{'path': '${sensorFile}', 'keyId': 1, 'scale': 1, 'offset': 0}`,
        interval: 0.1,
      },
      {
        id: 2,
        name: 'pi',
        description: 'the Pi itself',
        pyClass: 'system',
        pyConf: "{'keys': {'load1': 2, 'memAvailable': 3}}",
        interval: 0.1,
      },
    ],
  };
}

/**
 * A streaming test driver emitting `ratePerSecond` readings with consecutive values
 * (0, 1, 2, …) for `config.keyId`, every 10 ms, while `gate.open`; `gate.emitted` counts
 * them, so a test can check that each was stored exactly once. The rate follows the real
 * clock, not the ticks: on a loaded machine a late tick catches up (a tenth of a second per tick at most).
 */
export function sequenceDriver(
  ratePerSecond: number,
  gate: { open: boolean; emitted: number },
): DriverDefinition {
  return {
    validateConfig: (config) => ({ ok: true, config, keyIds: [config.keyId as number] }),
    create(config, context) {
      let timer: NodeJS.Timeout | undefined;
      let last = 0;
      let owed = 0;
      return {
        start() {
          last = performance.now();
          timer = setInterval(() => {
            const now = performance.now();
            owed += ((now - last) / 1000) * ratePerSecond;
            last = now;
            if (!gate.open) {
              owed = 0;
              return;
            }
            const batch = [];
            // Catch up at most a tenth of a second per tick: no burst the size of a stall.
            const due = Math.min(Math.floor(owed), Math.ceil(ratePerSecond / 10));
            owed -= due;
            for (let i = 0; i < due; i++)
              batch.push({ keyId: config.keyId as number, value: gate.emitted++ });
            if (batch.length > 0) context.emit(batch);
          }, 10);
        },
        stop() {
          clearInterval(timer);
        },
      };
    },
  };
}
