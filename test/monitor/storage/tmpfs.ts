// A tiny tmpfs for disk-full faults (the tests run as root, as CI does). Always unmount.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A mounted tmpfs of `sizeKiB`; `unmount()` unmounts and removes the mount point. */
export function mountTmpfs(sizeKiB: number): { dir: string; unmount(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'raspimon-tmpfs-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKiB}k,mode=0755`, 'tmpfs', dir]);
  return {
    dir,
    unmount() {
      execFileSync('umount', ['-l', dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
