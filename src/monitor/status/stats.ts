// The counters Monitor.stats() returns: their own file so the status file and the summary
// can name them without importing the Monitor.
import type { WriterStats } from '../storage/readings-writer.js';

/** Counters since start. */
export interface MonitorStats extends WriterStats {
  /** Devices running (or retrying). */
  devices: number;
  /** Readings accepted from drivers. */
  accepted: number;
  /** Readings rejected because the value is not a safe integer. */
  rejectedNotInteger: number;
  /** Readings rejected because their keyId is not in `keys`. */
  rejectedUnknownKey: number;
  /** Readings rejected for a malformed shape or timestamp. */
  rejectedMalformed: number;
  /** MQTT output (with `options.mqtt`): whether the broker connection is up. */
  mqttConnected?: boolean;
  /** MQTT output: readings handed to the broker client. */
  mqttPublished?: number;
  /** MQTT output: readings waiting for the broker now. */
  mqttBuffered?: number;
  /** MQTT output: readings dropped because the buffer was full while the broker was away. */
  mqttDropped?: number;
}
