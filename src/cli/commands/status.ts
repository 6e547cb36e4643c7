// `raspimon status`: what the running monitor is doing, from the status file it keeps in its
// state dir (per device last reading and its age, errors, skipped readings; spool; database).
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { statusFileName, type StatusFile } from '../../tools/index.js';
import { globalFlagsHelp, sharedFlags, type Command, type CommandContext } from '../command.js';
import { StatusUnavailableError } from '../errors.js';
import { formatJson, formatTable } from '../output.js';

const statusUsage = `Usage: raspimon status [--state-dir <dir>] [--json]

Shows what the running monitor of this namespace is doing, from the status file it
writes into its state dir (${statusFileName}) within 10 s of a change in health and
otherwise every 30 s: per device the last reading and its age, errors and the last
one, readings it produced that were not stored; the spool; whether the database is
reachable. No database is needed.

Exit status: 0 the monitor runs; 1 no status file, or the monitor stopped or stopped
writing it (stale).

  --state-dir <dir>         the monitor's state dir (default: the first that has a status
                            file of $STATE_DIRECTORY/<namespace>,
                            /var/lib/raspimon/monitor/<namespace> (the systemd unit's),
                            ~/.local/state/raspimon/<namespace>)
  --json                    print the status file as it is, with ageSeconds added

${globalFlagsHelp}`;

/** Where a monitor of `namespace` keeps its state, in the order the Monitor's default picks. */
function candidateDirs(context: CommandContext, namespace: string): string[] {
  const given = context.values.string('state-dir');
  if (given !== undefined) return [path.resolve(context.io.cwd, given)];
  const fromEnv = context.io.env.STATE_DIRECTORY?.split(':')[0];
  return [
    ...(fromEnv ? [path.join(fromEnv, namespace)] : []),
    path.join('/var/lib/raspimon/monitor', namespace),
    path.join(context.io.env.HOME ?? homedir(), '.local', 'state', 'raspimon', namespace),
  ];
}

async function readStatus(files: readonly string[]): Promise<{ file: string; status: StatusFile }> {
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') continue;
      throw new StatusUnavailableError(
        `cannot read ${file} (${code ?? String(error)}); run as the monitor's user`,
        {
          cause: error,
        },
      );
    }
    let status: StatusFile;
    try {
      status = JSON.parse(text) as StatusFile;
    } catch (error) {
      throw new StatusUnavailableError(`${file} is not JSON (${(error as Error).message})`, { cause: error });
    }
    if (status.format !== 'raspimon-status/1')
      throw new StatusUnavailableError(
        `${file} is not a raspimon status file (format ${JSON.stringify(status.format)})`,
      );
    return { file, status };
  }
  throw new StatusUnavailableError(
    `no status file: looked for ${files.join(', ')}; is the monitor running (it writes one at least every 30 s), or pass --state-dir <dir>`,
  );
}

/** `3 s`, `4 min`, `2 h`, `3 d`. */
function age(seconds: number): string {
  if (seconds < 120) return `${Math.max(0, Math.round(seconds))} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86_400)} d`;
}

function bytes(n: number): string {
  return n < 1024
    ? `${n} B`
    : n < 1_048_576
      ? `${(n / 1024).toFixed(1)} kB`
      : `${(n / 1_048_576).toFixed(1)} MB`;
}

const status: Command = {
  words: ['status'],
  summary: 'what the running monitor is doing (last readings, errors, spool, database)',
  usage: statusUsage,
  flags: { 'state-dir': { type: 'string' }, ...sharedFlags.json },
  async run(context) {
    const namespace = context.namespace();
    const { file, status } = await readStatus(
      candidateDirs(context, namespace).map((d) => path.join(d, statusFileName)),
    );
    const now = (context.io.now ?? Date.now)();
    const since = (iso: string | null): number | undefined =>
      iso === null ? undefined : (now - Date.parse(iso)) / 1000;
    const updated = since(status.updatedAt) ?? 0;
    const stale = status.state === 'running' && updated > 3 * status.intervalSeconds;
    if (context.values.flag('json')) {
      context.print(formatJson({ ...status, file, ageSeconds: updated }));
    } else {
      const { stats } = status;
      const state =
        status.state === 'stopped'
          ? `stopped (cleanly, ${age(updated)} ago)`
          : stale
            ? `not writing its status for ${age(updated)} (pid ${status.pid}): crashed or hung?`
            : `running, pid ${status.pid}, since ${status.startedAt}`;
      context.print(
        `monitor of ${status.namespace}: ${state}\n` +
          `database: ${status.databaseConnected ? 'connected' : 'UNREACHABLE (readings are spooled)'}; ` +
          `spool: ${status.spool.readings} reading(s), ${bytes(status.spool.bytes)}; ` +
          `written ${stats.written}, queued ${stats.queued}, dropped ${stats.dropped + stats.spoolDropped + stats.memoryDropped}\n` +
          `(${file}, updated ${age(updated)} ago)\n\n` +
          formatTable(
            status.devices,
            [
              { header: 'ID', value: (d) => String(d.id), right: true },
              { header: 'NAME', value: (d) => d.name },
              { header: 'DRIVER', value: (d) => d.driver },
              {
                header: 'LAST READING',
                value: (d) => (d.lastReadingAt === null ? 'none yet' : `${age(since(d.lastReadingAt)!)} ago`),
              },
              { header: 'READINGS', value: (d) => String(d.accepted), right: true },
              { header: 'ERRORS', value: (d) => String(d.errors), right: true },
              {
                header: 'SKIPPED',
                value: (d) =>
                  String(
                    d.rejected.notInteger +
                      d.rejected.unknownKey +
                      d.rejected.malformed +
                      (d.rejected.timestamp ?? 0),
                  ),
                right: true,
              },
              {
                header: 'LAST ERROR',
                maxWidth: 100,
                value: (d) =>
                  d.lastError === null
                    ? ''
                    : `${age(since(d.lastError.at)!)} ago, ${d.lastError.stage}: ${d.lastError.message}`.slice(
                        0,
                        100,
                      ),
              },
            ],
            'no devices running',
          ),
      );
    }
    if (status.state === 'stopped')
      throw new StatusUnavailableError(`the monitor of ${status.namespace} is stopped`);
    if (stale)
      throw new StatusUnavailableError(
        `the status file is ${age(updated)} old (written every ${status.intervalSeconds} s): the monitor is not running or is stuck; see journalctl -u raspimon-monitor`,
      );
  },
};

/** The `status` command. */
export const statusCommands: readonly Command[] = [status];
