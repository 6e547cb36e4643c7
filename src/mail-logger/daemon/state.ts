// The daemon's durable state and how each journal event changes it. Pure: the journal
// replays the same events through `apply` that the live daemon applied.
import type { DropFrame, RecordFrame } from '../protocol.js';
import type { ComposedMail } from '../composition/composer.js';
import type { MailKind, OutgoingMail, StoredRecord } from '../composition/record.js';

export interface SessionInfo {
  /** Highest seq applied for this client session (durable). */
  lastSeq: number;
  source: string;
  pid: number;
  /** Epoch ms of the last hello (the daemon's clock; shown only, never used for expiry). */
  seenAt: number;
}

export type JournalEvent =
  | { k: 's'; id: string; src: string; pid: number; at: number }
  | { k: 'r'; id: string; f: RecordFrame }
  | { k: 'd'; id: string; f: DropFrame }
  | {
      k: 'm';
      take: MailKind;
      upTo: number;
      dropped: Record<string, number>;
      mail: OutgoingMail;
      /** Further numbered parts of the same mail (its text too big for one). */
      more?: OutgoingMail[];
    }
  | { k: 'x'; id: string }
  /** The daemon's own ALERT (damaged state files found at start), mailed like a client's. */
  | { k: 'n'; msg: string; at: number };

/**
 * The journal event of a composed mail: the mail, its numbered parts in `more`. The format
 * journals of every earlier version hold, so they replay unchanged.
 */
export function composedEvent(composed: ComposedMail): JournalEvent {
  const [mail, ...more] = composed.mails;
  const event: JournalEvent = {
    k: 'm',
    take: composed.take,
    upTo: composed.upTo,
    dropped: composed.dropped,
    mail,
  };
  if (more.length > 0) event.more = more;
  return event;
}

/** The source of the daemon's own records. */
export const DAEMON_SOURCE = 'raspimon-mail-logger';

// Sessions without an open connection kept in a snapshot, most recent hello first: enough
// for clients that come back after a daemon restart to be deduplicated. No wall clock
// decides (NTP may step it by decades), and a connected session is always kept, so the
// records it sends after a snapshot are replayed.
const MAX_IDLE_SESSIONS = 1000;

function counts(): Record<string, number> {
  // No prototype: sources named "__proto__" or "constructor" are counted like any other.
  return Object.create(null) as Record<string, number>;
}

export class DaemonState {
  nextRid = 1;
  readonly sessions = new Map<string, SessionInfo>();
  pending: Record<MailKind, StoredRecord[]> = { instant: [], daily: [], weekly: [] };
  /** Records dropped by clients, per source, not yet reported in a mail. */
  dropped: Record<string, number> = counts();
  outbox: OutgoingMail[] = [];

  /** Applies one event; returns the record it added, if any. */
  apply(event: JournalEvent): StoredRecord | undefined {
    switch (event.k) {
      case 's': {
        const known = this.sessions.get(event.id);
        this.sessions.delete(event.id); // re-inserted last: the map is in order of the last hello
        this.sessions.set(event.id, {
          lastSeq: known?.lastSeq ?? 0,
          source: event.src,
          pid: event.pid,
          seenAt: event.at,
        });
        return undefined;
      }
      case 'r':
        return this.applyRecord(event.id, event.f);
      case 'd': {
        const session = this.sessions.get(event.id);
        if (session === undefined || event.f.seq <= session.lastSeq) return undefined;
        session.lastSeq = event.f.seq;
        this.dropped[session.source] = (this.dropped[session.source] ?? 0) + event.f.count;
        return undefined;
      }
      case 'm': {
        const list = this.pending[event.take];
        let n = 0;
        while (n < list.length && list[n]!.rid <= event.upTo) n++;
        list.splice(0, n);
        for (const [source, count] of Object.entries(event.dropped)) {
          const left = (this.dropped[source] ?? 0) - count;
          if (left > 0) this.dropped[source] = left;
          else delete this.dropped[source];
        }
        this.outbox.push(event.mail, ...(event.more ?? []));
        return undefined;
      }
      case 'x':
        this.outbox = this.outbox.filter((m) => m.id !== event.id);
        return undefined;
      case 'n': {
        const record: StoredRecord = {
          rid: this.nextRid++,
          source: DAEMON_SOURCE,
          pid: 0,
          time: event.at,
          level: 'ALERT',
          schedule: 'INSTANTANEOUSLY',
          msg: event.msg,
        };
        this.pending.instant.push(record);
        return record;
      }
    }
  }

