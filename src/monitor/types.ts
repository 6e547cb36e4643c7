/**
 * The logger the monitor reports through. Structural: the mail logger's
 * `MailLoggerClient` satisfies it, so does a thin wrapper around pino or console.
 */
export interface MonitorLogger {
  /** Routine detail, e.g. the repeated failures of a device after the first few. */
  debug(message: string, context?: Record<string, unknown>): void;
  /** Normal events, e.g. a configuration reload or readings replayed from the spool. */
  info(message: string, context?: Record<string, unknown>): void;
  /** Something went wrong but the monitor carries on, e.g. a rejected reading or an unreadable database at a config poll. */
  warning(message: string, context?: Record<string, unknown>): void;
  /** A failure that needs attention, e.g. a driver that failed (retried with backoff) or a bad device document (skipped). */
  error(message: string, context?: Record<string, unknown>): void;
  /** Something very bad that needs a person now, e.g. readings that can no longer be spooled to disk. */
  alert(message: string, context?: Record<string, unknown>): void;
}

/**
 * What the monitor needs from a scheduler: `raspimon/scheduler`'s `Scheduler` satisfies
 * it. Every timer of the monitor goes through it, so a `ManualClock` drives it in tests.
 */
export interface MonitorScheduler {
  /** Wall-clock time in epoch milliseconds: the one time source of the monitor. */
  now(): number;
  /**
   * Monotonic milliseconds (any origin, never stepped by NTP): durations are measured on
   * it (rules' `forSeconds`, `noDataSeconds`, `repeatSeconds`). raspimon's `Scheduler` has it;
   * a scheduler without it makes those durations follow `now()`, steps included.
   */
  monotonic?(): number;
  /** Runs `fn` once, `seconds` (fractions allowed) from now; returns the job id. */
  onceAfter(seconds: number, fn: () => unknown): string;
  /** Runs `fn` every `seconds` (fractions allowed), drift-free; returns the job id. */
  repeatEvery(seconds: number, fn: () => unknown): string;
  /** Cancels a job by id; false if no pending job has that id. */
  remove(id: string): boolean;
}

/** One value a driver produced. `ts` defaults to the time the monitor received it. */
export interface DriverReading {
  /** Kind of datum: a `keyId` of the `keys` collection. */
  keyId: number;
  /**
   * A plain number, fractions allowed (e.g. `21.5`): the monitor stores round(value ×
   * 10^decimals) of the key. A value that is not finite, or whose stored value would not be
   * a safe integer, is refused, counted and reported.
   */
  value: number;
  /** A `Date` or epoch seconds. */
  ts?: Date | number;
}

/** A device document after validation: what a driver and the monitor work with. */
export interface DeviceSpec {
  /** The device's id: a non-negative integer, unique in `devices`. */
  id: number;
  /** Non-empty name, unique in `devices`, shown in log lines (`device 3 "boiler"`). */
  name: string;
  /** Free text; `''` when the document has none. */
  description: string;
  /** USB vendor id, lowercase hex, e.g. `'0403'`, or `undefined`. */
  vendorId: string | undefined;
  /** USB product id, lowercase hex, e.g. `'6001'`, or `undefined`. */
  productId: string | undefined;
  /** Name of the driver that reads the device (the document's `driver`, or legacy `pyClass`). */
  driver: string;
  /** The driver's config after its own validation (defaults filled in). */
  config: Record<string, unknown>;
  /**
   * Seconds between polls of a polled driver (the document's `interval`).
   * @default 10
   */
  intervalSeconds: number;
  /**
   * False when the document says `enabled: false`; such devices are not run.
   * @default true
   */
  enabled: boolean;
  /** keyIds this device may produce, when its driver declares them. */
  keyIds: number[] | undefined;
}

/** A `keys` document after validation. */
export interface KeySpec {
  /** The id readings refer to: a non-negative integer, unique in `keys`. */
  keyId: number;
  /** Unit of the shown values, e.g. `'°C'`, `'%'` or `'hPa'` (`'mC'` for millidegrees stored without decimals). */
  unit: string;
  /** Free text; `''` when the document has none. */
  description: string;
  /**
   * Decimals kept: stored value = round(reading × 10^decimals), shown value = stored ÷
   * 10^decimals. An integer 0..9 (validated documents always carry it).
   * @default 0
   */
  decimals?: number;
}

/** What a driver factory receives besides its config. */
export interface DriverContext {
  /** The validated device document. */
  device: DeviceSpec;
  /** Reports with the device named in every line. */
  logger: MonitorLogger;
  /**
   * Streaming drivers push readings through this, whenever data arrives. Any number at
   * once (a logger dumping its memory): a large array is taken in slices without blocking
   * the event loop, so do not change the array after handing it over.
   */
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
  /** Opens the source (port, file, socket); a throw or rejection is retried with backoff. */
  start?(): void | Promise<void>;
  /** Polled drivers: returns the current readings, once now and then every `intervalSeconds`. */
  read?(): readonly DriverReading[] | Promise<readonly DriverReading[]>;
  /** Releases everything `start()` opened, including the driver's own scheduler jobs. */
  stop?(): void | Promise<void>;
}

/** Creates a driver for one device. `config` is the device's validated config. */
export type DriverFactory = (config: Record<string, unknown>, context: DriverContext) => Driver;

/** One problem a driver found in a device's config. */
export interface DriverConfigProblem {
  /** Path inside the config, e.g. `'config.baudRate'`. */
  field: string;
  /** What is wrong, with the value, e.g. `'must be a positive integer, got "9600" (string)'`. */
  message: string;
}

/** The result of a driver's config validation. */
export type DriverConfigCheck =
  | {
      /** The config is valid. */
      ok: true;
      /** The normalised config (defaults filled in) the driver will be created with. */
      config: Record<string, unknown>;
      /** keyIds the device will produce, checked against the `keys` collection. */
      keyIds?: number[];
    }
  | {
      /** The config is invalid; the device is skipped. */
      ok: false;
      /** Every problem found, each naming its field. */
      problems: DriverConfigProblem[];
    };

/**
 * A driver with its own config validation, so a bad config is reported when the
 * configuration is loaded, with the field named, and the device is skipped.
 */
export interface DriverDefinition {
  /** Creates the driver for one device, with the config `validateConfig` returned. */
  create: DriverFactory;
  /** Checks and normalises a device's config (fill defaults); may list the keyIds it will produce. */
  validateConfig?(config: Record<string, unknown>): DriverConfigCheck;
}

/** One problem found in the configuration documents. */
export interface ConfigProblem {
  /** The collection holding the offending document. */
  collection: 'devices' | 'keys' | 'rules';
  /** How the document is named in messages, e.g. `device 3 "boiler"` or `key 7`. */
  subject: string;
  /** The offending field, e.g. `'interval'` or `'config.baudRate'`. */
  field: string;
  /** What is wrong with the field, showing the value and its type. */
  message: string;
}
