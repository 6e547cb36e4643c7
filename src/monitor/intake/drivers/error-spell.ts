// A persistent fault is reported once, with counts, not per event: the first failure of a
// spell is an error line, the rest are counted, and the first success after it says how
// many failed and of which kinds.
import type { MonitorLogger } from '../../types.js';

/** Counts one device's failures by kind and reports each spell of them once. */
export class ErrorSpell {
  #inSpell = false;
  #spellCount = 0;
  #spellKinds = new Map<string, number>();
  /** Failures since the driver started, by kind (e.g. `'timeout'`, `'exception'`, `'crc'`). */
  readonly totals = new Map<string, number>();

  constructor(
    private readonly logger: MonitorLogger,
    /** How a spell's counts are worded, e.g. `'failed requests'` or `'bad messages'`. */
    private readonly noun: string,
  ) {}

  /** Whether the device is failing now. */
  get failing(): boolean {
    return this.#inSpell;
  }

  /** Failures in the current spell. */
  get count(): number {
    return this.#spellCount;
  }

  /** Counts a failure; the first of a spell is reported as an error. */
  fail(kind: string, message: string): void {
    this.#spellCount++;
    this.#spellKinds.set(kind, (this.#spellKinds.get(kind) ?? 0) + 1);
    this.totals.set(kind, (this.totals.get(kind) ?? 0) + 1);
    if (this.#inSpell) return;
    this.#inSpell = true;
    this.logger.error(`${message}; further ${this.noun} are counted and reported when it recovers`, {
      kind,
    });
  }

  /** A success: ends the spell, reporting its counts once. */
  ok(): void {
    if (!this.#inSpell) return;
    const kinds = [...this.#spellKinds].map(([kind, n]) => `${kind} ${n}`).join(', ');
    this.logger.info(`recovered after ${this.#spellCount} ${this.noun} (${kinds})`, {
      failures: this.#spellCount,
      kinds: Object.fromEntries(this.#spellKinds),
    });
    this.#inSpell = false;
    this.#spellCount = 0;
    this.#spellKinds = new Map();
  }
}
