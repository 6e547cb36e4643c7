// Reads network interface facts from a sysfs tree. Some attributes fail to read on
// some interfaces (EINVAL on `carrier` of a downed link, for one): every read is tolerant.
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import type { InterfaceFacts } from './facts.js';

/** Where Linux lists network interfaces. */
export const defaultSysfsRoot = '/sys/class/net';

function readText(file: string): string | null {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return null;
  }
}

function readInt(file: string): number | null {
  const text = readText(file);
  if (text === null || !/^-?\d+$/.test(text)) return null;
  return Number(text);
}

function ueventField(dir: string, key: string): string | null {
  const text = readText(path.join(dir, 'uevent'));
  const line = text?.split('\n').find((l) => l.startsWith(`${key}=`));
  return line === undefined ? null : line.slice(key.length + 1);
}

function realDir(dir: string): string {
  try {
    return realpathSync(dir);
  } catch {
    return dir;
  }
}

function virtualKind(dir: string, devType: string | null): string | null {
  if (existsSync(path.join(dir, 'bridge')) || devType === 'bridge') return 'bridge';
  if (existsSync(path.join(dir, 'bonding')) || devType === 'bond') return 'bond';
  if (existsSync(path.join(dir, 'tun_flags'))) return 'tun/tap';
  if (devType === 'vlan' || devType === 'macvlan' || devType === 'ipvlan') return devType;
  return null;
}

/** Facts of one interface directory under the sysfs root. */
export function readInterfaceFacts(root: string, name: string): InterfaceFacts {
  const dir = path.join(root, name);
  const devType = ueventField(dir, 'DEVTYPE');
  const resolved = realDir(dir);
  const underVirtual = resolved.split(path.sep).includes('virtual');
  return {
    name,
    type: readInt(path.join(dir, 'type')),
    address: readText(path.join(dir, 'address')),
    addrAssignType: readInt(path.join(dir, 'addr_assign_type')),
    physical: existsSync(path.join(dir, 'device')) && !underVirtual,
    wireless:
      existsSync(path.join(dir, 'wireless')) || existsSync(path.join(dir, 'phy80211')) || devType === 'wlan',
    devType,
    virtualKind: virtualKind(dir, devType),
  };
}

/** Facts of every interface under `root`; `null` when the directory cannot be listed. */
export function readSysfsListing(root: string = defaultSysfsRoot): InterfaceFacts[] | null {
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return null;
  }
  return names.sort().map((name) => readInterfaceFacts(root, name));
}
