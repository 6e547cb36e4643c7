// The Monitor's MQTT output: each accepted reading published retained (QoS 1) to its key's
// topic, `online`/`offline` on the status topic (with a last will), and Home Assistant
// discovery documents per (device, key). The broker down costs nothing else: publishes wait
// in a bounded buffer (oldest dropped, counted, reported once) and go out when it is back.
import type { MqttClient } from 'mqtt';
import { checkPositive, checkText, describeValue, isPlainObject } from '../../../internal/index.js';
import { ConfigError } from '../../errors.js';
import type { ModuleImporter } from '../../peers.js';
import type { ValidatedConfig } from '../../config/validate.js';
import { shownValue } from '../../status/format-value.js';
import type { DeviceSpec, KeySpec, MonitorLogger, MonitorScheduler } from '../../types.js';
import { MqttLink } from './connection.js';
import { discoveryDocuments, stateTopic, statusTopic, type MqttTopics } from './discovery.js';
import { prefixed } from '../../prefixed-logger.js';

/**
 * The Monitor's `mqtt` option: where readings and Home Assistant discovery go.
 *
 * @example
 * ```ts
 * new Monitor({ namespace, mqtt: { url: 'mqtt://homeassistant.local:1883', credentialsFile: '/etc/raspimon/mqtt.json' } })
 * ```
 */
export interface MqttOutputOptions {
  /** The broker: `mqtt://host:1883` or `mqtts://host:8883`. */
  url: string;
  /**
   * First topic level: readings go to `<prefix>/<namespace>/<device name>/<keyId>`.
   * @default 'raspimon'
   */
  prefix?: string;
  /**
   * Home Assistant's discovery prefix.
   * @default 'homeassistant'
   */
  discoveryPrefix?: string;
  /**
   * JSON `{ "username": "…", "password": "…" }`, readable by its owner only (`chmod 600`).
   * @default undefined (anonymous)
   */
  credentialsFile?: string;
  /**
   * MQTT client id.
   * @default `raspimon_<namespace>`
   */
  clientId?: string;
  /**
   * PEM file of the CA that signed the broker's certificate (mqtts://); else the system CAs.
   * @default undefined
   */
  caFile?: string;
  /**
   * Publishes kept while the broker is away; beyond it the oldest are dropped, counted and
   * reported once per outage.
   * @default 10000
   */
  maxBuffered?: number;
}

/** The option after validation, defaults filled. */
export interface ResolvedMqttOutput {
  url: string;
  prefix: string;
  discoveryPrefix: string;
  credentialsFile: string | undefined;
  clientId: string | undefined;
  caFile: string | undefined;
  maxBuffered: number;
}

