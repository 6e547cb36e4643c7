// The daemon as one object: MailLoggerServer starts its parts in order, wires the path of a
// record through them (listener.ts and connection.ts accept it, store.ts journals it,
// composition/composer.ts puts it in a mail, journaled too, delivery/mailer.ts sends that),
// and stops them. One job, the daemon's lifecycle; a third of it is the public API's TSDoc.
import { setImmediate as nextTurn, setTimeout as delay } from 'node:timers/promises';
import { Scheduler } from '../../scheduler/index.js';
import type { ConnectionHost } from './connection.js';
import {
  describeSmtp,
  loadCredentialsFile,
  validateCredentials,
  type ValidCredentials,
} from '../delivery/credentials.js';
import type { DeadLetters } from '../delivery/dead-letters.js';
import { MailLoggerError } from '../errors.js';
import { MailComposer } from '../composition/composer.js';
import { Listener } from './listener.js';
import { Mailer } from '../delivery/mailer.js';
import { openDaemonState } from './open-state.js';
import {
  checkScheduler,
  resolveServerOptions,
  type MailLoggerServerOptions,
  type ResolvedServerOptions,
} from './options.js';
import { defaultTransport, formatEndpoint, parseTransport, type Endpoint } from '../protocol.js';
import type { StoredRecord } from '../composition/record.js';
import { composedEvent, type JournalEvent } from './state.js';
import type { Store } from './store.js';

/** Counters of a running daemon. */
export interface MailLoggerServerStats {
  /** Client connections currently open. */
  connections: number;
  /** Records waiting for an instant mail, the daily digest, the weekly digest. */
  pendingInstant: number;
  /** Records waiting for the next daily digest. */
  pendingDaily: number;
  /** Records waiting for the next weekly digest. */
  pendingWeekly: number;
  /** Mails composed but not yet accepted by the SMTP server. */
  outbox: number;
}

const CLOSE_SEND_TIMEOUT_MS = 3000;

/**
 * The mail-logger daemon: accepts records from clients, keeps them in an on-disk journal,
 * mails instant records (grouped, rate-limited) and daily/weekly digests through one pooled
 * SMTP transport, retrying until the server accepts.
 *
 * @example
 * ```ts
 * const server = await MailLoggerServer.start({ credentials: '/etc/mail_credentials' });
 * process.on('SIGTERM', () => void server.close());
 * ```
 */
export class MailLoggerServer {
  /** What client connections may reach: kept off the public class. */
  private readonly host: ConnectionHost;
  private readonly cronJobs: string[] = [];
  private readonly counters = { noHello: 0 };
  /** Digest jobs (compose, journal, compaction) under way. */
  private digesting = 0;
  private closing: Promise<void> | null = null;
  /** Set when the server stops by itself; `closed` resolves with it. */
  private fatal: MailLoggerError | null = null;
  /** Until begin() is done, a failure is only recorded: start() rejects with it. */
  private started = false;
  private resolveClosed!: (reason: MailLoggerError | null) => void;
  private listener: Listener | null = null;
  private readonly composer: MailComposer;
  private readonly mailer: Mailer;

  /**
   * Resolves once the server has stopped and released everything: with `null` after
   * {@link MailLoggerServer.close}, or with the {@link MailLoggerError} that made it stop by
   * itself (`ERR_JOURNAL_WRITE`: the journal cannot be written, so nothing more could be
   * acknowledged). It never rejects. A supervisor should treat a reason as a failure: the
   * CLI logs it and exits with status 1, so systemd's `Restart=on-failure` restarts it.
   *
   * @example
   * ```ts
   * const server = await MailLoggerServer.start({ credentials: '/etc/mail_credentials' });
   * const reason = await server.closed;
   * if (reason) {
   *   console.error(reason.code, reason.message);
   *   process.exitCode = 1;
   * }
   * ```
   */
  readonly closed: Promise<MailLoggerError | null>;

