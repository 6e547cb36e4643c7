import { afterEach, describe, expect, it } from 'vitest';
import { DeviceIdentityError } from '../../src/errors/index.js';
import {
  getDeviceMac,
  getDeviceNamespace,
  macToNamespace,
  type DeviceIdentityOptions,
} from '../../src/identity/index.js';
import { RaspimonError } from '../../src/errors.js';
import { boards, makeFakeSysfs, type FakeInterface, type FakeSysfs } from '../helpers/fake-sysfs.js';

let tree: FakeSysfs | undefined;
afterEach(() => tree?.dispose());

function onBoard(interfaces: FakeInterface[], options: DeviceIdentityOptions = {}) {
  tree = makeFakeSysfs(interfaces);
  return { ...options, sysfsRoot: tree.root };
}

function identityError(fn: () => unknown): DeviceIdentityError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DeviceIdentityError);
    expect(e).toBeInstanceOf(RaspimonError);
    return e as DeviceIdentityError;
  }
  throw new Error('expected a DeviceIdentityError');
}

describe('getDeviceMac on fake sysfs trees', () => {
  it('a Pi 4 (eth0 + wlan0) is identified by eth0, not Wi-Fi', () => {
    const opts = onBoard([boards.loopback, boards.pi4Eth0, boards.pi4Wlan0]);
    expect(getDeviceMac(opts)).toEqual({ interface: 'eth0', mac: 'dc:a6:32:11:22:33', wired: true });
    expect(getDeviceNamespace(opts)).toBe('raspimon_dca632112233');
  });

  it('a Pi 5 on a recent OS (end0 + wlan0 + docker0 + veth + bridge) is identified by end0', () => {
    const opts = onBoard([
      boards.loopback,
      boards.pi5End0,
      boards.pi5Wlan0,
      boards.docker0,
      boards.veth,
      boards.br0,
    ]);
    expect(getDeviceMac(opts)).toEqual({ interface: 'end0', mac: '2c:cf:67:aa:bb:cc', wired: true });
  });

  it('a Pi Zero 2 W (wlan0 + USB gadget) fails by default, listing why each interface was rejected', () => {
    const opts = onBoard([boards.loopback, boards.zeroWlan0, boards.zeroUsb0]);
    const error = identityError(() => getDeviceNamespace(opts));
    expect(error.code).toBe('ERR_DEVICE_IDENTITY');
    const reasons = Object.fromEntries(error.interfaces.map((i) => [i.name, i.reason]));
    expect(reasons).toEqual({
      lo: 'loopback',
      usb0: 'random address (addr_assign_type 1), changes across reboots',
      wlan0: 'wireless (pass allowWireless: true to use it)',
    });
    expect(error.message).toContain('allowWireless');
    expect(error.message).toContain('wlan0 (b8:27:eb:01:02:03)');
  });

  it('a Pi Zero 2 W uses the Wi-Fi MAC with allowWireless, never the gadget', () => {
    const opts = onBoard([boards.zeroUsb0, boards.zeroWlan0], { allowWireless: true });
    expect(getDeviceMac(opts)).toEqual({ interface: 'wlan0', mac: 'b8:27:eb:01:02:03', wired: false });
  });

  it('a USB gadget with a permanent-looking MAC is still not a NIC', () => {
    const opts = onBoard([{ ...boards.zeroUsb0, addrAssignType: 0 }]);
    const error = identityError(() => getDeviceMac(opts));
    expect(error.interfaces[0]?.reason).toBe('USB gadget link (DEVTYPE=gadget), not a NIC');
  });

  it('an unplugged cable (carrier unreadable) still yields eth0', () => {
    const opts = onBoard([{ ...boards.pi4Eth0, unreadableCarrier: true }, boards.pi4Wlan0]);
    expect(getDeviceMac(opts).interface).toBe('eth0');
  });

  it('two wired NICs: eth0 beats a USB adapter, and end0 beats enx…/eth1', () => {
    const usb = { name: 'eth1', address: '00:e0:4c:68:00:01', physical: 'platform/scb/usb/1-1.3' };
    expect(getDeviceMac(onBoard([usb, boards.pi4Eth0])).interface).toBe('eth0');
    tree?.dispose();
    const enx = { name: 'enx00e04c680001', address: '00:e0:4c:68:00:01', physical: 'platform/usb/1-1' };
    expect(getDeviceMac(onBoard([enx, boards.pi5End0])).interface).toBe('end0');
    tree?.dispose();
    expect(getDeviceMac(onBoard([enx, usb])).interface).toBe('enx00e04c680001');
  });

  it('loopback only: error lists lo as loopback', () => {
    const error = identityError(() => getDeviceMac(onBoard([boards.loopback])));
    expect(error.interfaces).toEqual([
      {
        name: 'lo',
        mac: '00:00:00:00:00:00',
        usable: false,
        chosen: false,
        wired: false,
        reason: 'loopback',
      },
    ]);
  });

  it('an explicit interface is used when it qualifies', () => {
    const usb = { name: 'eth1', address: '00:e0:4c:68:00:01', physical: 'platform/scb/usb/1-1.3' };
    const opts = onBoard([boards.pi4Eth0, usb], { interface: 'eth1' });
    expect(getDeviceNamespace(opts)).toBe('raspimon_00e04c680001');
  });

  it('an explicit interface that is missing or wireless fails and says why', () => {
    const missing = identityError(() => getDeviceMac(onBoard([boards.pi4Eth0], { interface: 'eth7' })));
    expect(missing.message).toContain('interface eth7');
    expect(missing.interfaces.find((i) => i.name === 'eth0')?.reason).toBe(
      'not the requested interface eth7',
    );
    tree?.dispose();
    const wifi = identityError(() =>
      getDeviceMac(onBoard([boards.pi4Eth0, boards.pi4Wlan0], { interface: 'wlan0' })),
    );
    expect(wifi.interfaces.find((i) => i.name === 'wlan0')?.reason).toContain('allowWireless');
  });

  it('rejects bad, zero, broadcast, multicast and random addresses, and virtual devices', () => {
    const phys = (name: string, address: string, extra: Partial<FakeInterface> = {}) => ({
      name,
      address,
      physical: `platform/x/${name}`,
      ...extra,
    });
    const opts = onBoard([
      phys('eth0', '00:00:00:00:00:00'),
      phys('eth1', 'ff:ff:ff:ff:ff:ff'),
      phys('eth2', '01:00:5e:00:00:01'),
      phys('eth3', 'not-a-mac'),
      phys('eth4', 'dc:a6:32:00:00:04', { addrAssignType: 1 }),
      phys('ib0', '80:00:02:08:fe:80:00:00:00:00:00:00:00:02:c9:03:00:0a:5b:11', { type: 32 }),
      phys('can0', '', { type: 280 }),
      { name: 'tap0', address: '6e:11:22:33:44:55', marker: 'tun_flags' as const },
      { name: 'bond0', address: 'dc:a6:32:00:00:09', marker: 'bonding' as const },
      { name: 'eth5' },
    ]);
    const error = identityError(() => getDeviceMac(opts));
    const reasons = Object.fromEntries(error.interfaces.map((i) => [i.name, i.reason]));
    expect(reasons).toEqual({
      bond0: 'virtual bond',
      can0: 'address "" is not a 6-byte MAC',
      eth0: 'all-zero address',
      eth1: 'broadcast address',
      eth2: 'multicast address',
      eth3: 'address "not-a-mac" is not a 6-byte MAC',
      eth4: 'random address (addr_assign_type 1), changes across reboots',
      eth5: 'no readable address',
      ib0: 'address "80:00:02:08:fe:80:00:00:00:00:00:00:00:02:c9:03:00:0a:5b:11" is not a 6-byte MAC',
      tap0: 'virtual tun/tap',
    });
  });

  it('a sysfs root that does not exist gives a clear error', () => {
    const error = identityError(() => getDeviceMac({ sysfsRoot: '/nonexistent/class/net' }));
    expect(error.message).toContain('cannot list network interfaces in /nonexistent/class/net');
  });

  it('the prefix option names the database', () => {
    expect(getDeviceNamespace(onBoard([boards.pi4Eth0], { prefix: 'site7_' }))).toBe('site7_dca632112233');
  });
});

