// What one composed mail says: its subject, its grouped body, and (when the body had to be cut
// to `maxMailBytes`) its whole text as gzip attachments, in numbered parts when one mail cannot
// carry it. Pure but for the fresh mail ids (injectable).
import { randomUUID } from 'node:crypto';
import { gzipParts } from './digest-parts.js';
import { composeBody, escapeHtml, formatTime, isCut, renderBody, renderSubject } from './digest.js';
import {
  ATTACHMENT_ALLOWANCE,
  BASE64_GROWTH,
  ENCODING_GROWTH,
  HEADER_ALLOWANCE,
  PART_BODY_ALLOWANCE,
} from './mail-size.js';
import type { MailKind, OutgoingMail, StoredRecord } from './record.js';

/** How {@link composeMails} sizes and stamps a mail. */
export interface ComposeMailOptions {
  /** Largest mail, bytes as sent (headers and encoding included). */
  maxMailBytes: number;
  /** IANA zone of the times shown; default: the process's. */
  timeZone?: string | undefined;
  /** Epoch ms the mail is composed at (the daemon's clock). */
  createdAt: number;
  /** A new mail id, kept across retries and restarts. @default crypto.randomUUID */
  newId?: () => string;
}

/**
 * A new mail of `records` (and the `dropped` counts), not journaled yet. A body too big for
 * `maxMailBytes` is cut (what is cut is counted per section), and then the whole text goes
 * along gzip-compressed as an attachment — in numbered mails ("digest 2/3") when one cannot
 * carry it — so no acknowledged record's text is ever dropped. The first mail keeps the
 * grouped summary.
 *
 * @example
 * ```ts
 * const [mail, ...parts] = composeMails('daily', records, {}, { maxMailBytes: 10_000_000, createdAt: now });
 * ```
 */
export function composeMails(
  kind: MailKind,
  records: readonly StoredRecord[],
  dropped: Readonly<Record<string, number>>,
  options: ComposeMailOptions,
): [OutgoingMail, ...OutgoingMail[]] {
  const { maxMailBytes, timeZone, createdAt } = options;
  const newId = options.newId ?? randomUUID;
  const budget = Math.floor((maxMailBytes - HEADER_ALLOWANCE) / ENCODING_GROWTH);
  const body = composeBody(records, dropped, { maxBytes: budget, timeZone });
  if (!isCut(body))
    return [{ id: newId(), kind, subject: renderSubject(kind, body.groups, body.dropped), body, createdAt }];
  const whole = renderBody(composeBody(records, dropped), { timeZone }).text;
  const summaryBytes = Math.floor(budget / 4);
  const members = gzipParts(
    whole,
    Math.floor(
      (maxMailBytes - HEADER_ALLOWANCE - summaryBytes * ENCODING_GROWTH - ATTACHMENT_ALLOWANCE) /
        BASE64_GROWTH,
    ),
    Math.floor(
      (maxMailBytes - HEADER_ALLOWANCE - PART_BODY_ALLOWANCE - ATTACHMENT_ALLOWANCE) / BASE64_GROWTH,
    ),
  );
  const of = members.length;
  const label = kind === 'instant' ? 'part' : 'digest';
  const day = formatTime(createdAt, timeZone).slice(0, 10);
  const name = (i: number): string => `${label}-${kind}-${day}${of > 1 ? `-part-${i}-of-${of}` : ''}.txt.gz`;
  const note =
    of === 1
      ? `The whole text of this mail (${records.length} records) is attached, gzip-compressed: ${name(1)}.`
      : `The whole text of this mail (${records.length} records) is attached, gzip-compressed, in ${of} parts: ` +
        `${name(1)} here, the others in the ${of - 1} mail(s) whose subjects end "(${label} 2/${of})" to "(${label} ${of}/${of})".`;
  const summary = composeBody(records, dropped, { maxBytes: summaryBytes, timeZone, notes: [note] });
  const subject = renderSubject(kind, summary.groups, summary.dropped);
  const mails = members.map((member, i) => {
    const mail: OutgoingMail = {
      id: newId(),
      kind,
      subject: of > 1 ? `${subject} (${label} ${i + 1}/${of})` : subject,
      createdAt,
      attachment: { filename: name(i + 1), gzipBase64: member.toString('base64') },
    };
    if (of > 1) mail.part = { index: i + 1, of };
    if (i === 0) mail.body = summary;
    else {
      mail.text =
        `Part ${i + 1} of ${of} of the ${kind} ${label === 'digest' ? 'digest' : 'mail'} composed ${formatTime(createdAt, timeZone)}: ` +
        `the attached ${name(i + 1)} (gzip) holds the next share of its whole text, in order. Part 1 has the summary.`;
      mail.html = `<p>${escapeHtml(mail.text)}</p>`;
    }
    return mail;
  });
  return mails as [OutgoingMail, ...OutgoingMail[]];
}
