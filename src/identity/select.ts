// Pure choice of the identity interface from facts read off sysfs: no I/O here.
import type { InterfaceFacts, InterfaceVerdict } from './facts.js';
import { normalizeMac, unusableMacReason } from './mac.js';

/** Options that steer the choice (see `getDeviceMac`). */
export interface SelectOptions {
  interface?: string | undefined;
  allowWireless?: boolean | undefined;
}

const preferredWired = ['eth0', 'end0'];

function judge(facts: InterfaceFacts, allowWireless: boolean): Omit<InterfaceVerdict, 'chosen'> {
  const mac = facts.address === null ? null : normalizeMac(facts.address);
  const reject = (reason: string) => ({ name: facts.name, mac, usable: false, wired: false, reason });
  if (facts.name === 'lo' || facts.type === 772) return reject('loopback');
  if (mac === null) {
    return reject(
      facts.address === null ? 'no readable address' : `address "${facts.address}" is not a 6-byte MAC`,
    );
  }
  const macProblem = unusableMacReason(mac);
  if (macProblem !== null) return reject(macProblem);
  if (facts.addrAssignType === 1)
    return reject('random address (addr_assign_type 1), changes across reboots');
  if (facts.devType === 'gadget') return reject('USB gadget link (DEVTYPE=gadget), not a NIC');
  if (facts.virtualKind !== null) return reject(`virtual ${facts.virtualKind}`);
  if (!facts.physical) return reject('virtual interface (no physical device)');
  if (facts.type !== 1) return reject(`not Ethernet (type ${facts.type ?? 'unreadable'})`);
  if (facts.wireless) {
    return allowWireless
      ? { name: facts.name, mac, usable: true, wired: false, reason: 'wireless, allowed by allowWireless' }
      : reject('wireless (pass allowWireless: true to use it)');
  }
  return { name: facts.name, mac, usable: true, wired: true, reason: 'wired physical NIC' };
}

function rank(v: Omit<InterfaceVerdict, 'chosen'>): [number, string] {
  if (!v.wired) return [3, v.name];
  const preferred = preferredWired.indexOf(v.name);
  return [preferred === -1 ? 2 : preferred, v.name];
}

function compareRank(a: [number, string], b: [number, string]): number {
  return a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0);
}

/**
 * Judges every interface and picks the identity one: the named `interface` if given,
 * else `eth0`, then `end0`, then other wired NICs by name, then (only with
 * `allowWireless`) Wi-Fi by name. Returns the verdicts sorted by name; at most one
 * has `chosen: true`.
 */
export function selectIdentityInterface(
  listing: readonly InterfaceFacts[],
  options: SelectOptions = {},
): InterfaceVerdict[] {
  const allowWireless = options.allowWireless === true;
  const judged = listing.map((facts) => judge(facts, allowWireless));
  let candidates = judged.filter((v) => v.usable);
  if (options.interface !== undefined) {
    for (const v of judged) {
      if (v.usable && v.name !== options.interface)
        v.reason = `not the requested interface ${options.interface}`;
    }
    candidates = candidates.filter((v) => v.name === options.interface);
  }
  const best = [...candidates].sort((a, b) => compareRank(rank(a), rank(b)))[0];
  return judged
    .map((v) => ({
      ...v,
      usable: v.usable && (options.interface === undefined || v.name === options.interface),
      chosen: v === best,
    }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
