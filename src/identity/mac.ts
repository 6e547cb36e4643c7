import { describeValue } from '../internal/index.js';
import { DeviceIdentityError } from './errors.js';

const macPattern = /^[0-9a-f]{2}([:-]?)[0-9a-f]{2}(?:\1[0-9a-f]{2}){4}$/i;

/**
 * Normalises a MAC address to lowercase colon form (`bc:ae:c5:71:22:fc`), accepting
 * colons, dashes or no separators. Returns `null` when the text is not a 6-byte MAC.
 */
export function normalizeMac(text: string): string | null {
  const trimmed = text.trim();
  if (!macPattern.test(trimmed)) return null;
  const hex = trimmed.replace(/[:-]/g, '').toLowerCase();
  return hex.match(/../g)!.join(':');
}

/**
 * Why a well-formed MAC cannot identify a device, or `null` when it can:
 * all-zero, broadcast and multicast addresses are never a NIC's own.
 */
export function unusableMacReason(mac: string): string | null {
  if (mac === '00:00:00:00:00:00') return 'all-zero address';
  if (mac === 'ff:ff:ff:ff:ff:ff') return 'broadcast address';
  if (parseInt(mac.slice(0, 2), 16) & 1) return 'multicast address';
  return null;
}

/**
 * The database name for a device: `prefix` + the MAC's 12 hex digits.
 *
 * @example
 * ```ts
 * macToNamespace('bc:ae:c5:71:22:fc'); // 'raspimon_bcaec57122fc'
 * ```
 * @throws DeviceIdentityError (`ERR_INVALID_MAC`) when `mac` is not a usable 6-byte MAC.
 */
export function macToNamespace(mac: string, prefix = 'raspimon_'): string {
  const normalized = typeof mac === 'string' ? normalizeMac(mac) : null;
  if (normalized === null) {
    throw new DeviceIdentityError(
      `macToNamespace: ${describeValue(mac)} is not a MAC address; pass six hex bytes such as 'bc:ae:c5:71:22:fc'.`,
      [],
      'ERR_INVALID_MAC',
    );
  }
  const reason = unusableMacReason(normalized);
  if (reason !== null) {
    throw new DeviceIdentityError(
      `macToNamespace: ${normalized} (${reason}) identifies no device; pass the MAC of a physical NIC.`,
      [],
      'ERR_INVALID_MAC',
    );
  }
  if (typeof prefix !== 'string' || !/^[A-Za-z0-9_-]*$/.test(prefix)) {
    throw new DeviceIdentityError(
      `macToNamespace: prefix ${describeValue(prefix)} may only hold letters, digits, '_' and '-' (it names a MongoDB database).`,
      [],
      'ERR_INVALID_MAC',
    );
  }
  return prefix + normalized.replaceAll(':', '');
}
