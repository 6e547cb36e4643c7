// The run's writes of `<stateDir>/status.json`: looked at every statusCheckSeconds, written
// when due (a change in health at once, else every statusIntervalSeconds), and once on stop.
import { deviceStates } from '../status/device-state.js';
import { statusDocument, type StatusFile } from '../status/status-file.js';
import type { Running } from './running.js';
import { monitorStats } from './views.js';

function documentOf(run: Running, namespace: string, state: 'running' | 'stopped'): StatusFile {
  return statusDocument({
    namespace,
    state,
    startedAt: run.status.startedAt,
    now: run.scheduler.now(),
    stats: monitorStats(run),
    devices: deviceStates(run.fleet, run.intake),
  });
}

/** The status job: writes the file when due; never rejects (the writer reports a failure once). */
export function refreshStatus(run: Running, namespace: string): Promise<void> {
  const document = documentOf(run, namespace, 'running');
  return run.status.writes.due(document) ? run.status.writer.write(document) : Promise.resolve();
}

/** Writes the status file as `state` now; never rejects. */
export function writeStatus(run: Running, namespace: string, state: 'running' | 'stopped'): Promise<void> {
  const document = documentOf(run, namespace, state);
  run.status.writes.due(document);
  return run.status.writer.write(document);
}
