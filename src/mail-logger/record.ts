import type { Level, Schedule } from './levels.js';

/** A record as the daemon keeps it (journal, memory, digests). */
export interface StoredRecord {
  /** Daemon-wide id, increasing in arrival order. */
  rid: number;
  /** Who logged it: device namespace or host/program. */
  source: string;
  pid: number;
  /** Epoch ms, from the client. */
  time: number;
  level: Level;
  schedule: Schedule;
  msg: string;
  ctx?: Record<string, unknown>;
}

/** A composed mail that the SMTP server has not accepted yet. */
export interface OutgoingMail {
  /** Stable across retries and restarts; also the Message-ID's left part. */
  id: string;
  kind: 'instant' | 'daily' | 'weekly';
  subject: string;
  text: string;
  html: string;
  /** Epoch ms when it was composed. */
  createdAt: number;
}
