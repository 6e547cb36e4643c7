// A composed mail as sent at one attempt: its body rendered within the size limit known then
// (the server may have announced a smaller SIZE or answered 552 since it was composed), with
// the notices delivery wants said. Pure but for gzip (a calculation).
import { gzipSync } from 'node:zlib';
import { formatTime, renderBody } from './digest.js';
import { attachmentBytes, ENCODING_GROWTH, HEADER_ALLOWANCE } from './mail-size.js';
import type { OutgoingMail } from './record.js';

/** How {@link renderMessage} fits a mail. */
export interface RenderMessageOptions {
  /** Bytes the mail may take as sent: the least of `maxMailBytes` and what the server taught. */
  limit: number;
  /** Lines shown first (mails that could not be delivered, a held budget). */
  notices: readonly string[];
  /** IANA zone of the times shown; default: the process's. */
  timeZone?: string | undefined;
}

/** The parts of one attempt's message, and its size as sent (estimated, headers included). */
export interface RenderedMessage {
  subject: string;
  text: string;
  html: string;
  attachment: { filename: string; content: Buffer } | null;
  bytes: number;
}

/**
 * Renders `mail` within `limit`; null when it cannot fit even cut to its shortest. A body cut
 * for a limit below the one it was composed for gets its whole text attached, gzip-compressed,
 * when that fits beside a shorter summary.
 *
 * @example
 * ```ts
 * const rendered = renderMessage(mail, { limit: 1_000_000, notices: [], timeZone: 'UTC' });
 * ```
 */
export function renderMessage(mail: OutgoingMail, options: RenderMessageOptions): RenderedMessage | null {
  const { limit, notices, timeZone } = options;
  let attachment: RenderedMessage['attachment'] =
    mail.attachment === undefined
      ? null
      : { filename: mail.attachment.filename, content: Buffer.from(mail.attachment.gzipBase64, 'base64') };
  let text: string;
  let html: string;
  if (mail.body !== undefined) {
    let maxBytes = Math.floor(
      (limit - HEADER_ALLOWANCE - attachmentBytes(attachment?.content)) / ENCODING_GROWTH,
    );
    if (maxBytes < 1024) return null;
    let cut: boolean;
    ({ text, html, cut } = renderBody(mail.body, { timeZone, maxBytes, notices }));
    if (cut && attachment === null) {
      const content = gzipSync(renderBody(mail.body, { timeZone }).text);
      maxBytes = Math.floor((limit - HEADER_ALLOWANCE - attachmentBytes(content)) / ENCODING_GROWTH);
      if (maxBytes >= 1024) {
        attachment = {
          filename: `${mail.kind === 'instant' ? 'mail' : 'digest'}-${mail.kind}-${formatTime(mail.createdAt, timeZone).slice(0, 10)}.txt.gz`,
          content,
        };
        const note = `The whole text of this mail (${mail.body.total} records) is attached, gzip-compressed: ${attachment.filename}.`;
        ({ text, html } = renderBody(mail.body, { timeZone, maxBytes, notices: [...notices, note] }));
      }
    }
  } else {
    text = mail.text ?? '';
    html = mail.html ?? '';
  }
  const bytes =
    Math.ceil((Buffer.byteLength(text) + Buffer.byteLength(html)) * ENCODING_GROWTH) +
    HEADER_ALLOWANCE +
    attachmentBytes(attachment?.content);
  if (attachment !== null && bytes > limit) return null;
  return { subject: mail.subject, text, html, attachment, bytes };
}
