// Runs one device's driver, isolated: a factory, start(), read() or stop() that throws
// or hangs past the timeout is reported, the driver is stopped, and it is started again
// with exponential backoff. Nothing a driver does can stop the monitor or other devices.
import { Backoff, describeError, isThenable } from '../../internal/index.js';
import { DriverError } from '../errors.js';
import type {
  Driver,
  DriverContext,
  DriverDefinition,
  DriverReading,
  DeviceSpec,
  MonitorLogger,
  MonitorScheduler,
} from '../types.js';
import { prefixed } from '../prefixed-logger.js';

/** Settings shared by every device runner, resolved by the Monitor. */
export interface RunnerSettings {
  timeoutSeconds: number;
  retryMinSeconds: number;
  retryMaxSeconds: number;
  /** Jitter source of the restart backoff; a constant in tests. @default Math.random */
  random?: () => number;
}

/** Where a device's readings go: the reading intake. */
export interface ReadingAcceptor {
  /** Validates, counts and queues a device's readings. */
  accept(device: DeviceSpec, readings: readonly DriverReading[]): void;
}

/** What a runner needs from the monitor. */
export interface RunnerDeps {
  /** Timers and the one time source (`now()`). */
  scheduler: MonitorScheduler;
  logger: MonitorLogger;
  settings: RunnerSettings;
  intake: ReadingAcceptor;
}

/** The last failure of a device, for status reports. */
export interface DeviceFailure {
  /** Which driver call failed: `'start'`, `'read'` or `'stream'`. */
  stage: string;
  /** The error, as `Name: message`. */
  message: string;
  /** Epoch ms (scheduler time) of the failure. */
  at: number;
}

const timedOut = Symbol('timed out');
const cancelled = Symbol('cancelled');

/** A device as a running thing: started, sampled, restarted after failures, stopped. */
export class DeviceRunner {
  private driver: Driver | undefined;
  private pollJob: string | undefined;
  private retryJob: string | undefined;
  private readonly backoff: Backoff;
  private generation = 0;
  private stopped = false;
  private reading = false;
  /** Settles pending driver calls at once when the device stops (a hung read must not hold stop()). */
  private readonly cancels = new Set<() => void>();
  /** Times the driver was (re)started, for stats. */
  starts = 0;
  /** Failures since the device started running (not reset by a good read). */
  errors = 0;
  /** The most recent failure, if any. */
  lastError: DeviceFailure | undefined;

  constructor(
    readonly device: DeviceSpec,
    private readonly definition: DriverDefinition,
    private readonly deps: RunnerDeps,
  ) {
    const { retryMinSeconds, retryMaxSeconds, random } = deps.settings;
    this.backoff = new Backoff({ minSeconds: retryMinSeconds, maxSeconds: retryMaxSeconds, random });
  }

  /** Consecutive failures since the last good start or read. */
  get failureCount(): number {
    return this.backoff.failures;
  }

  /** Creates and starts the driver; failures are handled, never thrown. */
  async start(): Promise<void> {
    const generation = ++this.generation;
    const context = this.context(generation);
    try {
      this.driver = this.definition.create(this.device.config, context);
      if (this.driver.start) await this.withTimeout('start', () => this.driver!.start!());
      if (generation !== this.generation || this.stopped) return;
      this.starts++;
      if (this.driver.read) {
        this.pollJob = this.deps.scheduler.repeatEvery(
          this.device.intervalSeconds,
          () => void this.poll(generation),
        );
        // The first sample comes now, not one interval after (re)start.
        await this.poll(generation);
      }
    } catch (error) {
      if (generation === this.generation && !this.stopped) await this.failed(generation, 'start', error);
    }
  }