  private constructor(
    private readonly options: ResolvedServerOptions,
    private readonly credentials: ValidCredentials,
    private readonly store: Store,
    private endpoint: Endpoint,
    private readonly scheduler: Scheduler,
    private readonly ownsScheduler: boolean,
    deadLetters: DeadLetters,
  ) {
    this.closed = new Promise((resolve) => {
      this.resolveClosed = resolve;
    });
    this.host = {
      store,
      log: (line) => this.log(line),
      helloTimeoutSeconds: options.helloTimeoutSeconds,
      after: (seconds, fn) => this.scheduler.onceAfter(seconds, fn),
      cancel: (id) => void this.scheduler.remove(id),
      noHello: (who) => {
        // The first is logged, then each power of two: a persistent prober costs a few lines.
        const n = ++this.counters.noHello;
        if ((n & (n - 1)) === 0)
          this.log(
            `${who}: no hello within ${options.helloTimeoutSeconds} s, connection closed (${n} so far)`,
          );
      },
    };
    const timers = {
      after: (seconds: number, fn: () => void): string => this.scheduler.onceAfter(seconds, fn),
      cancel: (id: string): void => void this.scheduler.remove(id),
    };
    // The path of a record: the listener accepts it, the store journals it, the composer puts
    // it in a mail (journaled too), the mailer sends that.
    this.composer = new MailComposer({
      maxMailBytes: options.maxMailBytes,
      timeZone: options.timeZone,
      groupSettle: options.groupSettle,
      groupWait: options.groupWait,
      groupInterval: options.groupInterval,
      maxInstantMails: options.maxInstantMails,
      now: () => this.scheduler.now(),
      timers,
      records: store.state,
      mayComposeInstant: (records) => this.mailer.mayComposeInstant(records),
      journal: (composed, then) => store.commit([composedEvent(composed)], then),
      deliver: (mail) => this.mailer.enqueue(mail),
      log: (line) => this.log(line),
    });
    this.mailer = new Mailer({
      credentials,
      transport: options.transport,
      retryMinSeconds: options.retryMinSeconds,
      retryMaxSeconds: options.retryMaxSeconds,
      maxMailBytes: options.maxMailBytes,
      maxMailsPerDay: options.maxMailsPerDay,
      sendTimeoutSeconds: options.sendTimeoutSeconds,
      timeZone: options.timeZone,
      now: () => this.scheduler.now(),
      ...timers,
      deadLetters,
      onDone: (mail) => store.markSent(mail.id),
      onQuotaFree: () => this.composer.onQuotaFree(),
      log: (line) => this.log(line),
    });
  }

  /**
   * Loads the credentials and the journal, starts listening, and resumes unsent mails.
   * Throws {@link CredentialsError} for a bad credentials file, {@link MailLoggerError}
   * when the state directory or the socket cannot be used, {@link RaspimonTypeError} /
   * {@link RaspimonRangeError} for a bad option, and `CronPatternError` for an unknown
   * `timeZone` or a bad `daily`/`weekly` pattern. Once running, see
   * {@link MailLoggerServer.closed} for a stop the server decides itself.
   */
  static async start(options: MailLoggerServerOptions): Promise<MailLoggerServer> {
    const resolved = resolveServerOptions(options);
    checkScheduler(resolved.scheduler);
    const endpoint = parseTransport(resolved.listen ?? defaultTransport());
    const credentials =
      typeof resolved.credentials === 'string'
        ? loadCredentialsFile(resolved.credentials)
        : validateCredentials(resolved.credentials);
    // A journal failure before the server exists is held until there is one to stop.
    const holder: { server?: MailLoggerServer; early?: Error } = {};
    const ownsScheduler = resolved.scheduler === undefined;
    const scheduler =
      resolved.scheduler ??
      new Scheduler(resolved.timeZone === undefined ? {} : { timeZone: resolved.timeZone });
    const { store, deadLetters } = await openDaemonState(resolved.stateDir, scheduler, ownsScheduler, {
      onFatal: (error) => {
        if (holder.server) holder.server.stopOnJournalFailure(error);
        else holder.early ??= error;
      },
      onApplied: (event, record) => holder.server?.onApplied(event, record),
      log: resolved.log,
    });
    const server = new MailLoggerServer(
      resolved,
      credentials,
      store,
      endpoint,
      scheduler,
      ownsScheduler,
      deadLetters,
    );
    holder.server = server;
    if (holder.early) server.stopOnJournalFailure(holder.early);
    try {
      await server.begin();
      if (server.fatal) throw server.fatal;
    } catch (error) {
      await server.close();
      throw error;
    }
    server.started = true;
    return server;
  }

  /** Where clients connect, e.g. `unix:///run/raspimon/mail-logger.sock` or `tcp://127.0.0.1:40123`. */
  get address(): string {
    return formatEndpoint(this.endpoint);
  }

  /**
   * Counters of the running daemon: open connections, pending records, unsent mails.
   *
   * @example
   * ```ts
   * const { pendingInstant, outbox } = server.stats();
   * ```
   */
  stats(): MailLoggerServerStats {
    return {
      connections: this.listener?.size ?? 0,
      pendingInstant: this.store.state.pending.instant.length,
      pendingDaily: this.store.state.pending.daily.length,
      pendingWeekly: this.store.state.pending.weekly.length,
      outbox: this.store.state.outbox.length,
    };
  }

  /**
   * Composes the daily or weekly digest now (the cron jobs call this); resolves once it is
   * journaled, with false when there was nothing to send. Rejects with the server's
   * `ERR_JOURNAL_WRITE` {@link MailLoggerError} if the journal fails meanwhile.
   *
   * @example
   * ```ts
   * if (await server.sendDigest('daily')) console.log('digest on its way');
   * ```
   */
  async sendDigest(kind: 'daily' | 'weekly'): Promise<boolean> {
    this.digesting++;
    try {
      return await this.digestNow(kind);
    } finally {
      this.digesting--;
    }
  }

