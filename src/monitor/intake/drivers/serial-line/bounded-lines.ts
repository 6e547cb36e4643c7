// Splits a byte stream into lines of at most `maxBytes` (issue 17 MEDIUM: a serial line that
// never sends a newline made the readline parser keep 8 MB and rescan it at every chunk). Each
// byte is scanned once, at most `maxBytes` are held, and a line over the limit is dropped up
// to its newline (the caller counts and reports it). Pure: no I/O.

/** A byte-stream line splitter with a maximum line length. */
export class BoundedLines {
  private parts: Buffer[] = [];
  private held = 0;
  private discarding = false;
  /** Bytes scanned so far (each byte once: no rescan of what a line already holds). */
  scannedBytes = 0;
  /** Most bytes held at once so far (never above maxBytes). */
  maxHeldBytes = 0;

  constructor(
    private readonly maxBytes: number,
    /** A complete line, without its `\n` (a `\r` before it is removed too). */
    private readonly onLine: (line: string) => void,
    /** A line grew past maxBytes: what it held is dropped, and so is the rest up to its `\n`. */
    private readonly onTooLong: () => void,
  ) {}

  /** Feeds one chunk as it arrived. */
  push(chunk: Buffer): void {
    this.scannedBytes += chunk.length;
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf(10, start);
      if (newline === -1) {
        this.hold(chunk.subarray(start));
        return;
      }
      this.hold(chunk.subarray(start, newline));
      start = newline + 1;
      if (this.discarding) this.discarding = false;
      else {
        let line = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.held);
        if (line.length > 0 && line[line.length - 1] === 13) line = line.subarray(0, -1);
        this.onLine(line.toString('utf8'));
      }
      this.parts = [];
      this.held = 0;
    }
  }

  private hold(piece: Buffer): void {
    if (this.discarding || piece.length === 0) return;
    if (this.held + piece.length > this.maxBytes) {
      this.parts = [];
      this.held = 0;
      this.discarding = true;
      this.onTooLong();
      return;
    }
    // A copy: a subarray would keep the whole chunk alive while the line waits for its end.
    this.parts.push(Buffer.from(piece));
    this.held += piece.length;
    if (this.held > this.maxHeldBytes) this.maxHeldBytes = this.held;
  }
}