  /** Stops the driver and every job; waits for its stop() (bounded by the timeout). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.generation++;
    this.clearJobs();
    for (const cancel of [...this.cancels]) cancel();
    await this.stopDriver();
  }

  private context(generation: number): DriverContext {
    const { device } = this;
    const logger = prefixed(this.deps.logger, `device ${device.id} "${device.name}" (${device.driver})`);
    return {
      device,
      logger,
      now: () => this.deps.scheduler.now(),
      scheduler: this.deps.scheduler,
      emit: (readings) => {
        if (generation === this.generation && !this.stopped) this.deps.intake.accept(device, readings);
      },
      fail: (error) => {
        if (generation === this.generation && !this.stopped) void this.failed(generation, 'stream', error);
      },
    };
  }

  private async poll(generation: number): Promise<void> {
    if (this.reading || generation !== this.generation) return;
    this.reading = true;
    try {
      const readings = await this.withTimeout('read', () => this.driver!.read!());
      if (generation !== this.generation || this.stopped) return;
      if (!Array.isArray(readings))
        throw new DriverError(`read() must return an array of readings, got ${typeof readings}`);
      this.backoff.reset();
      this.deps.intake.accept(this.device, readings);
    } catch (error) {
      if (generation === this.generation && !this.stopped) await this.failed(generation, 'read', error);
    } finally {
      this.reading = false;
    }
  }

  private async failed(generation: number, stage: string, error: unknown): Promise<void> {
    const delay = this.backoff.next();
    const failures = this.backoff.failures;
    this.errors++;
    this.lastError = { stage, message: describeError(error), at: this.deps.scheduler.now() };
    this.generation++;
    this.clearJobs();
    const { id, name, driver } = this.device;
    // Failures 1, 2, 4, 8, … are errors; the rest are debug lines: a device unplugged for a
    // week must not mail the team every minute.
    const level = (failures & (failures - 1)) === 0 ? 'error' : 'debug';
    this.deps.logger[level](
      `device ${id} "${name}" (${driver}): ${stage} failed (${describeError(error)}); retrying in ${formatSeconds(delay)} s (failure ${failures})`,
      { deviceId: id, stage, failures },
    );
    await this.stopDriver();
    if (this.stopped || generation + 1 !== this.generation) return;
    this.retryJob = this.deps.scheduler.onceAfter(delay, () => {
      this.retryJob = undefined;
      // Not returned: the scheduler must not wait on a driver (stop() would hang on a hung one).
      if (!this.stopped) void this.start();
    });
  }

  private async stopDriver(): Promise<void> {
    const driver = this.driver;
    this.driver = undefined;
    if (!driver?.stop) return;
    try {
      await this.withTimeout('stop', () => driver.stop!());
    } catch (error) {
      this.deps.logger.warning(
        `device ${this.device.id} "${this.device.name}": stop failed (${describeError(error)})`,
      );
    }
  }

  private clearJobs(): void {
    if (this.pollJob !== undefined) this.deps.scheduler.remove(this.pollJob);
    if (this.retryJob !== undefined) this.deps.scheduler.remove(this.retryJob);
    this.pollJob = undefined;
    this.retryJob = undefined;
  }

  /** Runs a driver call, giving up after the timeout (the call itself is abandoned). */
  private async withTimeout<T>(stage: string, call: () => T | Promise<T>): Promise<T> {
    // A synchronous driver call cannot hang without blocking everything: no timer for it.
    const value = call();
    if (!isThenable<T>(value)) return value;
    let job: string | undefined;
    let cancel: (() => void) | undefined;
    const timeout = new Promise<typeof timedOut | typeof cancelled>((resolve) => {
      job = this.deps.scheduler.onceAfter(this.deps.settings.timeoutSeconds, () => resolve(timedOut));
      cancel = () => resolve(cancelled);
      this.cancels.add(cancel);
    });
    try {
      const result = await Promise.race([value, timeout]);
      if (result === timedOut)
        throw new DriverError(`${stage}() did not settle within ${this.deps.settings.timeoutSeconds} s`);
      if (result === cancelled) throw new DriverError(`${stage}() abandoned: the device was stopped`);
      return result;
    } finally {
      if (job !== undefined) this.deps.scheduler.remove(job);
      this.cancels.delete(cancel!);
    }
  }
}

/** `1`, `2.5`, `0.1`: a delay as a person reads it. */
function formatSeconds(seconds: number): string {
  return String(Math.round(seconds * 10) / 10);
}