  private applyRecord(sessionId: string, f: RecordFrame): StoredRecord | undefined {
    const session = this.sessions.get(sessionId);
    if (session === undefined || f.seq <= session.lastSeq) return undefined;
    session.lastSeq = f.seq;
    const record: StoredRecord = {
      rid: this.nextRid++,
      source: session.source,
      pid: session.pid,
      time: f.time,
      level: f.level,
      schedule: f.schedule,
      msg: f.msg,
    };
    if (f.ctx !== undefined) record.ctx = f.ctx;
    if (f.schedule === 'SILENTLY') return record;
    if (f.schedule === 'INSTANTANEOUSLY') this.pending.instant.push(record);
    else if (f.schedule === 'DAILY') this.pending.daily.push(record);
    else if (f.schedule === 'WEEKLY') this.pending.weekly.push(record);
    return record;
  }

  hasDropped(): boolean {
    return Object.keys(this.dropped).length > 0;
  }

  /** The state as snapshot text; sessions for which `isLive` is true are always kept. */
  toSnapshot(gen: number, isLive: (session: string) => boolean): string {
    const all = [...this.sessions.entries()];
    let idle = 0;
    const kept: Array<[string, SessionInfo]> = [];
    for (let i = all.length - 1; i >= 0; i--) {
      const entry = all[i]!;
      if (isLive(entry[0]) || idle++ < MAX_IDLE_SESSIONS) kept.push(entry);
    }
    const sessions = kept.reverse();
    return JSON.stringify({
      v: 1,
      gen,
      nextRid: this.nextRid,
      sessions,
      pending: this.pending,
      dropped: this.dropped,
      outbox: this.outbox,
    });
  }

  /** Parses snapshot text; throws an Error saying what is wrong when it is not a whole snapshot. */
  static fromSnapshot(text: string): { state: DaemonState; gen: number } {
    const data = JSON.parse(text) as {
      v: number;
      gen: number;
      nextRid: number;
      sessions: Array<[string, SessionInfo]>;
      pending: Record<MailKind, StoredRecord[]>;
      dropped: Record<string, number>;
      outbox: OutgoingMail[];
    };
    checkSnapshotShape(data);
    const state = new DaemonState();
    state.nextRid = data.nextRid;
    for (const [id, info] of data.sessions) state.sessions.set(id, info);
    state.pending.instant = data.pending.instant;
    state.pending.daily = data.pending.daily;
    state.pending.weekly = data.pending.weekly;
    state.dropped = Object.assign(counts(), data.dropped);
    state.outbox = data.outbox;
    return { state, gen: data.gen };
  }
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** Valid JSON of the wrong shape (a snapshot of another program, a half-written edit) is damage too. */
function checkSnapshotShape(data: unknown): void {
  const d = data as Record<string, unknown> | null;
  const pending = d?.pending as Record<string, unknown> | undefined;
  const problem =
    typeof d !== 'object' || d === null
      ? 'not an object'
      : d.v !== 1
        ? `unknown version ${JSON.stringify(d.v)}`
        : !isCount(d.gen) || !isCount(d.nextRid)
          ? 'gen or nextRid is not a count'
          : !Array.isArray(d.sessions) ||
              !d.sessions.every((s) => Array.isArray(s) && typeof s[0] === 'string')
            ? 'sessions is not a list of [id, info]'
            : typeof pending !== 'object' ||
                pending === null ||
                !['instant', 'daily', 'weekly'].every((b) => Array.isArray(pending[b]))
              ? 'pending is not three lists'
              : typeof d.dropped !== 'object' || d.dropped === null || !Array.isArray(d.outbox)
                ? 'dropped or outbox is missing'
                : null;
  if (problem !== null) throw new Error(`not a mail-logger snapshot: ${problem}`);
}
