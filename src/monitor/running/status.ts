// One write of `<stateDir>/status.json` from the run's counters and devices.
import { deviceStates } from '../status/device-state.js';
import { statusDocument } from '../status/status-file.js';
import type { Running } from './running.js';
import { monitorStats } from './views.js';

/** Writes the status file as `state`; never rejects (the writer reports a failure once). */
export function writeStatus(run: Running, namespace: string, state: 'running' | 'stopped'): Promise<void> {
  const document = statusDocument({
    namespace,
    state,
    startedAt: run.status.startedAt,
    now: run.scheduler.now(),
    stats: monitorStats(run),
    devices: deviceStates(run.fleet, run.intake),
  });
  return run.status.writer.write(document);
}
