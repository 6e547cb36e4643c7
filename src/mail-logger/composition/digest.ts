// Pure grouping and rendering of mails: no I/O, no clock (times come in).
//
// A mail is composed in two steps. `composeBody` groups the records (level, source, identical
// message) and keeps only what can ever fit in `maxMailBytes`, counting the rest per section;
// that body is what the journal keeps. `renderBody` turns a body into text and HTML within a
// byte budget, at each attempt, so a server that announces a smaller SIZE (or answers 552)
// gets a shorter mail instead of the same one again.
import { zonedDateTimeFormat } from '../../internal/index.js';
import { levelRank, type Level } from '../levels.js';
import type { LevelGroup, MailBody, MessageGroup, Omitted, SourceGroup } from './mail-body.js';
import type { StoredRecord } from './record.js';

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

/** How a body is rendered. */
export interface RenderOptions {
  /** IANA zone for the times shown; default: the process's. */
  timeZone?: string | undefined;
  /** Most bytes of text plus HTML (UTF-8); lines beyond it are counted, not shown. @default Infinity */
  maxBytes?: number;
  /** Lines shown first, e.g. mails that could not be delivered. */
  notices?: readonly string[];
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

// One formatter per zone: building an Intl.DateTimeFormat costs about 20 kB and 50 µs, which
// per line made a 20k-line digest take 499 MB.

/** `2024-03-01 08:00:00` in the given zone. */
export function formatTime(epochMs: number, timeZone?: string): string {
  // The system's zone or UTC from Date's own fields: the first Intl.DateTimeFormat of a
  // process pages in ~8 MB of ICU data, a sixth of an idle daemon.
  if (timeZone === undefined) return localTime(new Date(epochMs));
  if (timeZone === 'UTC' || timeZone === 'Etc/UTC') return utcTime(new Date(epochMs));
  const format = zonedDateTimeFormat(timeZone);
  return format.format(epochMs);
}

const pad = (n: number): string => (n < 10 ? `0${n}` : String(n));

function localTime(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

function utcTime(d: Date): string {
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
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
export function renderSubject(
  kind: RenderInput['kind'],
  groups: readonly LevelGroup[],
  dropped: Readonly<Record<string, number>>,
): string {
  const total = groups.reduce((n, g) => n + g.count, 0);
  const top = groups[0];
  const sources = new Set(groups.flatMap((g) => g.sources.map((s) => s.source)));
  const topSource = top?.sources[0]?.source ?? Object.keys(dropped)[0] ?? 'raspimon';
  const who = sources.size > 1 ? `${topSource} (+${sources.size - 1})` : topSource;
  if (kind === 'instant') {
    const level = top?.level ?? 'WARNING';
    const first = top?.sources[0]?.messages[0];
    const text = first?.msg ?? 'records were dropped';
    const count = total > 1 ? ` ×${total}` : '';
    // A record may word its own subject (rule notices do): `[tag] subject · source`, the
    // source (the device namespace) last, where a mail client's cut costs least.
    const own = first?.ctx?.subject;
    if (typeof own === 'string' && own !== '') {
      const tag = typeof first?.ctx?.subjectTag === 'string' ? headerSafe(first.ctx.subjectTag, 20) : level;
      return headerSafe(`[${tag}${count}] ${headerSafe(own, 140)} · ${headerSafe(who, 60)}`, 200);
    }
    return headerSafe(`[${level}${count}] ${headerSafe(who, 60)}: ${headerSafe(text, 80)}`, 200);
  }
  const title = kind === 'daily' ? 'Daily digest' : 'Weekly digest';
  const counts = groups.map((g) => `${g.count} ${g.level}`).join(', ');
  return headerSafe(`[${title} ×${total}] ${headerSafe(who, 60)}: ${counts || 'dropped records'}`, 200);
}

interface Line {
  text: string;
  html: string;
  /** UTF-8 bytes of both, with their newlines. */
  bytes: number;
}

function line(text: string, html: string): Line {
  return { text, html, bytes: Buffer.byteLength(text) + Buffer.byteLength(html) + 2 };
}

function messageLine(m: MessageGroup, timeZone: string | undefined): Line {
  const when = span(m, timeZone);
  const ctx = contextText(m.ctx);
  let text = `  [${when}] ${m.msg.replace(/\r?\n/g, '\n    ')}`;
  if (ctx !== undefined) text += `\n    context: ${ctx}`;
  const html = `<li><code>${escapeHtml(when)}</code> ${escapeHtml(m.msg)}${ctx === undefined ? '' : `<br><small><code>${escapeHtml(ctx)}</code></small>`}</li>`;
  return line(text, html);
}

function omittedLine(omitted: Omitted): Line {
  const text = `  … ${omitted.records} more records, ${omitted.occurrences} occurrences (cut to fit the mail size limit)`;
  return line(text, `<li><em>${escapeHtml(text.trim())}</em></li>`);
}

// Room kept per section for its "N more records" line, and lines every section gets before
// any section gets more, so one chatty source cannot push every other one out of the mail.
const OMITTED_RESERVE = 200;
const FAIR_SHARE = 3;

interface Section {
  level: LevelGroup;
  source: SourceGroup;
  lines: Line[];
  /** Messages shown: a prefix of `source.messages`. */
  take: number;
}

/** Decides which lines of each section fit in `maxBytes` (fixed parts counted first). */
function allocate(
  groups: readonly LevelGroup[],
  fixedBytes: number,
  maxBytes: number,
  timeZone?: string,
): Section[] {
  const sections: Section[] = [];
  let left = maxBytes - fixedBytes;
  for (const level of groups) {
    left -= Buffer.byteLength(level.level) + 40;
    for (const source of level.sources) {
      left -= 2 * Buffer.byteLength(source.source) + 40 + OMITTED_RESERVE;
      sections.push({ level, source, lines: [], take: 0 });
    }
  }
  const grow = (section: Section, limit: number): void => {
    const { messages } = section.source;
    while (section.take < Math.min(limit, messages.length)) {
      const next = (section.lines[section.take] ??= messageLine(messages[section.take]!, timeZone));
      if (next.bytes > left) return;
      left -= next.bytes;
      section.take++;
    }
  };
  for (const section of sections) grow(section, FAIR_SHARE);
  for (const section of sections) grow(section, Infinity);
  return sections;
}

function omittedOf(section: Section): Omitted | undefined {
  const { messages, omitted } = section.source;
  let records = omitted?.records ?? 0;
  let occurrences = omitted?.occurrences ?? 0;
  for (let i = section.take; i < messages.length; i++) {
    records++;
    occurrences += messages[i]!.count;
  }
  return records > 0 ? { records, occurrences } : undefined;
}

/**
 * Groups records into a mail body, keeping only the lines that fit in `maxBytes` of text and
 * HTML; each section cut that way counts what it left out. Pure.
 */
export function composeBody(
  records: readonly StoredRecord[],
  dropped: Readonly<Record<string, number>>,
  options: { maxBytes?: number; timeZone?: string | undefined; notes?: readonly string[] } = {},
): MailBody {
  const groups = groupRecords(records);
  const body: MailBody = { groups, dropped: { ...dropped }, total: records.length };
  const maxBytes = options.maxBytes ?? Infinity;
  if (!Number.isFinite(maxBytes)) {
    if (options.notes !== undefined) body.notes = [...options.notes];
    return body;
  }
  const fixed = [...droppedLines(dropped), ...(options.notes ?? [])].reduce(
    (n, l) => n + 2 * Buffer.byteLength(l) + 80,
    200,
  );
  if (options.notes !== undefined) body.notes = [...options.notes];
  for (const section of allocate(groups, fixed, maxBytes, options.timeZone)) {
    const omitted = omittedOf(section);
    if (omitted === undefined) continue;
    section.source.messages = section.source.messages.slice(0, section.take);
    section.source.omitted = omitted;
  }
  return body;
}

/**
 * Renders the text and HTML parts of a body within `maxBytes`; `cut` says whether lines of the
 * body had to be left out (counted) to fit. Pure.
 */
export function renderBody(
  body: MailBody,
  options: RenderOptions = {},
): { text: string; html: string; cut: boolean } {
  const tz = options.timeZone;
  const text: string[] = [];
  const html: string[] = ['<!doctype html><html><body style="font-family:sans-serif">'];
  for (const notice of options.notices ?? []) {
    text.push(`NOTICE: ${notice}`, '');
    html.push(`<p style="color:#a00"><strong>Notice:</strong> ${escapeHtml(notice)}</p>`);
  }
  for (const note of body.notes ?? []) {
    text.push(note, '');
    html.push(`<p><strong>${escapeHtml(note)}</strong></p>`);
  }
  for (const l of droppedLines(body.dropped)) {
    text.push(`WARNING: ${l}`, '');
    html.push(`<p style="color:#a40"><strong>Warning:</strong> ${escapeHtml(l)}</p>`);
  }
  const fixed = text.reduce((n, l) => n + 2 * Buffer.byteLength(l) + 60, 200);
  const sections = allocate(body.groups, fixed, options.maxBytes ?? Infinity, tz);
  const cut = sections.some((section) => section.take < section.source.messages.length);
  let index = 0;
  for (const level of body.groups) {
    text.push(`== ${level.level} (${level.count}) ==`);
    html.push(`<h2>${escapeHtml(level.level)} (${level.count})</h2>`);
    for (const source of level.sources) {
      const section = sections[index++]!;
      text.push(`-- ${source.source} (${source.count})`);
      html.push(`<h3>${escapeHtml(source.source)} (${source.count})</h3><ul>`);
      for (let i = 0; i < section.take; i++) {
        const l = section.lines[i]!;
        text.push(l.text);
        html.push(l.html);
      }
      const omitted = omittedOf(section);
      if (omitted !== undefined) {
        const l = omittedLine(omitted);
        text.push(l.text);
        html.push(l.html);
      }
      html.push('</ul>');
    }
    text.push('');
  }
  html.push('</body></html>');
  return { text: text.join('\n'), html: html.join('\n'), cut };
}

/** Renders a mail (subject, text part, HTML part) from records, without a size limit; pure. */
export function renderMail(input: RenderInput): MailContent {
  const body = composeBody(input.records, input.dropped);
  const { text, html } = renderBody(body, { timeZone: input.timeZone });
  return { subject: renderSubject(input.kind, body.groups, body.dropped), text, html };
}

/** Whether composing cut lines of `body` (some section counts what it left out). */
export function isCut(body: MailBody): boolean {
  return body.groups.some((level) => level.sources.some((source) => source.omitted !== undefined));
}
