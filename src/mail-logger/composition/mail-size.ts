// The byte allowances a mail's size is estimated with before nodemailer encodes it: shared by
// composing (what one mail may carry) and rendering at each attempt (what fits the limit known
// then), so both count a mail the same way.

/** Headers and MIME structure, bytes; the rest of the limit is for the encoded parts. */
export const HEADER_ALLOWANCE = 4096;
/** Quoted-printable or base64 (with line breaks) grows a part by at most this factor. */
export const ENCODING_GROWTH = 1.4;
/** The MIME headers and boundaries of an attachment. */
export const ATTACHMENT_ALLOWANCE = 1024;
/** The short text of a numbered part after the first. */
export const PART_BODY_ALLOWANCE = 2048;
/** Base64 with CRLF every 76 characters: 4/3 × 78/76. */
export const BASE64_GROWTH = 1.37;
/** Bytes an attachment of `content` adds to a mail as sent (0 without one). */
export function attachmentBytes(content: Buffer | undefined): number {
  return content === undefined ? 0 : Math.ceil(content.length * BASE64_GROWTH) + ATTACHMENT_ALLOWANCE;
}
