// The plain (req, res) handler behind serveStatus(): GET / (HTML), /api/summary (JSON),
// /metrics (Prometheus text). Usable as is in node:http, Express or Fastify (raw request).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import { RaspimonRangeError, RaspimonTypeError } from '../errors.js';
import { describeError, describeValue, isPlainObject } from '../internal/index.js';
import type { MonitorSummary } from '../monitor/index.js';
import { monitorMetrics } from './metrics.js';
import { renderPage } from './page.js';
import { pageCharts, pageRange, type BucketsReader } from './page-charts.js';

/** What the status handler needs from a monitor: `raspimon/monitor`'s `Monitor` satisfies it. */
export interface StatusMonitor {
  /** The monitor's summary; `{ charts: false }` skips the 24-h charts (used by /metrics). */
  summary(options?: { charts?: boolean }): MonitorSummary;
  /**
   * Bucket statistics of stored history (minute windows, rollups, raw readings), for the
   * page's charts; without it the charts show the minutes in memory.
   */
  buckets?: BucketsReader;
}

/** Options of {@link createStatusHandler}. */
export interface StatusHandlerOptions {
  /**
   * A prom-client `Registry` to register the monitor's metrics in (so /metrics also shows
   * your own metrics).
   * @default a new Registry of its own
   */
  registry?: Registry;
  /**
   * IANA time zone of the page's times and chart ticks (the device's).
   * @default the process's time zone (`TZ`, else the system's)
   */
  timeZone?: string;
}

/** The `hours` of `GET /?hours=N`: an integer 1..168, 24 when absent; undefined when invalid. */
export function parseHours(search: string): number | undefined {
  const value = new URLSearchParams(search).get('hours');
  if (value === null || value === '') return 24;
  if (!/^\d+$/.test(value)) return undefined;
  const hours = Number(value);
  return hours >= 1 && hours <= 168 ? hours : undefined;
}

/** A plain Node request handler: `(req, res) => void`. */
export type StatusHandler = (req: IncomingMessage, res: ServerResponse) => void;

// No script, no remote anything: the page only needs its own inline styles and SVG.
const csp =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

function send(res: ServerResponse, status: number, type: string, body: string, head: boolean): void {
  res.writeHead(status, {
    'content-type': type,
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'content-security-policy': csp,
  });
  res.end(head ? undefined : body);
}

/**
 * The status page, `/api/summary` and `/metrics` of a monitor as one request handler.
 *
 * @example
 * ```ts
 * import http from 'node:http';
 * import { createStatusHandler } from 'raspimon/http';
 * http.createServer(createStatusHandler(monitor)).listen(8080, '127.0.0.1');
 * // Express: app.use('/status', createStatusHandler(monitor));
 * ```
 */
export function createStatusHandler(
  monitor: StatusMonitor,
  options: StatusHandlerOptions = {},
): StatusHandler {
  if (typeof (monitor as Partial<StatusMonitor> | undefined)?.summary !== 'function')
    throw new RaspimonTypeError(
      'ERR_INVALID_ARG_TYPE',
      `createStatusHandler(monitor): monitor must be a raspimon Monitor (with summary()), got ${describeValue(monitor)}`,
    );
  const given: unknown = options;
  if (!isPlainObject(given))
    throw new RaspimonTypeError(
      'ERR_INVALID_ARG_TYPE',
      `options must be an object, got ${describeValue(options)}`,
    );
  const timeZone = options.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  try {
    new Intl.DateTimeFormat('en', { timeZone });
  } catch {
    throw new RaspimonRangeError(
      'ERR_OUT_OF_RANGE',
      `options.timeZone must be an IANA time zone such as "Europe/Madrid", got ${describeValue(options.timeZone)}`,
    );
  }
  const metrics = monitorMetrics(() => monitor.summary({ charts: false }), options.registry);
  const buckets = monitor.buckets?.bind(monitor);
  const page = async (hours: number): Promise<string> => {
    // The charts come from buckets(); the summary's own 24-h minute points only without it.
    const summary = monitor.summary({ charts: buckets === undefined });
    const range = pageRange(Date.parse(summary.generatedAt), hours);
    const charts = await pageCharts(summary, buckets, range);
    return renderPage({ summary, hours, bucketSeconds: range.bucketSeconds, charts, timeZone });
  };
  return (req, res) => {
    const head = req.method === 'HEAD';
    if (req.method !== 'GET' && !head) {
      res.setHeader('allow', 'GET, HEAD');
      send(res, 405, 'text/plain; charset=utf-8', 'only GET and HEAD\n', false);
      return;
    }
    const [pathPart, search = ''] = (req.url ?? '/').split('?');
    const path = pathPart!.replace(/\/+$/, '') || '/';
    try {
      if (path === '/') {
        const hours = parseHours(search);
        if (hours === undefined) {
          send(
            res,
            400,
            'text/plain; charset=utf-8',
            'hours must be an integer from 1 to 168, e.g. /?hours=6\n',
            head,
          );
          return;
        }
        page(hours).then(
          (html) => send(res, 200, 'text/html; charset=utf-8', html, head),
          (error: unknown) =>
            send(res, 500, 'text/plain; charset=utf-8', `status failed: ${describeError(error)}\n`, head),
        );
      } else if (path === '/api/summary') {
        send(res, 200, 'application/json; charset=utf-8', JSON.stringify(monitor.summary()), head);
      } else if (path === '/metrics') {
        metrics.scrape().then(
          (text) => send(res, 200, metrics.registry.contentType, text, head),
          (error: unknown) =>
            send(res, 500, 'text/plain; charset=utf-8', `metrics failed: ${describeError(error)}\n`, head),
        );
      } else {
        send(res, 404, 'text/plain; charset=utf-8', 'not found: try /, /api/summary or /metrics\n', head);
      }
    } catch (error) {
      send(res, 500, 'text/plain; charset=utf-8', `status failed: ${describeError(error)}\n`, head);
    }
  };
}
