import { randomFillSync } from 'node:crypto';

const HEX = Array.from({ length: 16 }, (_, i) => i.toString(16).charCodeAt(0));
const ZERO = HEX[0] as number;
const F = HEX[15] as number;
/** The last 12 hex digits (48 bits) count; the 20 before them are random per sequence. */
const COUNTER_START = 24;

/**
 * Job ids: version-4 UUID strings (`xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx`), unique
 * within one sequence and, with 74 random bits per sequence, across sequences. Each
 * Scheduler has its own: a random prefix from the CSPRNG, then a 48-bit counter in the
 * last 12 digits. That costs one flat 36-character string per id (the character codes
 * are kept and only the digits that change are rewritten), where `crypto.randomUUID()`
 * plus its Map entry costs about three times as much time. Ids name jobs; they are not
 * secrets and are not meant to be unguessable.
 */
export class UuidSequence {
  readonly #codes: number[] = new Array<number>(36).fill(45); // '-' at 8, 13, 18 and 23

  constructor() {
    const bytes = randomFillSync(new Uint8Array(10));
    bytes[6] = ((bytes[6] as number) & 0x0f) | 0x40; // version 4
    bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80; // RFC 4122 variant
    let k = 0;
    for (let i = 0; i < 10; i++) {
      if (i === 4 || i === 6 || i === 8) k++;
      const byte = bytes[i] as number;
      this.#codes[k++] = HEX[byte >> 4] as number;
      this.#codes[k++] = HEX[byte & 15] as number;
    }
    for (let i = COUNTER_START; i < 36; i++) this.#codes[i] = ZERO;
  }

  /** The next id, e.g. `'f354b503-581a-48f8-9fe5-000000000001'`. */
  next(): string {
    const codes = this.#codes;
    // Add one to the hex counter in place, like an odometer (2^48 ids before it wraps).
    for (let i = 35; i >= COUNTER_START; i--) {
      const code = codes[i] as number;
      if (code !== F) {
        codes[i] = code === 57 ? 97 : code + 1; // '9' → 'a'
        break;
      }
      codes[i] = ZERO;
    }
    return String.fromCharCode.apply(null, codes);
  }
}
