// What an emulated program holds resident, without qemu (bench/arm64-weight.bench.ts).
// The host sees a qemu-user process whose RSS adds qemu's own pages (its binary, heap,
// translated-code buffer) to the program's. qemu-user maps guest memory at the same host
// addresses (guest_base 0), but V8 places its heap pages at random addresses, interleaved
// with qemu's, so no address line separates them. The guest's /proc/self/maps, which qemu
// emulates, lists exactly the guest's mappings (bench/arm64-weight/heap-probe.ts copies it
// out): the resident pages of the host mappings those ranges cover are the program's.
// For a native process the same sum is its whole RSS, which the bench checks.
import { readFileSync } from 'node:fs';

type Range = [start: bigint, end: bigint];

function ranges(maps: string): Range[] {
  const out: Range[] = [];
  for (const line of maps.split('\n')) {
    const m = /^([0-9a-f]+)-([0-9a-f]+) /.exec(line);
    if (m) out.push([BigInt(`0x${m[1]}`), BigInt(`0x${m[2]}`)]);
  }
  return out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

function overlaps(sorted: Range[], [start, end]: Range): boolean {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]![1] <= start) lo = mid + 1;
    else hi = mid;
  }
  // sorted[lo] is the first range ending after `start`: it overlaps if it begins before `end`.
  return lo < sorted.length && sorted[lo]![0] < end;
}

/**
 * Resident bytes of `pid`'s host mappings that overlap the ranges in `guestMapsFile` (a copy
 * of the guest's /proc/self/maps); undefined when either cannot be read.
 */
export function guestResidentBytes(pid: number, guestMapsFile: string): number | undefined {
  let smaps: string;
  let guest: Range[];
  try {
    smaps = readFileSync(`/proc/${pid}/smaps`, 'utf8');
    guest = ranges(readFileSync(guestMapsFile, 'utf8'));
  } catch {
    return undefined;
  }
  let counted = false;
  let kb = 0;
  for (const line of smaps.split('\n')) {
    const m = /^([0-9a-f]+)-([0-9a-f]+) /.exec(line);
    if (m) counted = overlaps(guest, [BigInt(`0x${m[1]}`), BigInt(`0x${m[2]}`)]);
    else if (counted && line.startsWith('Rss:')) kb += Number(/(\d+) kB/.exec(line)?.[1] ?? 0);
  }
  return kb * 1024;
}
