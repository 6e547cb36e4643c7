// The fleet the status page and /metrics benches render: system devices `device-1` …
// `device-N`, each producing the same keys, each key with a minute window the bench fills.
import type { DeviceSpec } from '../../src/monitor/index.js';
import { MinuteWindow } from '../../src/monitor/storage/rollups/minute-window.js';

/** The devices, and each device's windows by key id (as the summary's `windows` reads them). */
export interface StatusFleet {
  devices: DeviceSpec[];
  windows: Map<number, Map<number, MinuteWindow>>;
}

/**
 * `count` devices with `description`, each producing `keyIds`, each key's window filled by
 * `fill(window, deviceId, keyId)`.
 */
export function statusFleet(
  count: number,
  keyIds: number[],
  description: string,
  fill: (window: MinuteWindow, deviceId: number, keyId: number) => void,
): StatusFleet {
  const devices: DeviceSpec[] = [];
  const windows = new Map<number, Map<number, MinuteWindow>>();
  for (let id = 1; id <= count; id++) {
    devices.push({
      id,
      name: `device-${id}`,
      description,
      vendorId: undefined,
      productId: undefined,
      driver: 'system',
      config: {},
      intervalSeconds: 10,
      enabled: true,
      keyIds: [...keyIds],
    });
    const byKey = new Map<number, MinuteWindow>();
    for (const keyId of keyIds) {
      const w = new MinuteWindow();
      fill(w, id, keyId);
      byKey.set(keyId, w);
    }
    windows.set(id, byKey);
  }
  return { devices, windows };
}
