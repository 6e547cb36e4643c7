// Pure core of the MQTT output: topics and Home Assistant discovery documents. No I/O.
import type { DeviceSpec, KeySpec } from '../../types.js';

/** Topic prefixes of the output, resolved. */
export interface MqttTopics {
  prefix: string;
  discoveryPrefix: string;
  namespace: string;
}

/** MQTT reserves `+`, `#` (wildcards) and `/` (level separator) in topic names. */
export function topicLevel(name: string): string {
  return name.replace(/[/+#]/g, '_');
}

/** `<prefix>/<namespace>/status`: `online` (retained) while the monitor runs, `offline` after. */
export function statusTopic(t: MqttTopics): string {
  return `${t.prefix}/${topicLevel(t.namespace)}/status`;
}

/** `<prefix>/<namespace>/<device name>/<keyId>`: the key's latest value, retained. */
export function stateTopic(t: MqttTopics, deviceName: string, keyId: number): string {
  return `${t.prefix}/${topicLevel(t.namespace)}/${topicLevel(deviceName)}/${keyId}`;
}

/** `<discoveryPrefix>/sensor/<namespace>_<deviceId>_<keyId>/config`. */
export function discoveryTopic(t: MqttTopics, deviceId: number, keyId: number): string {
  return `${t.discoveryPrefix}/sensor/${objectId(t, deviceId, keyId)}/config`;
}

function objectId(t: MqttTopics, deviceId: number, keyId: number): string {
  // HA's object id: [a-zA-Z0-9_-] only.
  return `${t.namespace}_${deviceId}_${keyId}`.replace(/[^a-zA-Z0-9_-]/g, '_');
}

/** Home Assistant's sensor device classes that a unit (and description) point to. */
export function deviceClass(unit: string, description: string): string | undefined {
  const u = unit.trim();
  if (['°C', '°F', 'K', 'ºC', 'ºF'].includes(u)) return 'temperature';
  if (u === '%' && /humid/i.test(description)) return 'humidity';
  if (u === '%' && /batter/i.test(description)) return 'battery';
  if (['W', 'kW'].includes(u)) return 'power';
  if (['Wh', 'kWh', 'MWh'].includes(u)) return 'energy';
  if (['V', 'mV'].includes(u)) return 'voltage';
  if (['A', 'mA'].includes(u)) return 'current';
  if (['Pa', 'hPa', 'kPa', 'bar', 'mbar'].includes(u)) return 'pressure';
  if (u === 'Hz') return 'frequency';
  return undefined;
}

/** The discovery document of one (device, key): every key appears in Home Assistant by itself. */
export function discoveryDocument(t: MqttTopics, device: DeviceSpec, key: KeySpec): Record<string, unknown> {
  const cls = deviceClass(key.unit, key.description);
  return {
    name: key.description || `key ${key.keyId}`,
    unique_id: objectId(t, device.id, key.keyId),
    state_topic: stateTopic(t, device.name, key.keyId),
    ...(key.unit ? { unit_of_measurement: key.unit } : {}),
    ...(cls ? { device_class: cls } : {}),
    state_class: cls === 'energy' ? 'total_increasing' : 'measurement',
    availability_topic: statusTopic(t),
    payload_available: 'online',
    payload_not_available: 'offline',
    device: {
      name: device.name,
      model: 'raspimon',
      manufacturer: 'raspimon',
      identifiers: [`${t.namespace}_${device.id}`],
    },
  };
}

/**
 * The discovery documents the configuration calls for, by topic: one per device and key it
 * declares (or, for a driver that declares none, per key it was seen to produce).
 */
export function discoveryDocuments(
  t: MqttTopics,
  devices: readonly DeviceSpec[],
  keys: ReadonlyMap<number, KeySpec>,
  seen: ReadonlyMap<number, ReadonlySet<number>>,
): Map<string, string> {
  const documents = new Map<string, string>();
  for (const device of devices) {
    for (const keyId of device.keyIds ?? seen.get(device.id) ?? []) {
      const key = keys.get(keyId);
      if (key)
        documents.set(discoveryTopic(t, device.id, keyId), JSON.stringify(discoveryDocument(t, device, key)));
    }
  }
  return documents;
}
