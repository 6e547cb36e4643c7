// Keeps the fleet on the configuration in the database: reload() on demand (SIGHUP, start)
// coalesces concurrent calls into one more run; poll() reloads only when the devices/keys
// fingerprint changed, and decodes the documents only when their bytes changed. A
// configuration that cannot be read keeps the last good one; at start, the copy saved in the
// state dir stands in for it.
import { describeError } from '../../internal/index.js';
import {
  changedCollections,
  decodeConfig,
  readConfigBytes,
  readConfigCache,
  saveConfigCache,
  type RawConfig,
} from './load.js';
import { validateConfig, type ValidatedConfig } from './validate.js';
import type { DatabaseConnection } from '../storage/connection.js';
import { emptySummary, type DeviceFleet, type ReloadSummary } from '../intake/running-devices.js';
import type { MongoModule } from '../peers.js';
import type { DriverDefinition, MonitorLogger } from '../types.js';

/** What the reloader works with. */
export interface ReloaderDeps {
  mongo: MongoModule;
  connection: DatabaseConnection;
  fleet: DeviceFleet;
  registry: ReadonlyMap<string, DriverDefinition>;
  logger: MonitorLogger;
  namespace: string;
  stateDir: string;
  /** False once the monitor is stopping: a reload that finds it so applies nothing. */
  running(): boolean;
  /** After the fleet applied a configuration (the rules swap here). */
  onApplied?(config: ValidatedConfig): Promise<void>;
}

export class ConfigReloader {
  private fingerprint: string | undefined;
  /** Hash of the bytes the applied configuration (or the last poll that matched it) was read from. */
  private bytesHash: string | undefined;
  private reloading: Promise<ReloadSummary> | undefined;
  private followUp: Promise<ReloadSummary> | undefined;
  private polling = false;
  private unreadableReported = false;
  /** Reloads run (start, SIGHUP, reload(), a changed configuration at a poll). */
  reloads = 0;
  /** Whether the last reload could read the configuration (undefined before the first). */
  lastLoaded: boolean | undefined;

  constructor(private readonly deps: ReloaderDeps) {}

  /** Reloads now, or once more after the reload in progress. `initial` may use the saved copy. */
  reload(initial = false): Promise<ReloadSummary> {
    if (!this.reloading) {
      const run = this.load(initial)
        .then((summary) => {
          this.reloads++;
          this.lastLoaded = summary.loaded;
          return summary;
        })
        .finally(() => {
          if (this.reloading === run) this.reloading = undefined;
        });
      this.reloading = run;
      return run;
    }
    this.followUp ??= this.reloading.then(() => {
      this.followUp = undefined;
      return this.reload(false);
    });
    return this.followUp;
  }

  /** Settles once no reload is in progress (for stop()). */
  async settled(): Promise<void> {
    await this.followUp?.catch(() => undefined);
    await this.reloading?.catch(() => undefined);
  }

  /** The poll job: reloads when `devices`/`keys` changed since the last load. */
  async poll(): Promise<void> {
    const { logger, namespace, fleet } = this.deps;
    if (this.polling || this.reloading || !this.deps.running()) return;
    this.polling = true;
    try {
      const bytes = await readConfigBytes(await this.deps.connection.db());
      this.unreadableReported = false;
      if (bytes.hash === this.bytesHash) return;
      const raw = decodeConfig(this.deps.mongo, bytes);
      // Equal documents in other bytes (a double where an int was): nothing to reload.
      if (raw.fingerprint === this.fingerprint) this.bytesHash = bytes.hash;
      else if (this.deps.running()) {
        logger.info(
          `configuration poll: ${changedCollections(this.fingerprint, raw.fingerprint)} changed in "${namespace}"; reloading`,
        );
        await this.reload(false);
      }
    } catch (error) {
      if (!this.unreadableReported) {
        this.unreadableReported = true;
        logger.warning(
          `configuration poll: database "${namespace}" unreadable (${describeError(error)}); keeping the last good configuration (${fleet.size} device(s))`,
        );
      }
    } finally {
      this.polling = false;
    }
  }

  private async load(initial: boolean): Promise<ReloadSummary> {
    const { mongo, logger, namespace, stateDir } = this.deps;
    let raw: RawConfig | undefined;
    let bytesHash: string | undefined;
    let fromCache = false;
    try {
      const bytes = await readConfigBytes(await this.deps.connection.db());
      raw = decodeConfig(mongo, bytes);
      bytesHash = bytes.hash;
      this.unreadableReported = false;
    } catch (error) {
      if (initial) {
        raw = await readConfigCache(mongo, stateDir);
        fromCache = raw !== undefined;
        logger.error(
          `cannot read the configuration from database "${namespace}" (${describeError(error)}); ${raw ? `using the last good copy (${raw.devices.length} device document(s)) from ${stateDir}` : 'no saved copy yet: devices start once it is readable'}; readings are spooled until it is reachable`,
        );
      } else {
        logger.error(
          `cannot read the configuration from database "${namespace}" (${describeError(error)}); keeping the last good configuration (${this.deps.fleet.size} device(s) running)`,
        );
      }
      if (!raw) return emptySummary(false);
    }
    if (!this.deps.running()) return emptySummary(false);
    const summary = await this.apply(raw, bytesHash);
    if (!fromCache) {
      await saveConfigCache(mongo, stateDir, raw).catch((error: unknown) => {
        logger.warning(`cannot save the configuration copy in ${stateDir} (${describeError(error)})`);
      });
    }
    return summary;
  }

  private async apply(raw: RawConfig, bytesHash: string | undefined): Promise<ReloadSummary> {
    const config = validateConfig(raw.devices, raw.keys, this.deps.registry, raw.rules);
    for (const p of config.problems) {
      this.deps.logger.error(
        `configuration: ${p.subject}: ${p.field} ${p.message}; this ${p.collection === 'devices' ? 'device' : p.collection === 'keys' ? 'key' : 'rule'} is skipped`,
        { collection: p.collection, field: p.field },
      );
    }
    const summary = await this.deps.fleet.apply(raw, config);
    await this.deps.onApplied?.(config);
    this.fingerprint = raw.fingerprint;
    this.bytesHash = bytesHash;
    return summary;
  }
}
