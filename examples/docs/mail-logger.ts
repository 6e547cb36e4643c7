// docs/mail-logger.md opens with this file (below this line); test/examples/docs.test.ts runs it.
import { MailLoggerClient } from 'raspimon/mail-logger';

// $RASPIMON_MAIL_LOGGER, else unix:///run/raspimon/mail-logger.sock (the daemon's socket)
const logger = MailLoggerClient.open(undefined, { source: 'raspimon_dca632112233' });
logger.config(logger.levels.DEBUG, logger.schedule.SILENTLY); // the seed's defaults
logger.config(logger.levels.INFO, logger.schedule.DAILY);
logger.config(logger.levels.WARNING, logger.schedule.INSTANTANEOUSLY);
logger.info('Information of any kind.'); // in the 08:00 digest
logger.alert('Something very bad happened.', { sensor: 3 }); // mailed at once
await logger.flush({ timeoutSeconds: 5 }); // acknowledged = on the daemon's disk (ERR_FLUSH_TIMEOUT if not)
await logger.close();
