// One MQTT connection as raspimon keeps it, shared by the `mqtt` driver and the `mqtt`
// output: credentials from a 0600 file, TLS with the system CAs or a CA file, and reconnects
// on the shared backoff (MQTT.js's own fixed-period reconnect is turned off).
import { readFile, stat } from 'node:fs/promises';
import type { IClientOptions, MqttClient } from 'mqtt';
import { Backoff, describeError } from '../../../internal/index.js';
import { ConfigError, DriverError } from '../../errors.js';
import { loadMqtt, type ModuleImporter } from '../../peers.js';
import type { MonitorLogger, MonitorScheduler } from '../../types.js';

/** Where and how to connect. */
export interface MqttLinkOptions {
  /** `mqtt://host:1883` or `mqtts://host:8883` (also `ws://`, `wss://`). */
  url: string;
  /** JSON `{ "username": "…", "password": "…" }`, readable by its owner only (`chmod 600`). */
  credentialsFile?: string | undefined;
  /** A PEM file of the CA that signed the broker's certificate; else the system CAs. */
  caFile?: string | undefined;
  /** MQTT client id; a random one when undefined. */
  clientId?: string | undefined;
  /** The last will the broker publishes if this link dies uncleanly. */
  will?: { topic: string; payload: string; retain: boolean; qos: 0 | 1 | 2 } | undefined;
  scheduler: MonitorScheduler;
  logger: MonitorLogger;
  /** Reconnect backoff bounds in seconds. */
  retry: { minSeconds: number; maxSeconds: number };
  /** Called after every (re)connect, e.g. to subscribe or to drain a buffer. */
  onConnect(client: MqttClient): void;
  importer?: ModuleImporter | undefined;
}

interface Credentials {
  username?: string;
  password?: string;
}

/** Reads an MQTT credentials file; refuses one that group or others can read. */
export async function readMqttCredentials(file: string): Promise<Credentials> {
  const stats = await stat(file).catch((error: NodeJS.ErrnoException) => {
    throw new ConfigError(
      `mqtt credentials file ${file} cannot be read (${error.code ?? error.message}): create it with {"username": "…", "password": "…"} and chmod 600 it`,
      { cause: error },
    );
  });
  if ((stats.mode & 0o077) !== 0)
    throw new ConfigError(
      `mqtt credentials file ${file} is readable by group or others (mode ${(stats.mode & 0o777).toString(8)}): run chmod 600 ${file}`,
    );
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(
      `mqtt credentials file ${file} is not valid JSON: write {"username": "…", "password": "…"}`,
      {
        cause: error,
      },
    );
  }
  const { username, password } = (parsed ?? {}) as Record<string, unknown>;
  if (
    (username !== undefined && typeof username !== 'string') ||
    (password !== undefined && typeof password !== 'string')
  )
    throw new ConfigError(`mqtt credentials file ${file}: username and password must be strings`);
  return { ...(username !== undefined ? { username } : {}), ...(password !== undefined ? { password } : {}) };
}

/** A client that reconnects by itself on the shared backoff until stop(). */
export class MqttLink {
  #client: MqttClient | undefined;
  #retryJob: string | undefined;
  #stopped = false;
  #backoff: Backoff;
  #downReported = false;
  /** Times the link connected (the first connect included). */
  connects = 0;

  constructor(private readonly options: MqttLinkOptions) {
    this.#backoff = new Backoff(options.retry);
  }

  /** The client while connected, else undefined. */
  get connected(): MqttClient | undefined {
    return this.#client?.connected ? this.#client : undefined;
  }

  /** The client, connected or not (undefined before start() or after stop()). */
  get client(): MqttClient | undefined {
    return this.#client;
  }

  /**
   * Loads `mqtt`, reads the credentials and CA file and starts connecting. Resolves without
   * waiting for the broker (a broker that is down is retried in the background); rejects on
   * a missing peer or a bad credentials/CA file.
   */
  async start(): Promise<void> {
    const mqtt = await loadMqtt(this.options.importer);
    const { url, credentialsFile, caFile, clientId, will } = this.options;
    const credentials = credentialsFile ? await readMqttCredentials(credentialsFile) : {};
    const ca = caFile
      ? await readFile(caFile).catch((error: unknown) => {
          throw new ConfigError(
            `mqtt caFile ${caFile} cannot be read (${describeError(error)}): give a PEM file`,
            {
              cause: error,
            },
          );
        })
      : undefined;
    const options: IClientOptions = {
      ...credentials,
      ...(clientId ? { clientId } : {}),
      ...(ca ? { ca } : {}),
      ...(will ? { will } : {}),
      reconnectPeriod: 0,
      connectTimeout: 10_000,
      resubscribe: false,
      clean: true,
    };
    const client = mqtt.connect(url, options);
    this.#client = client;
    client.on('connect', () => {
      this.connects++;
      this.#backoff.reset();
      if (this.#downReported) this.options.logger.info(`mqtt ${url}: connected again`);
      this.#downReported = false;
      this.options.onConnect(client);
    });
    // MQTT.js emits 'error' for refused connects and socket errors, then 'close'.
    client.on('error', (error) => this.#down(error));
    client.on('close', () => this.#down(undefined));
  }

  #down(error: Error | undefined): void {
    if (this.#stopped) return;
    if (!this.#downReported && error) {
      this.#downReported = true;
      this.options.logger.error(
        `mqtt ${this.options.url}: ${describeError(error)}; reconnecting with backoff (reported again once connected)`,
      );
    }
    if (this.#retryJob !== undefined || this.#client?.connected) return;
    const delay = this.#backoff.next();
    if (!this.#downReported && this.#backoff.failures >= 2) {
      this.#downReported = true;
      this.options.logger.error(`mqtt ${this.options.url}: connection lost; reconnecting with backoff`);
    }
    this.#retryJob = this.options.scheduler.onceAfter(delay, () => {
      this.#retryJob = undefined;
      const client = this.#client;
      if (this.#stopped || !client || client.connected || client.reconnecting) return;
      client.reconnect();
    });
  }

  /**
   * Publishes `finalMessages` (e.g. `offline` on the status topic) if connected, then closes
   * the connection. Bounded by `timeoutMs`: a broker that does not answer is left behind.
   */
  async stop(finalMessages: Array<{ topic: string; payload: string }> = [], timeoutMs = 2000): Promise<void> {
    this.#stopped = true;
    if (this.#retryJob !== undefined) this.options.scheduler.remove(this.#retryJob);
    this.#retryJob = undefined;
    const client = this.#client;
    this.#client = undefined;
    if (!client) return;
    const work = (async () => {
      if (client.connected)
        for (const { topic, payload } of finalMessages)
          await client.publishAsync(topic, payload, { qos: 1, retain: true }).catch(() => undefined);
      await client.endAsync();
    })();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), timeoutMs)));
    const result = await Promise.race([work.then(() => 'done' as const), late]);
    clearTimeout(timer);
    if (result === 'late') await client.endAsync(true).catch(() => undefined);
  }
}

/** Thrown by a driver whose broker connection could not even be set up. */
export function linkSetupError(url: string, error: unknown): DriverError {
  return new DriverError(`mqtt ${url}: ${describeError(error)}`, { cause: error });
}