/** Checks `options.mqtt` (one message naming the field) and fills its defaults. */
export function resolveMqttOutput(value: unknown): ResolvedMqttOutput | undefined {
  if (value === undefined) return undefined;
  if (!isPlainObject(value))
    throw new ConfigError(
      `options.mqtt must be { url, prefix?, discoveryPrefix?, … }, got ${describeValue(value)}`,
    );
  const known = ['url', 'prefix', 'discoveryPrefix', 'credentialsFile', 'clientId', 'caFile', 'maxBuffered'];
  for (const field of Object.keys(value))
    if (!known.includes(field))
      throw new ConfigError(`options.mqtt.${field} is not a known option; known: ${known.join(', ')}`);
  const url = checkText('options.mqtt.url', value.url);
  if (!/^(mqtts?|wss?):\/\/[^/]/.test(url))
    throw new ConfigError(
      `options.mqtt.url must be mqtt://host:port or mqtts://host:port, got ${describeValue(url)}`,
    );
  const level = (label: string, v: unknown, fallback: string): string => {
    const text = checkText(label, v, fallback);
    if (/[+#]/.test(text) || text.startsWith('/') || text.endsWith('/'))
      throw new ConfigError(
        `${label} must be a topic without + or # or a leading/trailing /, got ${describeValue(text)}`,
      );
    return text;
  };
  const optionalText = (label: string, v: unknown): string | undefined =>
    v === undefined ? undefined : checkText(label, v);
  return {
    url,
    prefix: level('options.mqtt.prefix', value.prefix, 'raspimon'),
    discoveryPrefix: level('options.mqtt.discoveryPrefix', value.discoveryPrefix, 'homeassistant'),
    credentialsFile: optionalText('options.mqtt.credentialsFile', value.credentialsFile),
    clientId: optionalText('options.mqtt.clientId', value.clientId),
    caFile: optionalText('options.mqtt.caFile', value.caFile),
    maxBuffered: checkPositive('options.mqtt.maxBuffered', value.maxBuffered, {
      fallback: 10_000,
      integer: true,
    }),
  };
}

/** Counters of the output, for status pages and tests. */
export interface MqttOutputStats {
  /** Whether the broker connection is up. */
  connected: boolean;
  /** Readings handed to the broker client. */
  published: number;
  /** Readings waiting for the broker now. */
  buffered: number;
  /** Readings dropped because the buffer was full, since start. */
  dropped: number;
}

interface Deps {
  namespace: string;
  scheduler: MonitorScheduler;
  logger: MonitorLogger;
  retry: { minSeconds: number; maxSeconds: number };
  importer?: ModuleImporter;
}

const publishOptions = { qos: 1, retain: true } as const;

/** Publishes a monitor's readings and discovery documents over one MQTT connection. */
export class MqttOutput {
  readonly #topics: MqttTopics;
  readonly #link: MqttLink;
  /** FIFO of [topic, payload] while the broker is away; `#head` skips taken entries. */
  #buffer: Array<[string, string]> = [];
  #head = 0;
  #published = 0;
  #dropped = 0;
  #droppedThisOutage = 0;
  #devices = new Map<number, DeviceSpec>();
  #config: ValidatedConfig | undefined;
  /** keyIds seen per device whose driver declares none (discovery made on first sight). */
  #seen = new Map<number, Set<number>>();
  /** Discovery documents on the broker (or to be), by topic. */
  #announced = new Map<string, string>();
  /** State topic and key by device id then keyId (built once: the listener is the hot path). */
  #stateTopics = new Map<number, Map<number, { topic: string; key: KeySpec | undefined }>>();
  /** Topics whose discovery document must be cleared (device or key removed). */
  #toClear = new Set<string>();

  constructor(
    private readonly options: ResolvedMqttOutput,
    private readonly deps: Deps,
  ) {
    this.#topics = {
      prefix: options.prefix,
      discoveryPrefix: options.discoveryPrefix,
      namespace: deps.namespace,
    };
    const status = statusTopic(this.#topics);
    this.#link = new MqttLink({
      url: options.url,
      credentialsFile: options.credentialsFile,
      caFile: options.caFile,
      clientId: options.clientId ?? `raspimon_${deps.namespace}`,
      will: { topic: status, payload: 'offline', retain: true, qos: 1 },
      scheduler: deps.scheduler,
      logger: prefixed(deps.logger, 'mqtt output'),
      retry: deps.retry,
      importer: deps.importer,
      onConnect: (client) => this.#connected(client),
    });
  }

  /** Loads `mqtt`, checks the credentials, and starts connecting (does not wait for the broker). */
  start(): Promise<void> {
    return this.#link.start();
  }

  /** Called with every accepted reading's stored value (the hot path: no I/O while the broker is away). */
  readonly listener = (deviceId: number, keyId: number, stored: number): void => {
    const targets = this.#stateTopics.get(deviceId);
    if (!targets) return;
    let target = targets.get(keyId);
    if (target === undefined) {
      const device = this.#devices.get(deviceId)!;
      if (device.keyIds === undefined) this.#sawKey(device, keyId);
      target = { topic: stateTopic(this.#topics, device.name, keyId), key: this.#config?.keys.get(keyId) };
      targets.set(keyId, target);
    }
    // The shown value (stored ÷ 10^decimals), as Home Assistant displays it with the key's unit.
    this.#publish(target.topic, String(shownValue(stored, target.key)));
  };

  /** A configuration was applied: announce new (device, key) pairs, clear removed ones. */
  apply(config: ValidatedConfig): void {
    this.#config = config;
    this.#devices = new Map(config.devices.map((d) => [d.id, d]));
    this.#stateTopics = new Map(
      config.devices.map((d) => [d.id, new Map<number, { topic: string; key: KeySpec | undefined }>()]),
    );
    for (const id of [...this.#seen.keys()]) if (!this.#devices.has(id)) this.#seen.delete(id);
    this.#announce();
  }

  stats(): MqttOutputStats {
    return {
      connected: this.#link.connected !== undefined,
      published: this.#published,
      buffered: this.#buffer.length - this.#head,
      dropped: this.#dropped,
    };
  }

  /** Publishes `offline` on the status topic, then disconnects (bounded). */
  async stop(): Promise<void> {
    await this.#link.stop([{ topic: statusTopic(this.#topics), payload: 'offline' }]);
  }

  #sawKey(device: DeviceSpec, keyId: number): void {
    let keys = this.#seen.get(device.id);
    if (!keys) this.#seen.set(device.id, (keys = new Set()));
    if (keys.has(keyId)) return;
    keys.add(keyId);
    this.#announce();
  }

  #announce(): void {
    const config = this.#config;
    if (!config) return;
    const wanted = discoveryDocuments(this.#topics, config.devices, config.keys, this.#seen);
    const client = this.#link.connected;
    for (const topic of this.#announced.keys()) if (!wanted.has(topic)) this.#toClear.add(topic);
    for (const [topic, document] of wanted) {
      this.#toClear.delete(topic);
      if (this.#announced.get(topic) !== document) {
        this.#announced.set(topic, document);
        client?.publish(topic, document, publishOptions);
      }
    }
    for (const topic of this.#toClear) this.#announced.delete(topic);
    if (client) this.#clearRemoved(client);
  }

  #clearRemoved(client: MqttClient): void {
    for (const topic of this.#toClear) client.publish(topic, '', publishOptions);
    this.#toClear.clear();
  }

  #publish(topic: string, payload: string): void {
    const client = this.#link.connected;
    if (client && this.#head === this.#buffer.length) {
      client.publish(topic, payload, publishOptions);
      this.#published++;
      return;
    }
    this.#buffer.push([topic, payload]);
    if (this.#buffer.length - this.#head > this.options.maxBuffered) {
      this.#head++;
      this.#dropped++;
      this.#droppedThisOutage++;
      if (this.#droppedThisOutage === 1)
        this.deps.logger.warning(
          `mqtt output: the broker is away and ${this.options.maxBuffered} publishes are waiting; dropping the oldest (counted, reported when it is back)`,
        );
    }
    if (this.#head > 4096 && this.#head * 2 > this.#buffer.length) {
      this.#buffer = this.#buffer.slice(this.#head);
      this.#head = 0;
    }
  }

  #connected(client: MqttClient): void {
    client.publish(statusTopic(this.#topics), 'online', publishOptions);
    // A reconnect may follow a broker restart without persistence: announce everything again.
    for (const [topic, document] of this.#announced) client.publish(topic, document, publishOptions);
    this.#clearRemoved(client);
    const waiting = this.#buffer.length - this.#head;
    for (let i = this.#head; i < this.#buffer.length; i++) {
      const [topic, payload] = this.#buffer[i]!;
      client.publish(topic, payload, publishOptions);
    }
    this.#published += waiting;
    this.#buffer = [];
    this.#head = 0;
    if (this.#droppedThisOutage > 0)
      this.deps.logger.warning(
        `mqtt output: broker back; ${this.#droppedThisOutage} oldest publishes were dropped while it was away (buffer ${this.options.maxBuffered}), ${waiting} sent now`,
        { dropped: this.#droppedThisOutage },
      );
    else if (waiting > 0)
      this.deps.logger.info(`mqtt output: broker back; ${waiting} waiting publishes sent`);
    this.#droppedThisOutage = 0;
  }
}