  /**
   * Resolves once the daemon has nothing under way: every record received so far is
   * journaled and applied, no mail is being composed, attempted or ready to be attempted,
   * no digest is running. What waits for its clock (grouping and digest timers, a retry's
   * backoff, `maxMailsPerDay`) is left waiting: with a `ManualClock`, nothing more happens
   * until the clock is advanced. Meant for tests and shutdown scripts that must know that
   * "no mail was sent" is final, not merely late. Resolves at once after `close()`.
   *
   * @example
   * ```ts
   * await clock.advance(59); // a grouping window not yet over
   * await server.whenIdle();
   * assert.equal(sink.messages.length, 0); // nothing was sent, and nothing is on its way
   * ```
   */
  async whenIdle(): Promise<void> {
    for (;;) {
      if (this.closing !== null || this.fatal !== null) return;
      // Everything committed so far durable and applied, then the callbacks it started.
      if (!this.store.diskFull) await this.store.sync();
      await nextTurn();
      if (!this.composer.busy && this.digesting === 0 && !this.mailer.busy) return;
      await delay(5);
    }
  }

  private async digestNow(kind: 'daily' | 'weekly'): Promise<boolean> {
    const durable = this.composer.compose(kind);
    if (durable === null) return false;
    // A journal that fails drops its pending callbacks: the stop's reason ends the wait.
    await Promise.race([
      durable,
      this.closed.then((reason) => (reason === null ? durable : Promise.reject(reason))),
    ]);
    // A failing compaction stops the server (see `closed`); the caller gets the same reason.
    await this.store.compact().catch((error: unknown) => {
      throw this.fatal ?? error;
    });
    return true;
  }

  /**
   * Stops listening, mails what is pending for up to 3 s, writes the journal and releases
   * every timer, socket and file. Records not yet mailed stay in the journal for the next start.
   * Calling it again (or after the server stopped by itself) returns the same promise.
   */
  close(): Promise<void> {
    this.closing ??= this.shutdown().finally(() => this.resolveClosed(this.fatal));
    return this.closing;
  }

  /** Writes one line to the daemon's own log (the `log` option; stderr by default). */
  log(line: string): void {
    this.options.log(line);
  }

  /**
   * The journal cannot be written: nothing more can be acknowledged, so the server stops
   * and `closed` resolves with the reason (the CLI then exits 1 for systemd to restart it).
   */
  private stopOnJournalFailure(error: Error): void {
    if (this.fatal) return;
    this.fatal = new MailLoggerError(
      'ERR_JOURNAL_WRITE',
      `cannot write the journal in ${this.options.stateDir} (${error.message}): ` +
        'nothing more can be acknowledged. Records acknowledged so far are kept; make the directory writable (disk full? permissions?) and restart',
      { cause: error },
    );
    this.log(`fatal: [${this.fatal.code}] ${this.fatal.message}; stopping`);
    // Before start() returns, start() itself closes and rejects with the reason.
    if (!this.started && this.closing === null) return;
    this.close().catch((closeError: unknown) =>
      this.log(`closing after the journal failure failed too: ${(closeError as Error).message}`),
    );
  }

  /** Every durable event, once applied: records and drop notices go to the composer. */
  private onApplied(event: JournalEvent, record: StoredRecord | undefined): void {
    if (record !== undefined) this.composer.onRecord(record);
    else if (event.k === 'd' && event.f.count > 0) this.composer.onDropped();
  }

  private async begin(): Promise<void> {
    const state = this.store.state;
    for (const mail of state.outbox) this.mailer.enqueue(mail);
    this.composer.resume();
    this.cronJobs.push(
      this.scheduler.repeatCron(this.options.daily, () => void this.digestJob('daily')),
      this.scheduler.repeatCron(this.options.weekly, () => void this.digestJob('weekly')),
    );
    this.listener = await Listener.open(this.endpoint, {
      host: this.host,
      socketMode: this.options.socketMode,
      maxConnections: this.options.maxConnections,
      log: (line) => this.log(line),
    });
    this.endpoint = this.listener.endpoint;
    this.log(
      `listening on ${this.address}, mailing ${this.credentials.to.length} recipient(s) via ${describeSmtp(this.credentials.smtp)}; state in ${this.options.stateDir}` +
        (state.outbox.length > 0 ? `; ${state.outbox.length} unsent mail(s) resumed` : ''),
    );
  }

  private async digestJob(kind: 'daily' | 'weekly'): Promise<void> {
    try {
      await this.sendDigest(kind);
    } catch (error) {
      this.log(`${kind} digest failed: ${(error as Error).message}`);
    }
  }

  private async shutdown(): Promise<void> {
    await this.listener?.close();
    this.composer.close();
    for (const id of this.cronJobs) this.scheduler.remove(id);
    // Mail what is pending now rather than after the next start (unless the journal failed:
    // a mail that cannot be journaled would never resolve, and the records are kept anyway).
    if (this.store.failure === null && !this.store.diskFull) await this.composer.compose('instant');
    await this.mailer.drain(CLOSE_SEND_TIMEOUT_MS);
    await this.mailer.close(CLOSE_SEND_TIMEOUT_MS);
    await this.store.close();
    if (this.ownsScheduler) await this.scheduler.stop();
  }
}
