// The world of the rules-in-a-Monitor tests: a harness on a ManualClock at 2026-06-01T00:00Z
// whose push devices are the freezer (device 3, key 7) and the cellar (device 4), so a test
// emits a device's reading when it wants one and moves time with `h.clock`.
import type { Document } from 'mongodb';
import type { Monitor, MonitorLogger } from '../../../src/monitor/index.js';
import { useMonitorHarness, type MonitorHarness, type RecordingLogger } from '../fixtures/monitor-harness.js';

export interface RulesWorld {
  readonly h: MonitorHarness;
  /** A monitor polling every `pollSeconds` (the rules' hot reload), not started. */
  start: <L extends MonitorLogger = RecordingLogger>(
    pollSeconds?: number,
    logger?: L,
  ) => { monitor: Monitor; logger: L };
  /** Device `deviceId` sends `value` for `keyId` now. */
  emit: (deviceId: number, value: number, keyId?: number) => void;
  /** Stores a rule document in the test's `rules` collection. */
  addRule: (rule: Document) => Promise<void>;
}

/** Rule 1 as `raspimon rules add` stores it, plus a message: device 3 above -10000 mC for 300 s. */
export const freezerWarmRule = {
  id: 1,
  name: 'freezer warm',
  keyId: 7,
  deviceId: 3,
  above: -10000,
  forSeconds: 300,
  hysteresis: 1000,
  level: 'ALERT',
  message: 'check the freezer door',
} as const;

/** Registers a {@link RulesWorld} for each test of the file; `keys` are the keys collection. */
export function useRulesWorld(options: {
  prefix: string;
  statePrefix: string;
  keys: Document[];
  /** The keys the cellar declares. */
  cellarKeyIds: number[];
}): RulesWorld {
  const h = useMonitorHarness(() => ({
    prefix: options.prefix,
    statePrefix: options.statePrefix,
    clockAt: new Date('2026-06-01T00:00:00Z'),
    keys: options.keys,
    devices: [
      { id: 3, name: 'freezer', driver: 'push', config: { keyIds: [7] } },
      { id: 4, name: 'cellar', driver: 'push', config: { keyIds: options.cellarKeyIds } },
    ],
  }));
  return {
    h,
    start: (pollSeconds = 3600, logger) =>
      h.monitor({ logger, pollSeconds, drivers: { push: h.push.definition } }),
    emit: (deviceId, value, keyId = 7) => h.push.contexts.get(deviceId)!.emit([{ keyId, value }]),
    addRule: async (rule) => {
      await h.db.collection('rules').insertOne({ ...rule });
    },
  };
}
