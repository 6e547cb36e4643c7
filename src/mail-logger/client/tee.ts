// What the client writes to stderr (the `tee` option) while the daemon cannot be reached:
// the condition once, with counts, and the warnings/errors/alerts that cannot be mailed yet,
// so a Pi whose daemon is down is not silent in journalctl.
import type { BufferedRecord } from './buffer.js';

// Records shown per spell of unreachability; the rest are counted.
const SHOWN_PER_SPELL = 50;

/** The spells during which the daemon cannot be reached, as the tee reports them. */
export class UndeliveredTee {
  private spell: { shown: number; untold: number } | null = null;

  constructor(
    private readonly write: ((line: string) => void) | null,
    /** Where the daemon is, for the messages. */
    private readonly where: () => string,
  ) {}

  /** True while the daemon is known to be unreachable. */
  get active(): boolean {
    return this.spell !== null;
  }

  /** A connection attempt failed: says so once and shows what is held. */
  unreachable(reason: string, held: readonly BufferedRecord[], heldCount: number): void {
    if (this.spell !== null) return;
    this.spell = { shown: 0, untold: 0 };
    this.write?.(
      `the daemon at ${this.where()} cannot be reached (${reason}); ${heldCount} record(s) held, ` +
        'sent when it is back (is raspimon-mail-logger running?). Warnings and errors follow here meanwhile',
    );
    for (const record of held) this.record(record);
  }

  /** A record logged while unreachable: shown if it is a warning or worse (up to the cap). */
  record(record: BufferedRecord): void {
    const spell = this.spell;
    if (spell === null || this.write === null) return;
    if (record.dropCount !== undefined || record.level === 'DEBUG' || record.level === 'INFO') return;
    if (spell.shown >= SHOWN_PER_SPELL) {
      spell.untold++;
      return;
    }
    spell.shown++;
    this.write(`[${record.level}] ${record.msg}${record.ctxJson === undefined ? '' : ` ${record.ctxJson}`}`);
  }

  /** The daemon answered again. */
  reachable(heldCount: number, droppedTotal: number): void {
    const spell = this.spell;
    if (spell === null) return;
    this.spell = null;
    this.write?.(
      `the daemon at ${this.where()} is reachable again; sending ${heldCount} held record(s)` +
        this.untold(spell.untold) +
        (droppedTotal > 0 ? `; ${droppedTotal} dropped by the full buffer so far` : ''),
    );
  }

  /** The client closed while the daemon was unreachable. */
  closed(heldCount: number): void {
    const spell = this.spell;
    if (spell === null || heldCount === 0) return;
    this.write?.(
      `closed with ${heldCount} record(s) never delivered to the daemon at ${this.where()}${this.untold(spell.untold)}`,
    );
  }

  private untold(count: number): string {
    return count > 0 ? ` (${count} more warning(s)/error(s) were not shown here)` : '';
  }
}
