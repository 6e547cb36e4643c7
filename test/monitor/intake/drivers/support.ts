// Shared by the driver tests: a built-in driver created as the monitor creates it (config
// validated first), with a recording logger and a context that emits nowhere.
import { buildRegistry } from '../../../../src/monitor/intake/drivers/registry.js';
import type { DeviceSpec, DriverContext } from '../../../../src/monitor/index.js';
import { recordingLogger } from '../../support.js';

const registry = buildRegistry();

export function createDriver(
  driver: string,
  rawConfig: Record<string, unknown>,
  logger = recordingLogger(),
): { read: () => Promise<unknown> } {
  const definition = registry.get(driver)!;
  const check = definition.validateConfig!(rawConfig);
  if (!check.ok) throw new Error(JSON.stringify(check.problems));
  const device: DeviceSpec = {
    id: 1,
    name: 'd',
    description: '',
    vendorId: undefined,
    productId: undefined,
    driver,
    config: check.config,
    intervalSeconds: 1,
    enabled: true,
    keyIds: check.keyIds,
  };
  const context = {
    device,
    logger,
    emit: () => undefined,
    fail: () => undefined,
    now: () => 0,
  } as unknown as DriverContext;
  const instance = definition.create(check.config, context);
  return { read: async () => instance.read!() };
}
