import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** What a fake Pi exposes; each part left out is absent, as on a machine without it. */
export interface FakePiHealth {
  /** Hex digits in `get_throttled`, e.g. `'50005'`. */
  throttled?: string;
  /** Put the firmware node where a Pi 5 has it (not under `soc/soc:firmware`). */
  pi5Layout?: boolean;
  /** `/proc/net/dev` lines per interface: `[rxBytes, txBytes]`. */
  net?: Record<string, [number, number]>;
  /** `/proc/net/wireless`: interface → [link quality, signal dBm]. */
  wireless?: Record<string, [number, number]>;
  /** A fake `vcgencmd` printing `throttled=0x…` with this value. */
  vcgencmd?: string;
}

/** A fake `/sys` and `/proc` (temp dirs) for the system driver; `dispose()` deletes them. */
export function makeFakePiHealth(health: FakePiHealth): {
  sysRoot: string;
  procRoot: string;
  vcgencmd: string;
  dispose(): void;
} {
  const root = mkdtempSync(path.join(tmpdir(), 'raspimon-pi-health-'));
  const sysRoot = path.join(root, 'sys');
  const procRoot = path.join(root, 'proc');
  mkdirSync(path.join(sysRoot, 'devices/platform'), { recursive: true });
  mkdirSync(path.join(procRoot, 'net'), { recursive: true });
  if (health.throttled !== undefined) {
    const node = health.pi5Layout ? 'soc@107c000000/soc@107c000000:firmware' : 'soc/soc:firmware';
    const dir = path.join(sysRoot, 'devices/platform', node);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'get_throttled'), `${health.throttled}\n`);
  }
  if (health.net) {
    const lines = [
      'Inter-|   Receive                                                |  Transmit',
      ' face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed',
      ...Object.entries(health.net).map(
        ([name, [rx, tx]]) => `${name.padStart(6)}: ${rx} 100 0 0 0 0 0 0 ${tx} 90 0 0 0 0 0 0`,
      ),
    ];
    writeFileSync(path.join(procRoot, 'net/dev'), lines.join('\n') + '\n');
  }
  if (health.wireless) {
    const lines = [
      'Inter-| sta-|   Quality        |   Discarded packets               | Missed | WE',
      ' face | tus | link level noise |  nwid  crypt   frag  retry   misc | beacon | 22',
      ...Object.entries(health.wireless).map(
        ([name, [quality, signal]]) =>
          `${name}: 0000   ${quality}.  ${signal}.  -256        0      0      0      0      0        0`,
      ),
    ];
    writeFileSync(path.join(procRoot, 'net/wireless'), lines.join('\n') + '\n');
  }
  const vcgencmd = path.join(root, 'vcgencmd');
  if (health.vcgencmd !== undefined) {
    writeFileSync(vcgencmd, `#!/bin/sh\n[ "$1" = get_throttled ] && echo throttled=0x${health.vcgencmd}\n`);
    chmodSync(vcgencmd, 0o755);
  }
  return { sysRoot, procRoot, vcgencmd, dispose: () => rmSync(root, { recursive: true, force: true }) };
}
