// The whole text of a mail cut to the size limit, gzip-compressed into attachments, split by
// lines into numbered parts when one mail cannot carry it. Pure (zlib is a calculation).
import { gzipSync } from 'node:zlib';

/**
 * Splits `text` by lines into gzip members of at most `firstBytes` (the first) and
 * `restBytes` (the others) compressed bytes, in order: concatenated and gunzipped they give
 * `text` back. One member when it all fits in `firstBytes`.
 */
export function gzipParts(text: string, firstBytes: number, restBytes: number): Buffer[] {
  const whole = gzipSync(text);
  if (whole.length <= firstBytes) return [whole];
  const lines = text.split(/(?<=\n)/);
  const ratio = whole.length / Math.max(1, Buffer.byteLength(text));
  const parts: Buffer[] = [];
  let at = 0;
  while (at < lines.length) {
    const budget = parts.length === 0 ? firstBytes : restBytes;
    // Take lines up to the budget at the whole text's ratio (with a margin), then shrink
    // until the member fits.
    let raw = 0;
    let end = at;
    while (end < lines.length && (raw + Buffer.byteLength(lines[end]!)) * ratio * 1.15 <= budget) {
      raw += Buffer.byteLength(lines[end]!);
      end++;
    }
    let member: Buffer | null = null;
    while (end > at) {
      member = gzipSync(lines.slice(at, end).join(''));
      if (member.length <= budget) break;
      member = null;
      end = end - at === 1 ? at : at + Math.max(1, Math.floor((end - at) * 0.8));
    }
    if (member === null) {
      // One line longer than a part: split by characters (at most 4 bytes each, and gzip
      // adds ~20 bytes to what it cannot shrink), each piece its own member.
      const line = lines[at]!;
      const step = Math.max(1, Math.floor((budget - 64) / 4));
      for (let i = 0; i < line.length; i += step) parts.push(gzipSync(line.slice(i, i + step)));
      at++;
      continue;
    }
    parts.push(member);
    at = end;
  }
  return parts;
}
