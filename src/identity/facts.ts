// What sysfs says of a network interface, and the verdict on it: plain types shared by
// the sysfs reader, the pure choice (select.ts) and DeviceIdentityError. They live apart
// so that errors.ts imports no module that imports it back (mac.ts throws the error).

/** What sysfs says of one network interface (any fact may be unreadable: `null`). */
export interface InterfaceFacts {
  /** Kernel name, e.g. `eth0`, `end0`, `wlan0`, `usb0`. */
  name: string;
  /** ARPHRD type from `type`: 1 is Ethernet (Wi-Fi too), 772 loopback. */
  type: number | null;
  /** Raw text of `address`. */
  address: string | null;
  /** `addr_assign_type`: 0 permanent, 1 random, 2 stolen, 3 set by user space. */
  addrAssignType: number | null;
  /** Has a `device` link and does not live under `devices/virtual/`. */
  physical: boolean;
  /** Has `wireless/` or `phy80211`, or uevent `DEVTYPE=wlan`. */
  wireless: boolean;
  /** `DEVTYPE` from `uevent` (`gadget`, `bridge`, `bond`, `wlan`, `vlan`, ...). */
  devType: string | null;
  /** Kind of virtual device told by its sysfs layout: `bridge`, `bond` or `tun`. */
  virtualKind: string | null;
}

/** Why an interface was or was not used for the device's identity. */
export interface InterfaceVerdict {
  /** Interface name, e.g. `'eth0'` or `'wlan0'`. */
  name: string;
  /** Normalised MAC when readable, else `null`. */
  mac: string | null;
  /** True when it could identify the device; only one is `chosen`. */
  usable: boolean;
  /** True for the one interface whose MAC identifies the device (wired ranked first). */
  chosen: boolean;
  /** True for a usable wired physical NIC; false for wireless and rejected interfaces. */
  wired: boolean;
  /** Why it was accepted or rejected, e.g. `'wired physical NIC'` or `'virtual bridge'`. */
  reason: string;
}
