import { describe, expect, it } from 'vitest';
import {
  composeBody,
  groupRecords,
  headerSafe,
  renderBody,
  renderMail,
} from '../../../src/mail-logger/composition/digest.js';
import type { StoredRecord } from '../../../src/mail-logger/composition/record.js';

const t0 = Date.UTC(2024, 2, 4, 7, 0, 0);
let rid = 0;
function rec(partial: Partial<StoredRecord>): StoredRecord {
  return {
    rid: ++rid,
    source: 'pi-a',
    pid: 1,
    time: t0,
    level: 'INFO',
    schedule: 'DAILY',
    msg: 'm',
    ...partial,
  };
}

describe('digest grouping and rendering (pure)', () => {
  it('groups by level (most severe first), then source, and collapses repeats with count and first/last time', () => {
    const records = [
      rec({ level: 'INFO', source: 'pi-b', msg: 'booted', time: t0 }),
      rec({ level: 'WARNING', source: 'pi-a', msg: 'disk 91%', time: t0 + 1000 }),
      rec({ level: 'INFO', source: 'pi-a', msg: 'booted', time: t0 + 2000 }),
      rec({ level: 'INFO', source: 'pi-b', msg: 'booted', time: t0 + 3_600_000, ctx: { uptime: 1 } }),
    ];
    const groups = groupRecords(records);
    expect(groups.map((g) => [g.level, g.count, g.sources.map((s) => s.source)])).toEqual([
      ['WARNING', 1, ['pi-a']],
      ['INFO', 3, ['pi-a', 'pi-b']],
    ]);
    expect(groups[1]!.sources[1]!.messages).toEqual([
      { msg: 'booted', count: 2, first: t0, last: t0 + 3_600_000, ctx: { uptime: 1 } },
    ]);
    const mail = renderMail({ kind: 'daily', records, dropped: {}, timeZone: 'Europe/Madrid' });
    expect(mail.subject).toBe('[Daily digest ×4] pi-a (+1): 1 WARNING, 3 INFO');
    expect(mail.text).toBe(
      [
        '== WARNING (1) ==',
        '-- pi-a (1)',
        '  [2024-03-04 08:00:01] disk 91%',
        '',
        '== INFO (3) ==',
        '-- pi-a (1)',
        '  [2024-03-04 08:00:02] booted',
        '-- pi-b (2)',
        '  [×2, first 2024-03-04 08:00:00, last 2024-03-04 09:00:00] booted',
        '    context: {"uptime":1}',
        '',
      ].join('\n'),
    );
  });

  it('escapes HTML and keeps CR/LF out of the subject', () => {
    const mail = renderMail({
      kind: 'instant',
      records: [
        rec({
          level: 'ERROR',
          msg: 'bad <script>alert("x")</script>\r\nBcc: victim@example.org',
          source: 'pi\r\nX: y',
        }),
      ],
      dropped: {},
    });
    expect(mail.subject).not.toMatch(/[\r\n]/);
    expect(mail.subject).toBe('[ERROR] pi X: y: bad <script>alert("x")</script> Bcc: victim@example.org');
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).toContain('&#60;script&#62;alert(&#34;x&#34;)');
    expect(headerSafe('a'.repeat(100), 10)).toBe('aaaaaaaaa…');
  });

  it('reports records dropped by full client buffers', () => {
    const mail = renderMail({
      kind: 'instant',
      records: [rec({ level: 'ALERT', msg: 'fire' })],
      dropped: { 'pi-a': 42 },
    });
    expect(mail.text).toContain('42 record(s) from pi-a were dropped');
    expect(mail.html).toContain('42 record(s) from pi-a were dropped');
  });
});

describe('mail size limit (pure)', () => {
  function bytesOf(part: { text: string; html: string }): number {
    return Buffer.byteLength(part.text) + Buffer.byteLength(part.html);
  }

  it('a body cut to a budget keeps every section, its first lines first, and counts the rest as "N more records, M occurrences"', () => {
    const records: StoredRecord[] = [];
    for (let i = 0; i < 5000; i++)
      records.push(rec({ level: 'INFO', source: 'chatty', msg: `line ${i}`, time: t0 + i }));
    for (let i = 0; i < 5000; i++)
      records.push(rec({ level: 'INFO', source: 'chatty', msg: 'line 7', time: t0 + i }));
    records.push(rec({ level: 'ERROR', source: 'quiet', msg: 'fan failed' }));
    records.push(rec({ level: 'INFO', source: 'quiet', msg: 'booted' }));
    const body = composeBody(records, {}, { maxBytes: 20_000, timeZone: 'UTC' });
    expect(body.total).toBe(10_002);
    const rendered = renderBody(body, { maxBytes: 20_000, timeZone: 'UTC' });
    expect(bytesOf(rendered)).toBeLessThanOrEqual(20_000);
    expect(rendered.text).toContain('fan failed');
    expect(rendered.text).toContain('booted'); // a chatty source does not push a quiet one out
    const cut = /… (\d+) more records, (\d+) occurrences/.exec(rendered.text)!;
    const shown = rendered.text.split('\n').filter((l) => / line \d+$/.test(l)).length;
    expect(shown + Number(cut[1])).toBe(5000);
    // "line 7" stands for 5001 occurrences, every other line for one
    const shownOccurrences = shown + (shown > 7 ? 5000 : 0);
    expect(Number(cut[2]) + shownOccurrences).toBe(10_000);
    // Rendered again with a smaller budget (a server's SIZE), it gets shorter, never longer.
    const smaller = renderBody(body, { maxBytes: 8_000, timeZone: 'UTC' });
    expect(bytesOf(smaller)).toBeLessThanOrEqual(8_000);
    expect(smaller.text).toContain('fan failed');
  });

  it('without a budget nothing is cut', () => {
    const records = Array.from({ length: 300 }, (_, i) => rec({ msg: `m ${i}` }));
    const body = composeBody(records, {});
    expect(renderBody(body).text).not.toContain('more records');
    expect(
      renderBody(body)
        .text.split('\n')
        .filter((l) => / m \d+$/.test(l)),
    ).toHaveLength(300);
  });
});
