// A logger that starts every line with a prefix (`device 3 "boiler"`, `mqtt`), so a line
// names what it is about wherever the wrapped logger sends it.
import type { MonitorLogger } from './types.js';

/** `logger`, with `${prefix}: ` before every message. */
export function prefixed(logger: MonitorLogger, prefix: string): MonitorLogger {
  const wrap =
    (level: keyof MonitorLogger) =>
    (message: string, context?: Record<string, unknown>): void =>
      logger[level](`${prefix}: ${message}`, context);
  return {
    debug: wrap('debug'),
    info: wrap('info'),
    warning: wrap('warning'),
    error: wrap('error'),
    alert: wrap('alert'),
  };
}
