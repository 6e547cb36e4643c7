// The one shape of the daemon's log lines about mails, so operators can grep them.

/**
 * One line of the daemon's log about a mail, always the same shape so it can be grepped:
 * `mail <id> <event> key=value ...` (`-` when no mail is composed yet; values with spaces quoted).
 *
 * @example
 * ```text
 * mail 3f2a9c1e sent kind=instant records=12 bytes=4210 attempts=1
 * mail 3f2a9c1e retry kind=daily records=900 in=1.7s reason="ECONNECTION: Connection closed"
 * ```
 */
export function mailLogLine(
  id: string | null,
  event: string,
  fields: Record<string, string | number | undefined>,
): string {
  const parts = [`mail ${id === null ? '-' : id.slice(0, 8)} ${event}`];
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    const text = String(value);
    parts.push(`${key}=${/[\s"=]/.test(text) || text === '' ? JSON.stringify(text) : text}`);
  }
  return parts.join(' ');
}
