// `raspimon check`: the integrity report of Monitor.check() (configuration problems and
// orphan readings) without starting a monitor.
import { checkIntegrity } from '../../tools/index.js';
import { type IntegrityReport } from '../../monitor/index.js';
import { globalFlagsHelp, sharedFlags, type Command } from '../command.js';
import { describeProblem } from '../config-change.js';
import { databaseOperation } from '../database.js';
import { IntegrityProblemsError } from '../errors.js';
import { formatJson } from '../output.js';

const checkUsage = `Usage: raspimon check [--json] [--drivers <module>]

Checks the configuration as the monitor does (duplicate ids/names, unknown drivers,
invalid configs, references to unknown keys) and finds readings whose (device, key)
pair the configuration does not know. Same report as Monitor.check().

Exit status: 0 when all is well, 1 when something was found.

  --json                    print the report as JSON
  --drivers <module>        module exporting your custom drivers (see devices add)

${globalFlagsHelp}`;

function formatReport(namespace: string, report: IntegrityReport): string {
  const lines = [
    `${namespace}: ${report.devices} valid device(s), ${report.keys} key(s), ${report.readings} reading(s)`,
  ];
  if (report.problems.length > 0) {
    lines.push(`configuration problems (${report.problems.length}):`);
    for (const p of report.problems) lines.push(`  ${describeProblem(p)}`);
  }
  if (report.orphanReadings.length > 0) {
    lines.push(`orphan readings (${report.orphanReadings.length} group(s)):`);
    for (const o of report.orphanReadings)
      lines.push(`  device ${o.id}, key ${o.keyId}: ${o.count} reading(s), ${o.reason}`);
  }
  if (report.problems.length === 0 && report.orphanReadings.length === 0) lines.push('no problems found');
  return lines.join('\n') + '\n';
}

const check: Command = {
  words: ['check'],
  summary: 'integrity report: configuration problems and orphan readings',
  usage: checkUsage,
  flags: { ...sharedFlags.json, ...sharedFlags.drivers },
  async run(context) {
    const db = await context.configurationDb();
    const drivers = await context.drivers();
    const report = await databaseOperation('read the configuration and readings', () =>
      checkIntegrity(db, { drivers }),
    );
    context.print(
      context.values.flag('json') ? formatJson(report) : formatReport(context.namespace(), report),
    );
    const found = report.problems.length + report.orphanReadings.length;
    if (found > 0)
      throw new IntegrityProblemsError(
        `check found ${report.problems.length} configuration problem(s) and ${report.orphanReadings.length} orphan reading group(s)`,
      );
  },
};

/** The `check` command. */
export const checkCommands: readonly Command[] = [check];
