// Question: what does composing a digest of 100,000 distinct lines cost in time and peak
// memory (the daemon on a 1 GB Pi)? Goal: under 150 MB RSS and 1 s. Each contender runs in
// its own process (peak RSS is per process), on the same records:
// - raspimon: what the daemon does (composeBody cut to maxMailBytes 1 MiB, then renderBody);
// - raspimon, no size cap: the same rendering of every line (the cached formatter alone);
// - raspimon 0.1: a new Intl.DateTimeFormat per line (the renderer before this change);
// - toLocaleString per line / plain template: naive renderers a user might write.
import { spawnSync } from 'node:child_process';
import { composeBody, escapeHtml, groupRecords, renderBody } from '../src/mail-logger/composition/digest.js';
import type { StoredRecord } from '../src/mail-logger/composition/record.js';
import { newZonedDateTimeFormat } from '../src/internal/index.js';
import { report, type Figure } from './lib/report.js';

const HEADER_ALLOWANCE = 4096;
const ENCODING_GROWTH = 1.4;
const t0 = Date.UTC(2026, 0, 5, 7, 0, 0);

function records(n: number): StoredRecord[] {
  const list: StoredRecord[] = [];
  for (let i = 0; i < n; i++) {
    list.push({
      rid: i + 1,
      source: `raspimon_dca6321122${String(i % 4).padStart(2, '0')}`,
      pid: 1,
      time: t0 + i * 50,
      level: 'INFO',
      schedule: 'DAILY',
      msg: `reading ${i} of sensor ${i % 97}: 21.${i % 10} °C, humidity ${i % 100} %`,
    });
  }
  return list;
}

type Renderer = (list: StoredRecord[]) => number;

/** Renders like the daemon did before: grouping, then a new Intl.DateTimeFormat per line. */
function legacyLine(ms: number, zone: string): string {
  return newZonedDateTimeFormat(zone).format(new Date(ms));
}

function naive(format: (ms: number) => string): Renderer {
  return (list) => {
    const text: string[] = [];
    const html: string[] = [];
    for (const level of groupRecords(list))
      for (const source of level.sources)
        for (const m of source.messages) {
          const when = format(m.first);
          text.push(`  [${when}] ${m.msg}`);
          html.push(`<li><code>${escapeHtml(when)}</code> ${escapeHtml(m.msg)}</li>`);
        }
    return text.join('\n').length + html.join('\n').length;
  };
}

const renderers: Record<string, Renderer> = {
  raspimon: (list) => {
    const maxBytes = Math.floor((1_048_576 - HEADER_ALLOWANCE) / ENCODING_GROWTH);
    const body = composeBody(list, {}, { maxBytes, timeZone: 'Europe/Madrid' });
    const { text, html } = renderBody(body, { maxBytes, timeZone: 'Europe/Madrid' });
    return text.length + html.length;
  },
  'raspimon, no size cap': (list) => {
    const { text, html } = renderBody(composeBody(list, {}), { timeZone: 'Europe/Madrid' });
    return text.length + html.length;
  },
  'raspimon 0.1 (Intl per line)': naive((ms) => legacyLine(ms, 'Europe/Madrid')),
  'toLocaleString per line': naive((ms) =>
    new Date(ms).toLocaleString('sv-SE', { timeZone: 'Europe/Madrid' }),
  ),
  'plain template (ISO, UTC)': naive((ms) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ')),
};

if (process.argv[2] === '--child') {
  const who = process.argv[3]!;
  const n = Number(process.argv[4]);
  const list = records(n);
  const before = process.memoryUsage().rss;
  const start = performance.now();
  const chars = renderers[who]!(list);
  const ms = performance.now() - start;
  const peak = process.resourceUsage().maxRSS * 1024;
  process.stdout.write(JSON.stringify({ ms, peak, before, chars }) + '\n');
  process.exit(0);
}

const figures: Figure[] = [];
const runs: Array<[string, number]> = [
  ['raspimon', 100_000],
  ['raspimon, no size cap', 100_000],
  ['toLocaleString per line', 100_000],
  ['plain template (ISO, UTC)', 100_000],
  ['raspimon 0.1 (Intl per line)', 20_000],
  ['raspimon', 20_000],
];
for (const [who, n] of runs) {
  const child = spawnSync(
    process.execPath,
    ['--import', 'tsx', import.meta.filename, '--child', who, String(n)],
    { encoding: 'utf8', maxBuffer: 1 << 20 },
  );
  if (child.status !== 0) {
    console.error(`${who} (${n}) failed: ${child.stderr}`);
    process.exitCode = 1;
    continue;
  }
  const r = JSON.parse(child.stdout.trim().split('\n').pop()!) as {
    ms: number;
    peak: number;
    before: number;
    chars: number;
  };
  const lines = `${n.toLocaleString('en-US')} distinct lines`;
  figures.push({
    who,
    metric: `time to compose a digest of ${lines}`,
    value: r.ms,
    unit: 'ms',
    lowerIsBetter: true,
  });
  figures.push({
    who,
    metric: `peak RSS of the process composing a digest of ${lines}`,
    value: r.peak / 1e6,
    unit: 'MB',
    lowerIsBetter: true,
  });
  console.log(
    `${who}, ${lines}: ${(r.chars / 1e6).toFixed(2)} M characters rendered; RSS with the records held, before composing: ${(r.before / 1e6).toFixed(0)} MB`,
  );
}
report('mail-logger-digest', figures);
