// `raspimon rollups rebuild`: recomputes readings_hourly and readings_daily from raw readings.
import { rebuildRollups } from '../../tools/index.js';
import { globalFlagsHelp, sharedFlags, type Command } from '../command.js';
import { databaseOperation } from '../database.js';
import { CliUsageError } from '../errors.js';
import { formatJsonLine } from '../output.js';
import { parseTimeFlag } from './readings.js';

/** Usage of the `rollups` group. */
export const rollupsUsage = `Usage: raspimon rollups rebuild --from <t> --to <t>

  rebuild                   recompute the hourly and daily rollups of a range from raw readings

Run raspimon rollups rebuild --help for its flags.

${globalFlagsHelp}`;

const rebuildUsage = `Usage: raspimon rollups rebuild --from <t> --to <t> [--json]

Recomputes readings_hourly and readings_daily for the whole UTC days covering the range
from the raw readings (one scan of them): the buckets there are deleted, then inserted
again. Use it after an upgrade (history from before the rollups), after \`rollups: … stored
after its hour was written\` warnings, or after editing raw readings by hand.

  --from <t>, --to <t>      ISO 8601 (2026-11-25 or 2026-11-25T08:00Z) or epoch seconds
  --json                    print the result as one JSON object

${globalFlagsHelp}`;

const rebuild: Command = {
  words: ['rollups', 'rebuild'],
  summary: 'recompute hourly/daily rollups of a range from raw readings',
  usage: rebuildUsage,
  flags: { from: { type: 'string' }, to: { type: 'string' }, ...sharedFlags.json },
  async run(context) {
    const fromText = context.values.string('from');
    const toText = context.values.string('to');
    if (fromText === undefined || toText === undefined)
      throw new CliUsageError('--from and --to are required', context.usage);
    const fromMs = parseTimeFlag(fromText, 'from', context.usage);
    const toMs = parseTimeFlag(toText, 'to', context.usage);
    if (toMs <= fromMs) throw new CliUsageError(`--to must be after --from`, context.usage);
    const db = await context.db();
    const result = await databaseOperation('rebuild the rollups', () =>
      rebuildRollups(db, { from: new Date(fromMs), to: new Date(toMs) }),
    );
    if (context.values.flag('json')) {
      context.print(
        formatJsonLine({ ...result, from: result.from.toISOString(), to: result.to.toISOString() }),
      );
      return;
    }
    context.print(
      `rollups rebuilt for ${result.from.toISOString()} to ${result.to.toISOString()}: ${result.readings} reading(s) → ${result.hourly} hourly and ${result.daily} daily bucket(s)\n`,
    );
  },
};

/** The `rollups` commands. */
export const rollupsCommands: readonly Command[] = [rebuild];
