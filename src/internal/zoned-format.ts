// One cached `Intl.DateTimeFormat` per time zone, giving `2026-06-01 14:05:09` (the sv-SE
// locale's ISO-like order): building one costs far more than using it, so mails and the
// status page share them.
const formats = new Map<string, Intl.DateTimeFormat>();

/** The `YYYY-MM-DD HH:MM:SS` formatter of `timeZone`, built once per zone. */
export function zonedDateTimeFormat(timeZone: string): Intl.DateTimeFormat {
  let format = formats.get(timeZone);
  if (format === undefined) {
    format = newZonedDateTimeFormat(timeZone);
    formats.set(timeZone, format);
  }
  return format;
}

/**
 * A new `YYYY-MM-DD HH:MM:SS` formatter of `timeZone`, built at each call (the costly part:
 * use {@link zonedDateTimeFormat}; bench/mail-logger-digest measures the difference).
 */
export function newZonedDateTimeFormat(timeZone: string): Intl.DateTimeFormat {
  return new Intl.DateTimeFormat('sv-SE', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  });
}
