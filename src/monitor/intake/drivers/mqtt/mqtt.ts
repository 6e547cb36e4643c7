import { showValue } from '../../../config/validate.js';
import { checkKeyId, checkString, isPlainObject, unknownFields } from '../config-fields.js';
import type { ModuleImporter } from '../../../peers.js';
import type {
  DriverConfigCheck,
  DriverConfigProblem,
  DriverContext,
  DriverDefinition,
} from '../../../types.js';
import { MqttLink } from '../../../outputs/mqtt/connection.js';
import { ErrorSpell } from '../error-spell.js';
import { parsePayload, type MqttKey } from './payload.js';

/** Options of {@link createMqttDriver}. */
export interface MqttDriverOptions {
  /**
   * Reconnect backoff bounds in seconds (the shared exponential backoff with jitter).
   * @default { minSeconds: 1, maxSeconds: 60 }
   */
  retry?: { minSeconds: number; maxSeconds: number };
  /**
   * Imports a peer by name; a test replaces it to simulate a missing `mqtt`.
   * @default import(name)
   */
  importer?: ModuleImporter;
}

const knownFields = ['url', 'topic', 'keys', 'credentialsFile', 'caFile', 'clientId', 'qos', 'timestampPath'];

/** Checks an `mqtt` device config and fills its defaults. Pure. */
export function validateMqttConfig(config: Record<string, unknown>): DriverConfigCheck {
  const problems: DriverConfigProblem[] = [];
  unknownFields(config, knownFields, problems);
  const url = checkString(config.url, 'config.url', problems, true);
  if (url !== undefined && !/^(mqtts?|wss?):\/\/[^/]/.test(url))
    problems.push({
      field: 'config.url',
      message: `must be mqtt://host:port or mqtts://host:port, got ${showValue(url)}`,
    });
  const topic = checkString(config.topic, 'config.topic', problems, true);
  if (topic !== undefined && !validFilter(topic))
    problems.push({
      field: 'config.topic',
      message: `is not a valid MQTT topic filter ('+' only as a whole level, '#' only last), got ${showValue(topic)}`,
    });
  const credentialsFile = checkString(config.credentialsFile, 'config.credentialsFile', problems, false);
  const caFile = checkString(config.caFile, 'config.caFile', problems, false);
  const clientId = checkString(config.clientId, 'config.clientId', problems, false);
  const timestampPath = checkString(config.timestampPath, 'config.timestampPath', problems, false);
  const qos = config.qos ?? 0;
  if (qos !== 0 && qos !== 1 && qos !== 2)
    problems.push({ field: 'config.qos', message: `must be 0, 1 or 2, got ${showValue(qos)}` });
  const keys: MqttKey[] = [];
  if (!Array.isArray(config.keys) || config.keys.length === 0)
    problems.push({
      field: 'config.keys',
      message: `must be a non-empty array of { keyId, path? }, got ${showValue(config.keys)}`,
    });
  else
    config.keys.forEach((raw: unknown, index) => {
      const field = `config.keys[${index}]`;
      if (!isPlainObject(raw)) {
        problems.push({ field, message: `must be { keyId, path? }, got ${showValue(raw)}` });
        return;
      }
      unknownFields(raw, ['keyId', 'path'], problems);
      const keyId = checkKeyId(raw.keyId, `${field}.keyId`, problems);
      const path = checkString(raw.path, `${field}.path`, problems, false);
      if (keyId !== undefined) keys.push({ keyId, path });
    });
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    config: { url, topic, keys, credentialsFile, caFile, clientId, qos, timestampPath },
    keyIds: [...new Set(keys.map((k) => k.keyId))],
  };
}

/** MQTT topic filter rules (MQTT 5 §4.7.1). */
function validFilter(topic: string): boolean {
  const levels = topic.split('/');
  return levels.every(
    (level, i) =>
      (level === '#' ? i === levels.length - 1 : true) &&
      (level.includes('+') ? level === '+' : true) &&
      (level.includes('#') ? level === '#' : true),
  );
}

/**
 * Creates the `mqtt` driver (subscribes through MQTT.js). Config `{ url, topic, keys:
 * [{ keyId, path? }], credentialsFile?, caFile?, clientId?, qos = 0, timestampPath? }`.
 * A plain number payload goes to the key without `path`; a JSON payload gives one reading
 * per key from its dot path. Reconnects by itself; a bad message is a counted device error.
 *
 * @example
 * ```ts
 * // device config: { url: 'mqtt://127.0.0.1:1883', topic: 'zigbee2mqtt/freezer', keys: [{ keyId: 1, path: 'temperature' }] }
 * new Monitor({ ..., drivers: { mqtt: createMqttDriver({ retry: { minSeconds: 0.1, maxSeconds: 1 } }) } })
 * ```
 */
export function createMqttDriver(options: MqttDriverOptions = {}): DriverDefinition {
  return {
    validateConfig: validateMqttConfig,
    create(config, context) {
      return new MqttDriver(config, context, options);
    },
  };
}

class MqttDriver {
  private link: MqttLink | undefined;
  private readonly spell: ErrorSpell;
  private unmatched = 0;

  constructor(
    private readonly config: Record<string, unknown>,
    private readonly context: DriverContext,
    private readonly options: MqttDriverOptions,
  ) {
    this.spell = new ErrorSpell(context.logger, 'bad messages');
  }

  async start(): Promise<void> {
    const { url, topic, credentialsFile, caFile, clientId, qos, timestampPath } = this.config as {
      url: string;
      topic: string;
      credentialsFile?: string;
      caFile?: string;
      clientId?: string;
      qos: 0 | 1 | 2;
      timestampPath?: string;
    };
    const keys = this.config.keys as MqttKey[];
    const link = new MqttLink({
      url,
      credentialsFile,
      caFile,
      clientId,
      scheduler: this.context.scheduler,
      logger: this.context.logger,
      retry: this.options.retry ?? { minSeconds: 1, maxSeconds: 60 },
      importer: this.options.importer,
      onConnect: (client) => {
        client.subscribe(topic, { qos }, (error) => {
          if (error) this.context.logger.error(`mqtt: cannot subscribe to ${topic}: ${error.message}`);
        });
      },
    });
    this.link = link;
    await link.start();
    link.client!.on('message', (messageTopic, payload) => {
      const result = parsePayload(payload, keys, timestampPath);
      if (!result.ok) {
        this.spell.fail('bad message', `mqtt: bad message on ${messageTopic}: ${result.reason}`);
        return;
      }
      this.spell.ok();
      if (result.unmatched !== undefined) {
        this.unmatched++;
        if (this.unmatched === 1)
          this.context.logger.warning(
            `mqtt: message on ${messageTopic} ignored: ${result.unmatched} (said once)`,
          );
        return;
      }
      this.context.emit(result.readings);
    });
  }

  async stop(): Promise<void> {
    const link = this.link;
    this.link = undefined;
    await link?.stop();
  }
}