describe('macToNamespace', () => {
  it("turns the seed's example into raspimon_bcaec57122fc, in any common spelling", () => {
    expect(macToNamespace('bc:ae:c5:71:22:fc')).toBe('raspimon_bcaec57122fc');
    expect(macToNamespace('BC-AE-C5-71-22-FC')).toBe('raspimon_bcaec57122fc');
    expect(macToNamespace('bcaec57122fc')).toBe('raspimon_bcaec57122fc');
    expect(macToNamespace(' bc:ae:c5:71:22:fc\n', 'x_')).toBe('x_bcaec57122fc');
  });

  it.each([
    ['bc:ae:c5:71:22', 'is not a MAC address'],
    ['bc:ae:c5:71:22:fc:01', 'is not a MAC address'],
    ['bc:ae-c5:71:22:fc', 'is not a MAC address'],
    ['gg:ae:c5:71:22:fc', 'is not a MAC address'],
    ['', 'is not a MAC address'],
    ['00:00:00:00:00:00', 'all-zero address'],
    ['ff:ff:ff:ff:ff:ff', 'broadcast address'],
  ])('rejects %j with ERR_INVALID_MAC (%s)', (mac, text) => {
    const error = identityError(() => macToNamespace(mac));
    expect(error.code).toBe('ERR_INVALID_MAC');
    expect(error.message).toContain(text);
  });

  it('rejects a prefix that cannot be part of a database name', () => {
    expect(identityError(() => macToNamespace('bc:ae:c5:71:22:fc', 'bad/prefix')).message).toContain(
      'prefix',
    );
  });

  it('rejects a non-string MAC instead of crashing', () => {
    expect(identityError(() => macToNamespace(42 as unknown as string)).code).toBe('ERR_INVALID_MAC');
  });
});

