import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** One interface of a fake `/sys/class/net`. */
export interface FakeInterface {
  name: string;
  address?: string;
  /** ARPHRD type; 1 = Ethernet. @default 1 */
  type?: number;
  /** @default 0 (permanent) */
  addrAssignType?: number;
  /** Physical device path under `devices/` (gets a `device` link); omit for a virtual one. */
  physical?: string;
  wireless?: boolean;
  devType?: string;
  /** Extra directories that mark a virtual kind: `bridge`, `bonding`, or the `tun_flags` file. */
  marker?: 'bridge' | 'bonding' | 'tun_flags';
  /** Make `carrier` unreadable (a directory, so reading it fails as EINVAL does on a real downed link). */
  unreadableCarrier?: boolean;
}

/** A temp tree shaped like sysfs: `root` is its `class/net`; `dispose()` deletes it. */
export interface FakeSysfs {
  root: string;
  dispose(): void;
}

/**
 * Builds a sysfs-like tree with real directories and symlinks: physical interfaces live
 * under `devices/<physical>/net/<name>` with a `device` link, virtual ones under
 * `devices/virtual/net/<name>`, and `class/net/<name>` links to them, as on Linux.
 */
export function makeFakeSysfs(interfaces: readonly FakeInterface[]): FakeSysfs {
  const sys = mkdtempSync(path.join(tmpdir(), 'raspimon-sysfs-'));
  const classNet = path.join(sys, 'class/net');
  mkdirSync(classNet, { recursive: true });
  for (const i of interfaces) {
    const deviceDir = i.physical ? path.join(sys, 'devices', i.physical) : null;
    const netDir = deviceDir
      ? path.join(deviceDir, 'net', i.name)
      : path.join(sys, 'devices/virtual/net', i.name);
    mkdirSync(netDir, { recursive: true });
    if (i.address !== undefined) writeFileSync(path.join(netDir, 'address'), `${i.address}\n`);
    writeFileSync(path.join(netDir, 'type'), `${i.type ?? 1}\n`);
    writeFileSync(path.join(netDir, 'addr_assign_type'), `${i.addrAssignType ?? 0}\n`);
    const uevent = [`INTERFACE=${i.name}`, ...(i.devType ? [`DEVTYPE=${i.devType}`] : [])];
    writeFileSync(path.join(netDir, 'uevent'), uevent.join('\n') + '\n');
    if (i.unreadableCarrier) mkdirSync(path.join(netDir, 'carrier'));
    else writeFileSync(path.join(netDir, 'carrier'), '1\n');
    if (deviceDir) symlinkSync(path.relative(netDir, deviceDir), path.join(netDir, 'device'));
    if (i.wireless) mkdirSync(path.join(netDir, 'wireless'));
    if (i.marker === 'tun_flags') writeFileSync(path.join(netDir, 'tun_flags'), '0x1002\n');
    else if (i.marker) mkdirSync(path.join(netDir, i.marker));
    symlinkSync(path.relative(classNet, netDir), path.join(classNet, i.name));
  }
  return { root: classNet, dispose: () => rmSync(sys, { recursive: true, force: true }) };
}

/** Interfaces seen on real boards, for reuse across tests. */
export const boards = {
  loopback: { name: 'lo', address: '00:00:00:00:00:00', type: 772 },
  pi4Eth0: { name: 'eth0', address: 'dc:a6:32:11:22:33', physical: 'platform/scb/fd580000.ethernet' },
  pi4Wlan0: {
    name: 'wlan0',
    address: 'dc:a6:32:11:22:34',
    physical: 'platform/soc/fe300000.mmcnr/mmc_host/mmc1/mmc1:0001/mmc1:0001:1',
    wireless: true,
    devType: 'wlan',
  },
  pi5End0: { name: 'end0', address: '2c:cf:67:aa:bb:cc', physical: 'platform/axi/1f00100000.ethernet' },
  pi5Wlan0: {
    name: 'wlan0',
    address: '2c:cf:67:aa:bb:cd',
    physical: 'platform/axi/1000110000.pcie/mmc1:0001:1',
    wireless: true,
    devType: 'wlan',
  },
  docker0: {
    name: 'docker0',
    address: '02:42:ac:11:00:01',
    addrAssignType: 3,
    marker: 'bridge',
    devType: 'bridge',
  },
  veth: { name: 'veth1a2b3c', address: '9a:3c:11:22:33:44', addrAssignType: 3 },
  br0: { name: 'br0', address: '5e:11:22:33:44:55', addrAssignType: 3, marker: 'bridge', devType: 'bridge' },
  zeroWlan0: {
    name: 'wlan0',
    address: 'b8:27:eb:01:02:03',
    physical: 'platform/soc/20300000.mmcnr/mmc_host/mmc1/mmc1:0001/mmc1:0001:1',
    wireless: true,
    devType: 'wlan',
  },
  zeroUsb0: {
    name: 'usb0',
    address: '7a:11:22:33:44:55',
    addrAssignType: 1,
    physical: 'platform/soc/20980000.usb/gadget.0',
    devType: 'gadget',
  },
} satisfies Record<string, FakeInterface>;
