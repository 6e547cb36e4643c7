import type { MonitorLogger } from './types.js';

/** The default logger: one line per record on stderr, e.g. `raspimon monitor ERROR: ...`. */
export function stderrLogger(): MonitorLogger {
  const write =
    (level: string) =>
    (message: string, context?: Record<string, unknown>): void => {
      const extra = context && Object.keys(context).length > 0 ? ' ' + safeJson(context) : '';
      process.stderr.write(`raspimon monitor ${level}: ${message}${extra}\n`);
    };
  return {
    debug: () => undefined,
    info: write('INFO'),
    warning: write('WARNING'),
    error: write('ERROR'),
    alert: write('ALERT'),
  };
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return '[unserialisable context]';
  }
}
