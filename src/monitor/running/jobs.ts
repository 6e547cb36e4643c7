// The monitor's repeating jobs, scheduled once the first configuration is loaded: the
// configuration poll, the namespace presence, the rollups' check for closed hours, retention
// (when configured) and the status file. Their ids go into run.jobs for stop().
import { describeError } from '../../internal/index.js';
import type { ResolvedOptions } from '../options.js';
import type { MonitorLogger } from '../types.js';
import type { Running } from './running.js';
import { refreshStatus, writeStatus } from './status.js';
import { statusCheckSeconds } from '../status/status-change.js';

const retentionCheckSeconds = 3600;
const rollupCheckSeconds = 60;

/** Schedules the jobs of a run whose configuration was just loaded. */
export function scheduleJobs(run: Running, options: ResolvedOptions, logger: MonitorLogger): void {
  const { scheduler, jobs, reloader, presence, rollups } = run;
  jobs.push(scheduler.repeatEvery(options.pollSeconds, () => reloader.poll()));
  jobs.push(scheduler.repeatEvery(options.pollSeconds, () => presence.tick()));
  void presence.tick();
  jobs.push(scheduler.repeatEvery(rollupCheckSeconds, () => rollups.tick()));
  const { rawDays, hourlyDays, dailyDays } = options.retention;
  if (rawDays !== undefined || hourlyDays !== undefined || dailyDays !== undefined)
    jobs.push(scheduler.repeatEvery(retentionCheckSeconds, () => applyRetention(run, options, logger)));
  jobs.push(scheduler.repeatEvery(statusCheckSeconds, () => refreshStatus(run, options.namespace)));
  void writeStatus(run, options.namespace, 'running');
}

async function applyRetention(run: Running, options: ResolvedOptions, logger: MonitorLogger): Promise<void> {
  const { rawDays: days, hourlyDays, dailyDays } = options.retention;
  await run.rollups.applyRetention(hourlyDays, dailyDays);
  if (days === undefined) return;
  try {
    const before = new Date(run.scheduler.now() - days * 86_400_000);
    const readings = (await run.connection.db()).collection('readings');
    const result = await readings.deleteMany({ ts: { $lt: before } });
    if (result.deletedCount > 0)
      logger.info(`retention: deleted ${result.deletedCount} reading(s) older than ${days} day(s)`);
  } catch (error) {
    logger.warning(`retention: cannot delete old readings (${describeError(error)}); will try again`);
  }
}