describe("this machine's real /sys/class/net", () => {
  it('chooses a wired NIC, or the error lists every interface with a reason', () => {
    let outcome: string;
    try {
      const found = getDeviceMac();
      outcome = `chose ${found.interface} ${found.mac} (${getDeviceNamespace()})`;
      expect(found.wired).toBe(true);
      expect(getDeviceNamespace()).toMatch(/^raspimon_[0-9a-f]{12}$/);
    } catch (e) {
      const error = e as DeviceIdentityError;
      expect(error).toBeInstanceOf(DeviceIdentityError);
      expect(error.interfaces.length).toBeGreaterThan(0);
      for (const i of error.interfaces) {
        expect(i.reason.length).toBeGreaterThan(0);
        expect(error.message).toContain(`${i.name}`);
      }
      outcome = error.message;
    }
    console.log(`identity on this machine: ${outcome}`);
  });
});

describe('identity options', () => {
  it.each([
    [null, 'options must be an object'],
    [{ allowWireless: 'yes' }, 'options.allowWireless must be a boolean, got "yes" (string)'],
    [{ interface: 0 }, 'options.interface must be a string, got 0 (number)'],
    [{ sysfsRoot: ['/sys'] }, 'options.sysfsRoot must be a string'],
    [{ prefix: 7 }, 'options.prefix must be a string'],
  ])('getDeviceNamespace(%j) throws RaspimonTypeError ERR_INVALID_ARG_TYPE at the call', (options, text) => {
    let caught: unknown;
    try {
      getDeviceNamespace(options as unknown as DeviceIdentityOptions);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(TypeError);
    expect(caught).toBeInstanceOf(RaspimonError);
    expect(caught).toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' });
    expect((caught as Error).message).toContain(text);
  });
});
