// Pure grouping and rendering of mails: no I/O, no clock (times come in).
import { levelRank, type Level } from './levels.js';
import type { StoredRecord } from './record.js';

/** Repeats of one message from one source at one level, collapsed. */
export interface MessageGroup {
  msg: string;
  count: number;
  /** Epoch ms of the first and last occurrence. */
  first: number;
  last: number;
  /** Context of the last occurrence, if any. */
  ctx: Record<string, unknown> | undefined;
}

export interface SourceGroup {
  source: string;
  count: number;
  messages: MessageGroup[];
}

export interface LevelGroup {
  level: Level;
  count: number;
  sources: SourceGroup[];
}

export interface MailContent {
  subject: string;
  text: string;
  html: string;
}

export interface RenderInput {
  kind: 'instant' | 'daily' | 'weekly';
  records: readonly StoredRecord[];
  /** Records dropped by full client buffers, per source, to report in this mail. */
  dropped: Readonly<Record<string, number>>;
  /** IANA zone for the times shown; default: the process's. */
  timeZone?: string | undefined;
}

/** Groups by level (most severe first), then source (A–Z), then identical message. */
export function groupRecords(records: readonly StoredRecord[]): LevelGroup[] {
  const byLevel = new Map<Level, Map<string, Map<string, MessageGroup>>>();
  for (const r of records) {
    let sources = byLevel.get(r.level);
    if (!sources) byLevel.set(r.level, (sources = new Map<string, Map<string, MessageGroup>>()));
    let messages = sources.get(r.source);
    if (!messages) sources.set(r.source, (messages = new Map<string, MessageGroup>()));
    const group = messages.get(r.msg);
    if (group) {
      group.count++;
      if (r.time < group.first) group.first = r.time;
      if (r.time >= group.last) {
        group.last = r.time;
        if (r.ctx !== undefined) group.ctx = r.ctx;
      }
    } else {
      messages.set(r.msg, { msg: r.msg, count: 1, first: r.time, last: r.time, ctx: r.ctx });
    }
  }
  return [...byLevel.entries()]
    .sort((a, b) => levelRank(b[0]) - levelRank(a[0]))
    .map(([level, sources]) => {
      const sourceGroups = [...sources.entries()]
        .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
        .map(([source, messages]) => {
          const list = [...messages.values()].sort((a, b) => a.first - b.first);
          return { source, count: list.reduce((n, m) => n + m.count, 0), messages: list };
        });
      return { level, count: sourceGroups.reduce((n, s) => n + s.count, 0), sources: sourceGroups };
    });
}

// Control characters (CR/LF among them) and Unicode line separators: never in a header.
// eslint-disable-next-line no-control-regex
const headerBreakers = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;

/** One header-safe line: no CR/LF or other control characters, at most `max` characters. */
export function headerSafe(text: string, max = 80): string {
  const flat = text.replace(headerBreakers, ' ').replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** `2024-03-01 08:00:00` in the given zone. */
export function formatTime(epochMs: number, timeZone?: string): string {
  const format = new Intl.DateTimeFormat('sv-SE', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  });
  return format.format(new Date(epochMs));
}

function span(group: MessageGroup, timeZone: string | undefined): string {
  if (group.count === 1) return formatTime(group.first, timeZone);
  return `×${group.count}, first ${formatTime(group.first, timeZone)}, last ${formatTime(group.last, timeZone)}`;
}

function contextText(ctx: Record<string, unknown> | undefined): string | undefined {
  if (ctx === undefined) return undefined;
  const json = JSON.stringify(ctx);
  return json.length > 1000 ? `${json.slice(0, 999)}…` : json;
}

function droppedLines(dropped: Readonly<Record<string, number>>): string[] {
  return Object.entries(dropped)
    .filter(([, n]) => n > 0)
    .map(
      ([source, n]) =>
        `${n} record(s) from ${source} were dropped: the client's buffer was full while the daemon was unreachable.`,
    );
}

/** The subject line: level, count, source and a short text, header-safe. */
export function renderSubject(input: RenderInput, groups: readonly LevelGroup[]): string {
  const total = input.records.length;
  const top = groups[0];
  const sources = new Set(input.records.map((r) => r.source));
  const topSource = top?.sources[0]?.source ?? Object.keys(input.dropped)[0] ?? 'raspimon';
  const who = sources.size > 1 ? `${topSource} (+${sources.size - 1})` : topSource;
  if (input.kind === 'instant') {
    const level = top?.level ?? 'WARNING';
    const text = top?.sources[0]?.messages[0]?.msg ?? 'records were dropped';
    const count = total > 1 ? ` ×${total}` : '';
    return headerSafe(`[${level}${count}] ${headerSafe(who, 60)}: ${headerSafe(text, 80)}`, 200);
  }
  const title = input.kind === 'daily' ? 'Daily digest' : 'Weekly digest';
  const counts = groups.map((g) => `${g.count} ${g.level}`).join(', ');
  return headerSafe(`[${title} ×${total}] ${headerSafe(who, 60)}: ${counts || 'dropped records'}`, 200);
}

/** Renders a mail (subject, text part, HTML part) from records; pure. */
export function renderMail(input: RenderInput): MailContent {
  const groups = groupRecords(input.records);
  const tz = input.timeZone;
  const text: string[] = [];
  const html: string[] = ['<!doctype html><html><body style="font-family:sans-serif">'];
  for (const line of droppedLines(input.dropped)) {
    text.push(`WARNING: ${line}`, '');
    html.push(`<p style="color:#a40"><strong>Warning:</strong> ${escapeHtml(line)}</p>`);
  }
  for (const level of groups) {
    text.push(`== ${level.level} (${level.count}) ==`);
    html.push(`<h2>${escapeHtml(level.level)} (${level.count})</h2>`);
    for (const source of level.sources) {
      text.push(`-- ${source.source} (${source.count})`);
      html.push(`<h3>${escapeHtml(source.source)} (${source.count})</h3><ul>`);
      for (const m of source.messages) {
        const when = span(m, tz);
        const ctx = contextText(m.ctx);
        text.push(`  [${when}] ${m.msg.replace(/\r?\n/g, '\n    ')}`);
        if (ctx !== undefined) text.push(`    context: ${ctx}`);
        html.push(
          `<li><code>${escapeHtml(when)}</code> ${escapeHtml(m.msg)}${ctx === undefined ? '' : `<br><small><code>${escapeHtml(ctx)}</code></small>`}</li>`,
        );
      }
      html.push('</ul>');
    }
    text.push('');
  }
  html.push('</body></html>');
  return { subject: renderSubject(input, groups), text: text.join('\n'), html: html.join('\n') };
}
