// docs/identity.md opens with this file (below this line); test/examples/docs.test.ts runs it.
import { DeviceIdentityError } from 'raspimon';
import { getDeviceMac, getDeviceNamespace } from 'raspimon/identity';

try {
  console.log(getDeviceNamespace()); // e.g. raspimon_dca632112233
  console.log(getDeviceMac()); // { interface: 'eth0', mac: 'dc:a6:32:11:22:33', wired: true, … }
} catch (error) {
  if (!(error instanceof DeviceIdentityError)) throw error;
  console.error(`${error.code}: ${error.message}`); // no wired NIC: the message says what to do
  process.exitCode = 1;
}
