import { afterEach, describe, expect, it } from 'vitest';
import { DeviceRunner } from '../../../src/monitor/intake/device-runner.js';
import type {
  DeviceSpec,
  Driver,
  DriverContext,
  DriverDefinition,
  DriverReading,
} from '../../../src/monitor/index.js';
import { ManualClock, Scheduler } from '../../../src/scheduler/index.js';
import { recordingLogger } from '../support.js';

const device: DeviceSpec = {
  id: 9,
  name: 'flaky',
  description: '',
  vendorId: undefined,
  productId: undefined,
  driver: 'test',
  config: {},
  intervalSeconds: 10,
  enabled: true,
  keyIds: undefined,
};

let scheduler: Scheduler;
let runner: DeviceRunner | undefined;
afterEach(async () => {
  await runner?.stop();
  await scheduler.stop();
});

function setup(create: (context: DriverContext) => Driver): {
  clock: ManualClock;
  accepted: DriverReading[];
  logger: ReturnType<typeof recordingLogger>;
  starts: () => number;
} {
  const clock = new ManualClock(new Date('2026-01-01T00:00:00Z'));
  scheduler = new Scheduler({ clock });
  scheduler.start();
  const accepted: DriverReading[] = [];
  const logger = recordingLogger();
  let starts = 0;
  const definition: DriverDefinition = {
    create: (_config, context) => {
      starts++;
      return create(context);
    },
  };
  runner = new DeviceRunner(device, definition, {
    scheduler,
    logger,
    // random 1: every backoff wait at its ceiling, so the doubling is exact.
    settings: { timeoutSeconds: 5, retryMinSeconds: 1, retryMaxSeconds: 8, random: () => 1 },
    intake: { accept: (_d, readings) => void accepted.push(...readings) },
  });
  return { clock, accepted, logger, starts: () => starts };
}

describe('DeviceRunner', () => {
  it('reads at once, then every interval, on the scheduler clock', async () => {
    let n = 0;
    const { clock, accepted } = setup(() => ({ read: () => [{ keyId: 1, value: n++ }] }));
    await runner!.start();
    expect(accepted.map((r) => r.value)).toEqual([0]);
    await clock.advance(30);
    expect(accepted.map((r) => r.value)).toEqual([0, 1, 2, 3]);
  });

  it('a throwing read is reported (failures 1, 2, 4, 8… as errors) and the driver is restarted with doubling backoff (1, 2, 4, 8, 8 s)', async () => {
    const { clock, logger, starts } = setup(() => ({
      read: () => {
        throw new Error('sensor unplugged');
      },
    }));
    await runner!.start();
    expect(starts()).toBe(1);
    const startsAt: number[] = [];
    for (let s = 0; s < 30; s++) {
      const before = starts();
      await clock.advance(1);
      if (starts() > before) startsAt.push(s + 1);
    }
    expect(startsAt).toEqual([1, 3, 7, 15, 23]);
    expect(logger.text('error')).toMatch(
      /device 9 "flaky" \(test\): read failed \(Error: sensor unplugged\); retrying in 1 s/,
    );
    expect(logger.text('error')).toMatch(/retrying in 8 s \(failure 4\)/);
    expect(logger.text('error')).not.toMatch(/failure 3|failure 5/);
    expect(logger.text('debug')).toMatch(/retrying in 8 s \(failure 5\)/);
  });

  it('a hanging read times out, is reported, and a later good read resets the backoff', async () => {
    let hang = true;
    const { clock, accepted, logger } = setup(() => ({
      read: () => (hang ? new Promise<never>(() => undefined) : [{ keyId: 1, value: 5 }]),
    }));
    void runner!.start();
    await clock.advance(5);
    expect(logger.text('error')).toMatch(/read\(\) did not settle within 5 s/);
    hang = false;
    await clock.advance(1);
    expect(accepted).toEqual([{ keyId: 1, value: 5 }]);
    expect(runner!.failureCount).toBe(0);
  });

  it('a throwing factory or start() is retried too, and stop() cancels the retry', async () => {
    const { clock, starts } = setup(() => {
      throw new Error('bad wiring');
    });
    await runner!.start();
    await clock.advance(3);
    expect(starts()).toBe(3);
    await runner!.stop();
    await clock.advance(60);
    expect(starts()).toBe(3);
  });

  it('a streaming driver emits readings; fail() stops it and starts a fresh one after the backoff', async () => {
    const contexts: DriverContext[] = [];
    let stops = 0;
    const { clock, accepted, starts } = setup((ctx) => {
      contexts.push(ctx);
      return { start: () => undefined, stop: () => void stops++ };
    });
    await runner!.start();
    contexts[0]!.emit([{ keyId: 4, value: 1 }]);
    expect(accepted).toEqual([{ keyId: 4, value: 1 }]);
    contexts[0]!.fail(new Error('port closed'));
    await clock.advance(0.5);
    expect(stops).toBe(1);
    contexts[0]!.emit([{ keyId: 4, value: 2 }]); // the old driver's late data is dropped
    await clock.advance(1);
    expect(starts()).toBe(2);
    contexts[1]!.emit([{ keyId: 4, value: 3 }]);
    expect(accepted.map((r) => r.value)).toEqual([1, 3]);
  });

  it('stop() returns at once even while a read hangs', async () => {
    setup(() => ({ read: () => new Promise<never>(() => undefined) }));
    void runner!.start();
    await new Promise((r) => setTimeout(r, 10));
    await runner!.stop();
    expect(runner!.failureCount).toBe(0);
  });
});
