// How an SMTP failure is taken, as RFC 5321 §4.2.1 reads reply codes: 4yz transient (try
// again later), 5yz permanent (the same mail will be refused again). Pure.

/** What the mailer does about a failed attempt. */
export type FailureKind =
  /** 4xx, a network error, a timeout: retry the same mail with backoff. */
  | 'transient'
  /** 552, 5.3.4 / 5.2.3, or over the SIZE the server announced: send a shorter mail. */
  | 'too-big'
  /** Any other 5xx: the mail goes to the dead-letter file. */
  | 'permanent'
  /** The server refused our login (535 and kin): every mail is kept and retried, reported once. */
  | 'auth'
  /** TLS could not be set up (no STARTTLS, bad certificate): kept and retried, reported once. */
  | 'tls';

export interface SmtpFailure {
  kind: FailureKind;
  /** One line: nodemailer code, reply code and the server's text, never credentials. */
  summary: string;
  /** The size limit the server announced, when the failure says it. */
  sizeLimit?: number;
}

interface SmtpErrorFields {
  code?: unknown;
  responseCode?: unknown;
  response?: unknown;
  message?: unknown;
}

/** Classifies an error from `sendMail` (nodemailer's fields: `code`, `responseCode`, `response`). */
export function classifySmtpFailure(error: unknown): SmtpFailure {
  const e = (typeof error === 'object' && error !== null ? error : {}) as SmtpErrorFields;
  const code = typeof e.code === 'string' ? e.code : undefined;
  const reply = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  const message = typeof e.message === 'string' ? e.message : String(error);
  const response = typeof e.response === 'string' ? e.response : '';
  const first = (message.split('\n')[0] ?? '').slice(0, 200);
  const summary = [code, reply === undefined ? undefined : String(reply)].filter(Boolean).join(' ');
  const line = summary ? `${summary}: ${first}` : first;
  const sizeMatch = /larger than allowed (\d+)/.exec(message);
  if (code === 'EMESSAGE' && sizeMatch)
    return { kind: 'too-big', summary: line, sizeLimit: Number(sizeMatch[1]) };
  if (reply === 552 || /\b5\.(3\.4|2\.3)\b/.test(response || message))
    return { kind: 'too-big', summary: line };
  if (
    code === 'EAUTH' ||
    code === 'ENOAUTH' ||
    reply === 530 ||
    reply === 534 ||
    reply === 535 ||
    reply === 538
  )
    return { kind: 'auth', summary: line };
  if (code === 'ETLS' || code === 'EREQUIRETLS') return { kind: 'tls', summary: line };
  // 503 (bad sequence of commands) is about the session, not the mail: a new one may take it.
  if (reply !== undefined && reply >= 500 && reply < 600 && reply !== 503)
    return { kind: 'permanent', summary: line };
  return { kind: 'transient', summary: line };
}
