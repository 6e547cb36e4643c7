// docs/pino.md opens with this file (below this line); test/examples/docs.test.ts runs it.
import { once } from 'node:events';
import pino from 'pino';
import { createPinoTransport } from 'raspimon/pino';

// To the mail-logger daemon at $RASPIMON_MAIL_LOGGER (else its default socket), in this
// process; `pino.transport({ target: 'raspimon/pino', options })` does the same in a worker.
const stream = createPinoTransport({ source: 'boiler-app' }); // the source is shown in mails
const logger = pino(stream);
logger.info({ sensor: 3 }, 'probe read'); // INFO: in the 08:00 digest
logger.error({ err: new Error('EIO on /dev/ttyUSB0') }, 'boiler probe unplugged'); // mailed at once
stream.end(); // hands what is left to the daemon
await once(stream, 'finish');
