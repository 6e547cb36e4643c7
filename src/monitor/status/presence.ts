// "One monitor per namespace" across state dirs and hosts (two Pis given the same
// namespace): the state-dir lock cannot see that, so each monitor keeps one document in the
// namespace's `monitors` collection and bumps a counter in it at every poll. Another
// document whose counter moves between two of our looks belongs to a live monitor: that is
// reported once (ALERT), and once more when it has gone. No clock is compared (two hosts'
// clocks may differ by hours); a document that stops moving (a crashed monitor) is never
// reported and is deleted once it has been still for ten of its own intervals. The
// collection holds one small document per monitor, so FerretDB v1's full scans cost nothing.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Db } from 'mongodb';
import type { MonitorLogger } from '../types.js';

interface PresenceDoc {
  _id: string;
  host: string;
  pid: number;
  stateDir: string;
  beat: number;
  intervalSeconds: number;
}

interface Seen {
  beat: number;
  /** Our ticks since its beat last moved. */
  still: number;
  alive: boolean;
}

const collectionName = 'monitors';

export class NamespacePresence {
  private readonly id = randomUUID();
  private beat = 0;
  private readonly seen = new Map<string, Seen>();
  private ticking = false;

  constructor(
    private readonly db: () => Promise<Db>,
    private readonly logger: MonitorLogger,
    private readonly me: { namespace: string; stateDir: string; intervalSeconds: number },
  ) {}

  /** One heartbeat and one look at the others; a database that is down is skipped silently. */
  async tick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      const monitors = (await this.db()).collection<PresenceDoc>(collectionName);
      this.beat++;
      await monitors.updateOne(
        { _id: this.id },
        {
          $set: {
            host: hostname(),
            pid: process.pid,
            stateDir: this.me.stateDir,
            beat: this.beat,
            intervalSeconds: this.me.intervalSeconds,
          },
        },
        { upsert: true },
      );
      const others = (await monitors.find({}).toArray()).filter((doc) => doc._id !== this.id);
      const present = new Set<string>();
      for (const doc of others) {
        present.add(doc._id);
        this.look(doc);
        const seen = this.seen.get(doc._id)!;
        const ticksPerTheirs = Math.max(1, Number(doc.intervalSeconds) / this.me.intervalSeconds);
        if (seen.still > 10 * ticksPerTheirs) {
          // Still for ten of its own intervals: a monitor that died without leaving.
          if (seen.alive) this.gone(doc);
          this.seen.delete(doc._id);
          await monitors.deleteOne({ _id: doc._id, beat: doc.beat });
        }
      }
      for (const [id, seen] of this.seen) {
        if (present.has(id)) continue;
        if (seen.alive) this.gone(undefined);
        this.seen.delete(id);
      }
    } catch {
      // The readings writer and the poll report an unreachable database; nothing to add.
    } finally {
      this.ticking = false;
    }
  }

  /** Removes our document (clean stop), best effort. */
  async leave(): Promise<void> {
    try {
      await (await this.db()).collection<PresenceDoc>(collectionName).deleteOne({ _id: this.id });
    } catch {
      /* a crashed monitor's document is cleaned by the others */
    }
  }

  private look(doc: PresenceDoc): void {
    const seen = this.seen.get(doc._id);
    if (!seen) {
      this.seen.set(doc._id, { beat: doc.beat, still: 0, alive: false });
      return;
    }
    if (doc.beat === seen.beat) {
      seen.still++;
      return;
    }
    seen.beat = doc.beat;
    seen.still = 0;
    if (seen.alive) return;
    seen.alive = true;
    this.logger.alert(
      `another monitor writes to namespace "${this.me.namespace}": host ${doc.host}, pid ${doc.pid}, state dir ${doc.stateDir}; every reading may be stored twice; stop one of them or give each its own namespace (reported once)`,
      { host: doc.host, pid: doc.pid },
    );
  }

  private gone(doc: PresenceDoc | undefined): void {
    this.logger.info(
      `the other monitor on namespace "${this.me.namespace}"${doc ? ` (host ${doc.host}, pid ${doc.pid})` : ''} has gone`,
    );
  }
}
