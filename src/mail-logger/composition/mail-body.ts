// The shape of a composed mail before rendering: what the journal keeps with each mail
// (record.ts) and what digest.ts builds and renders. Types only.
import type { Level } from '../levels.js';

/** Repeats of one message from one source at one level, collapsed. */
export interface MessageGroup {
  msg: string;
  count: number;
  /** Epoch ms of the first and last occurrence. */
  first: number;
  last: number;
  /** Context of the last occurrence, if any. */
  ctx: Record<string, unknown> | undefined;
}

/** Lines of a section left out to keep the mail under its size limit. */
export interface Omitted {
  /** Distinct lines (message groups) not shown. */
  records: number;
  /** Occurrences those lines stand for. */
  occurrences: number;
}

export interface SourceGroup {
  source: string;
  count: number;
  messages: MessageGroup[];
  /** Set when lines were cut when the mail was composed. */
  omitted?: Omitted;
}

export interface LevelGroup {
  level: Level;
  count: number;
  sources: SourceGroup[];
}

/** What a mail reports, before rendering: kept in the journal with the mail. */
export interface MailBody {
  groups: LevelGroup[];
  /** Records dropped by full client buffers, per source. */
  dropped: Record<string, number>;
  /** Records the mail accounts for (shown or counted as omitted). */
  total: number;
  /** Lines shown first, kept with the mail: e.g. where its whole text is attached. */
  notes?: string[];
}
