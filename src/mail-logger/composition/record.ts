// What composition takes in (a record as the daemon keeps it) and gives out (a composed mail,
// which the daemon journals and delivery sends). Types only.
import type { MailBody } from './mail-body.js';
import type { Level, Schedule } from '../levels.js';

/** The three kinds of mail, and the three lists of records waiting for one. */
export type MailKind = 'instant' | 'daily' | 'weekly';

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
  kind: MailKind;
  subject: string;
  /**
   * What the mail reports, rendered at each attempt within the size limit known then (so a
   * server that refuses it as too big gets a shorter mail, never the same one again).
   */
  body?: MailBody;
  /** Parts rendered when composed: mails journaled by raspimon 0.1, which have no `body`. */
  text?: string;
  html?: string;
  /** Epoch ms when it was composed (the daemon's scheduler clock). */
  createdAt: number;
  /**
   * The whole text of a mail whose body was cut to the size limit, gzip-compressed (base64
   * here), attached to it; with `part`, the share of it this mail carries.
   */
  attachment?: { filename: string; gzipBase64: string };
  /** Set on each of the numbered mails a text too big for one mail is sent in. */
  part?: { index: number; of: number };
}
