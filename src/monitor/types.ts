/**
 * The logger the monitor reports through. Structural: the mail logger's
 * `MailLoggerClient` satisfies it, so does a thin wrapper around pino or console.
 */
export interface MonitorLogger {
  debug(message: string, context?: Record<string, unknown>): void;
  info(message: string, context?: Record<string, unknown>): void;
  warning(message: string, context?: Record<string, unknown>): void;
  error(message: string, context?: Record<string, unknown>): void;
  alert(message: string, context?: Record<string, unknown>): void;
}

/**
 * What the monitor needs from a scheduler: `raspimon/scheduler`'s `Scheduler` satisfies
 * it. Every timer of the monitor goes through it, so a `ManualClock` drives it in tests.
 */
export interface MonitorScheduler {
  onceAfter(seconds: number, fn: () => unknown): string;
  repeatEvery(seconds: number, fn: () => unknown): string;
  remove(id: string): boolean;
}

/** One value a driver produced. `ts` defaults to the time the monitor received it. */
export interface DriverReading {
  /** Kind of datum: a `keyId` of the `keys` collection. */
  keyId: number;
  /** Must be a safe integer (scale it: millidegrees, not degrees); others are rejected and counted. */
  value: number;
  /** A `Date` or epoch seconds. */
  ts?: Date | number;
}

/** A device document after validation: what a driver and the monitor work with. */
export interface DeviceSpec {
  id: number;
  name: string;
  description: string;
  /** Lowercase hex, e.g. `'0403'`, or `undefined`. */
  vendorId: string | undefined;
  productId: string | undefined;
  driver: string;
  /** The driver's config after its own validation (defaults filled in). */
  config: Record<string, unknown>;
  intervalSeconds: number;
  enabled: boolean;
  /** keyIds this device may produce, when its driver declares them. */
  keyIds: number[] | undefined;
}

/** A `keys` document after validation. */
export interface KeySpec {
  keyId: number;
  unit: string;
  description: string;
}

/** What a driver factory receives besides its config. */
export interface DriverContext {
  /** The validated device document. */
  device: DeviceSpec;
  /** Reports with the device named in every line. */
  logger: MonitorLogger;
  /** Streaming drivers push readings through this, whenever data arrives. */
  emit(readings: readonly DriverReading[]): void;
  /**
   * A streaming driver calls this when its source is gone (e.g. the serial port was
   * unplugged): the monitor stops it and starts it again with backoff.
   */
  fail(error: unknown): void;
  /** Epoch ms from the monitor's clock. */
  now(): number;
  /** The monitor's scheduler, for a driver's own timers (remove them in stop()). */
  scheduler: MonitorScheduler;
}

/**
 * A running driver. Polled drivers have `read()`, called every device `interval`;
 * streaming drivers call `context.emit()` themselves between `start()` and `stop()`.
 */
export interface Driver {
  start?(): void | Promise<void>;
  read?(): readonly DriverReading[] | Promise<readonly DriverReading[]>;
  stop?(): void | Promise<void>;
}

/** Creates a driver for one device. `config` is the device's validated config. */
export type DriverFactory = (config: Record<string, unknown>, context: DriverContext) => Driver;

/** One problem a driver found in a device's config. */
export interface DriverConfigProblem {
  /** Path inside the config, e.g. `'config.baudRate'`. */
  field: string;
  message: string;
}

/** The result of a driver's config validation. */
export type DriverConfigCheck =
  | { ok: true; config: Record<string, unknown>; keyIds?: number[] }
  | { ok: false; problems: DriverConfigProblem[] };

/**
 * A driver with its own config validation, so a bad config is reported when the
 * configuration is loaded, with the field named, and the device is skipped.
 */
export interface DriverDefinition {
  create: DriverFactory;
  /** Checks and normalises a device's config (fill defaults); may list the keyIds it will produce. */
  validateConfig?(config: Record<string, unknown>): DriverConfigCheck;
}
