// How every command that writes ends: refuse a bad `--reload` pidfile before writing
// anything, write, then signal the monitor (or say when it will notice by itself).
import type { CommandContext } from './command.js';
import { ConfigRejectedError } from './errors.js';
import { monitorPid, signalReload } from './reload.js';

/**
 * Throws ConfigRejectedError listing `problems` when there are any. `why` completes
 * "refused to <what>: <why>; nothing was written".
 */
export function refuseIf(problems: readonly string[], what: string, why = 'the monitor would skip it'): void {
  if (problems.length === 0) return;
  throw new ConfigRejectedError(`refused to ${what}: ${why}; nothing was written`, problems);
}

/**
 * Runs `write` (which returns the line to print) and then reloads the monitor when
 * `--reload <pidfile>` was given. The pidfile is checked first, so a missing or stale one
 * means nothing was written.
 */
export async function commitChange(context: CommandContext, write: () => Promise<string>): Promise<void> {
  const pidfile = context.values.string('reload');
  const signaller = context.io.signaller ?? process;
  if (pidfile !== undefined) await monitorPid(pidfile, signaller);
  context.print(`${await write()}\n`);
  if (pidfile !== undefined) {
    const pid = await signalReload(pidfile, signaller);
    context.print(`sent SIGHUP to the monitor (pid ${pid}): it reloads its configuration now\n`);
  } else {
    context.io.stderr.write(
      'the monitor applies this at its next poll (pollSeconds, default 60 s); to apply it now pass --reload <pidfile> or run systemctl reload <unit>\n',
    );
  }
}
