// A driver context for running one driver directly, outside a Monitor.
import type { DeviceSpec, DriverContext, DriverReading } from '../../../../src/monitor/index.js';
import type { Scheduler } from '../../../../src/scheduler/index.js';
import { recordingLogger } from '../../support.js';

export function deviceSpec(
  id: number,
  driver: string,
  config: Record<string, unknown>,
  extra: Partial<DeviceSpec> = {},
): DeviceSpec {
  return {
    id,
    name: `device-${id}`,
    description: '',
    vendorId: undefined,
    productId: undefined,
    driver,
    config,
    intervalSeconds: 10,
    enabled: true,
    keyIds: undefined,
    ...extra,
  };
}

export function driverContext(
  device: DeviceSpec,
  scheduler: Scheduler,
): DriverContext & {
  logger: ReturnType<typeof recordingLogger>;
  emitted: DriverReading[];
  failures: unknown[];
} {
  const logger = recordingLogger();
  const emitted: DriverReading[] = [];
  const failures: unknown[] = [];
  return {
    device,
    logger,
    emitted,
    failures,
    emit: (readings) => void emitted.push(...readings),
    fail: (error) => void failures.push(error),
    now: () => scheduler.now(),
    scheduler,
  };
}
