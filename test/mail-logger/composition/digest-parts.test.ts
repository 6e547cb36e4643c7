// A digest larger than the mail size limit: the text of every acknowledged record reaches
// the mailbox, in a gzip attachment and, past what one mail can carry, in numbered parts.
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { recordFigure } from '../../helpers/figures.js';
import { waitFor } from '../../helpers/wait.js';
import { sleep, startManualMailWorld, type ManualMailWorld } from '../fixtures.js';

/** A 300-byte INFO line that reads like a log line (numbers vary, words repeat). */
function logLine(i: number): string {
  const text =
    `rec-${String(i).padStart(5, '0')} sensor ${i % 17} on /dev/ttyUSB${i % 4}: temperature ${(20 + (i % 97) / 10).toFixed(1)} C, ` +
    `humidity ${30 + (i % 53)} %, pressure ${990 + (i % 41)} hPa, battery ${3000 + ((i * 37) % 1200)} mV, ` +
    `uptime ${i * 60 + 13} s, link quality ${(i * 7) % 100} %, firmware 2.${i % 9}.${i % 5}, status ok`;
  return text.padEnd(300, ' .');
}

describe('digests over the mail size limit', () => {
  let world: ManualMailWorld | undefined;
  afterEach(async () => {
    await world?.dispose();
    world = undefined;
  });

  it('5,200 distinct 300-B INFO records with maxMailBytes 60000: every record’s text arrives (gzip attachment in numbered parts, each within the limit), the body keeps the grouped summary', async () => {
    world = await startManualMailWorld({
      start: new Date('2026-03-02T07:00:00Z'),
      timeZone: 'UTC',
      server: { maxMailBytes: 60_000 },
      client: { maxBufferedRecords: 20_000, tee: false },
    });
    const { logger, server, sink } = world;
    const total = 5200;
    for (let i = 0; i < total; i++) logger.info(logLine(i));
    await logger.flush({ timeoutSeconds: 30 });
    expect(await server.sendDigest('daily')).toBe(true);

    const recovered = (): Map<string, number> => {
      const seen = new Map<string, number>();
      for (const m of sink.messages)
        for (const a of m.attachments.filter((x) => x.filename.endsWith('.txt.gz')))
          for (const match of gunzipSync(a.content)
            .toString('utf8')
            .matchAll(/\] (rec-\d+ .*)$/gm))
            seen.set(match[1]!, (seen.get(match[1]!) ?? 0) + 1);
      return seen;
    };
    await waitFor(() => recovered().size >= total, 30_000, 'every record in an attachment').catch(
      (error: Error) => {
        throw new Error(
          `${error.message}: ${recovered().size} of ${total} recoverable from ${sink.messages.length} mail(s)`,
        );
      },
    );
    await sleep(300); // a part sent twice would show by now
    const seen = recovered();
    recordFigure({
      id: 'digest.over-limit.recoverable',
      label:
        '5,200 distinct 300-B INFO records, maxMailBytes 60000: records whose text is in the received mails',
      value: seen.size,
      unit: 'records',
      bound: '= 5200',
    });
    expect(seen.size).toBe(total);
    for (let i = 0; i < total; i++) expect(seen.get(logLine(i).trimEnd()) ?? seen.get(logLine(i))).toBe(1);
    // Numbered parts, each within the limit; the first keeps the grouped summary.
    const parts = sink.messages.filter((m) => m.subject.startsWith('[Daily digest'));
    expect(parts.length).toBeGreaterThan(1);
    for (const m of parts) expect(m.bytes).toBeLessThanOrEqual(60_000);
    const numbers = parts.map((m) => /\(digest (\d+)\/(\d+)\)$/.exec(m.subject)?.slice(1).join('/')).sort();
    expect(numbers).toEqual(parts.map((_, i) => `${i + 1}/${parts.length}`).sort());
    const first = parts.find((m) => m.subject.endsWith(`(digest 1/${parts.length})`))!;
    expect(first.text).toContain('== INFO (5200) ==');
    expect(first.text).toContain('-- raspimon_dca632112233 (5200)');
    expect(first.text).toMatch(/attached/);
    const sent = parts.reduce((n, m) => n + m.bytes, 0);
    console.log(
      `5,200 × 300 B at maxMailBytes 60000: ${parts.length} mails, ${sent} B in all for ${total * 300} B of records; largest ${Math.max(...parts.map((m) => m.bytes))} B`,
    );
  }, 60_000);

  it('a digest cut to the limit but whose whole text fits compressed is one mail with the attachment', async () => {
    world = await startManualMailWorld({
      start: new Date('2026-03-02T07:00:00Z'),
      timeZone: 'UTC',
      server: { maxMailBytes: 200_000 },
      client: { maxBufferedRecords: 20_000, tee: false },
    });
    const { logger, server, sink } = world;
    for (let i = 0; i < 2000; i++) logger.info(logLine(i));
    await logger.flush({ timeoutSeconds: 30 });
    await server.sendDigest('daily');
    const [mail] = await sink.waitFor(1, 30_000);
    expect(mail!.subject).not.toMatch(/digest \d+\/\d+/);
    expect(mail!.bytes).toBeLessThanOrEqual(200_000);
    expect(mail!.text).toMatch(/more records, \d+ occurrences/);
    const [attachment] = mail!.attachments;
    const text = gunzipSync(attachment!.content).toString('utf8');
    expect(text.match(/\] rec-\d+ /g)).toHaveLength(2000);
  });
});
