// The one owner of mail composition: when an instant mail is composed (instant-grouper.ts),
// which records go into a mail, what it says (compose-mail.ts) and its identity for
// exactly-once (a mail id kept across retries and restarts, and the last record id it covers,
// so every record is in exactly one mail). It does no I/O: the daemon gives it the pending
// records, journals what it composes, and the journaled mails go to delivery.
import { composeMails } from './compose-mail.js';
import { floodGroup, InstantGrouper, type GrouperTimers } from './instant-grouper.js';
import type { MailKind, OutgoingMail, StoredRecord } from './record.js';

/** Records waiting for a mail, as the daemon's durable state holds them (read, never changed here). */
export interface PendingRecords {
  readonly pending: Readonly<Record<MailKind, readonly StoredRecord[]>>;
  /** Records dropped by clients, per source, not yet reported in a mail. */
  readonly dropped: Readonly<Record<string, number>>;
}

/** A composed mail as the daemon journals it: what it takes out of the pending records, and the mail. */
export interface ComposedMail {
  /** The list of pending records it takes from. */
  take: MailKind;
  /** Highest record id it covers: the records of `take` up to it leave the list once journaled. */
  upTo: number;
  /** Dropped-record counts it reports, subtracted once journaled. */
  dropped: Record<string, number>;
  /** The mail, then its numbered parts when its whole text needs more than one. */
  mails: [OutgoingMail, ...OutgoingMail[]];
}

/** What {@link MailComposer} works with; the daemon passes its options, clock, state and journal. */
export interface MailComposerOptions {
  /** Largest mail, bytes as sent. */
  maxMailBytes: number;
  /** IANA zone of the times shown in mails. */
  timeZone?: string | undefined;
  /** Instant grouping, seconds (see {@link InstantGrouper}). */
  groupSettle: number;
  groupWait: number;
  groupInterval: number;
  maxInstantMails: number;
  /** The daemon's clock, epoch ms. */
  now: () => number;
  /** Timers of the grouping (the daemon's Scheduler). */
  timers: GrouperTimers;
  /** The durable state's pending records. */
  records: PendingRecords;
  /** Whether an instant mail of this many records may go out now (delivery's daily budget). */
  mayComposeInstant: (records: number) => boolean;
  /** Journals a composed mail; `then` runs once it is durable. */
  journal: (composed: ComposedMail, then: () => void) => void;
  /** Hands a journaled mail to delivery. */
  deliver: (mail: OutgoingMail) => void;
  /** The daemon's log (grouping holds and releases). */
  log: (line: string) => void;
}

/**
 * Composes the daemon's mails: instant ones when the grouping says so, digests when asked.
 * A composed mail is journaled first and handed to delivery only once durable, so a mail is
 * either in the journal's outbox or not composed at all.
 */
export class MailComposer {
  /** Highest record id per list already in a composed mail that may not be journaled yet. */
  private readonly composedUpTo: Record<MailKind, number> = { instant: 0, daily: 0, weekly: 0 };
  private composing = 0;
  private readonly grouper: InstantGrouper;

  constructor(private readonly options: MailComposerOptions) {
    this.grouper = new InstantGrouper({
      groupSettle: Math.min(options.groupSettle, options.groupWait),
      groupWait: options.groupWait,
      groupInterval: options.groupInterval,
      maxInstantMails: options.maxInstantMails,
      timers: options.timers,
      emit: () => void this.compose('instant'),
      log: options.log,
    });
  }

  /** Whether a composed mail is waiting to be journaled. */
  get busy(): boolean {
    return this.composing > 0;
  }

  /** A record became durable: an instant one is grouped for the next instant mail. */
  onRecord(record: StoredRecord): void {
    if (record.schedule === 'INSTANTANEOUSLY') this.grouper.onRecord(floodGroup(record.level, record.msg));
  }

  /** A client reported dropped records: they are told in the next instant mail. */
  onDropped(): void {
    this.grouper.onRecord('dropped records');
  }

  /** The daily budget allows instant mails again: the records it held are mailed. */
  onQuotaFree(): void {
    this.grouper.onRecord('held by maxMailsPerDay');
  }

  /** After a start: instant records or drop counts left pending by the last run are mailed. */
  resume(): void {
    const { pending, dropped } = this.options.records;
    if (pending.instant.length > 0 || Object.keys(dropped).length > 0)
      this.grouper.onRecord('resumed after a restart');
  }

  /**
   * Composes a mail of what is pending for `kind` and not in a mail yet; resolves once it is
   * journaled (and handed to delivery), null when there is nothing to send or the daily budget
   * holds instant mails.
   */
  compose(kind: MailKind): Promise<void> | null {
    const { records: state } = this.options;
    const list = state.pending[kind];
    const since = this.composedUpTo[kind];
    let start = 0;
    while (start < list.length && list[start]!.rid <= since) start++;
    const records = list.slice(start);
    // Drop counts are taken only when no other mail may have taken them and not journaled yet.
    const dropped = this.composing === 0 ? { ...state.dropped } : {};
    if (records.length === 0 && Object.keys(dropped).length === 0) return null;
    if (kind === 'instant' && !this.options.mayComposeInstant(records.length)) return null;
    const upTo = records.length > 0 ? records[records.length - 1]!.rid : since;
    this.composedUpTo[kind] = upTo;
    const mails = composeMails(kind, records, dropped, {
      maxMailBytes: this.options.maxMailBytes,
      timeZone: this.options.timeZone,
      createdAt: this.options.now(),
    });
    this.composing++;
    return new Promise((resolve) => {
      this.options.journal({ take: kind, upTo, dropped, mails }, () => {
        this.composing--;
        for (const mail of mails) this.options.deliver(mail);
        resolve();
      });
    });
  }

  /** Cancels the grouping timers. */
  close(): void {
    this.grouper.close();
  }
}
