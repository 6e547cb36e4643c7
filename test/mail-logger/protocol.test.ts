import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LEVELS, SCHEDULES } from '../../src/mail-logger/levels.js';
import {
  LineSplitter,
  MAX_FRAME_BYTES,
  parseClientFrame,
  parseTransport,
  serializeDrop,
  serializeHello,
  serializeRecord,
} from '../../src/mail-logger/protocol.js';
import { RaspimonRangeError } from '../../src/errors.js';

describe('wire protocol (pure)', () => {
  it('parses what the client serialises, for any message and context', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
        fc.integer({ min: 0, max: 4_102_444_800_000 }),
        fc.constantFrom(...LEVELS),
        fc.constantFrom(...SCHEDULES),
        fc.string({ unit: 'binary' }),
        fc.option(fc.dictionary(fc.string(), fc.jsonValue()), { nil: undefined }),
        (seq, time, level, schedule, msg, ctx) => {
          const line = serializeRecord(
            seq,
            time,
            level,
            schedule,
            msg,
            ctx === undefined ? undefined : JSON.stringify(ctx),
          );
          expect(line.endsWith('\n')).toBe(true);
          expect(line.slice(0, -1)).not.toContain('\n');
          const parsed = parseClientFrame(line.slice(0, -1));
          expect(parsed.ok).toBe(true);
          if (parsed.ok && parsed.frame.t === 'rec') {
            expect(parsed.frame).toMatchObject({ seq, time, level, schedule, msg });
            expect(parsed.frame.ctx).toEqual(ctx === undefined ? undefined : JSON.parse(JSON.stringify(ctx)));
          }
        },
      ),
    );
    expect(parseClientFrame(serializeHello('s-1', 'host/prog', 42).trim())).toEqual({
      ok: true,
      frame: { t: 'hello', v: 1, session: 's-1', source: 'host/prog', pid: 42 },
    });
    expect(parseClientFrame(serializeDrop(9, 1000, 5).trim())).toEqual({
      ok: true,
      frame: { t: 'drop', seq: 9, time: 1000, count: 5 },
    });
  });

  it('never throws on 10,000 arbitrary lines, always gives a reason when it rejects, and accepts only well-formed frames', () => {
    const anyLine = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc
        .record(
          {
            t: fc.constantFrom('rec', 'drop', 'hello', 'x'),
            seq: fc.oneof(fc.integer(), fc.double(), fc.string()),
            time: fc.oneof(fc.integer(), fc.double(), fc.constant(null)),
            level: fc.oneof(fc.constantFrom(...LEVELS), fc.string()),
            schedule: fc.oneof(fc.constantFrom(...SCHEDULES), fc.string()),
            msg: fc.oneof(fc.string(), fc.integer()),
            ctx: fc.oneof(fc.constant(undefined), fc.jsonValue()),
          },
          { requiredKeys: [] },
        )
        .map((v) => JSON.stringify(v)),
    );
    fc.assert(
      fc.property(anyLine, (line) => {
        const parsed = parseClientFrame(line);
        if (!parsed.ok) {
          expect(parsed.reason.length).toBeGreaterThan(0);
          return;
        }
        // What is accepted is what the daemon relies on.
        const frame = parsed.frame;
        if (frame.t === 'hello') expect(typeof frame.session).toBe('string');
        else {
          expect(Number.isSafeInteger(frame.seq) && frame.seq > 0).toBe(true);
          expect(Number.isFinite(frame.time)).toBe(true);
          if (frame.t === 'rec') {
            expect(LEVELS).toContain(frame.level);
            expect(SCHEDULES).toContain(frame.schedule);
            expect(typeof frame.msg).toBe('string');
          } else expect(Number.isSafeInteger(frame.count) && frame.count >= 0).toBe(true);
        }
      }),
      { numRuns: 10_000 },
    );
  });

  it('rejects levels named like Object.prototype members (__proto__, constructor, toString), found by the daemon fuzz', () => {
    for (const level of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      const line = `{"t":"rec","seq":1,"time":1,"level":"${level}","schedule":"DAILY","msg":"x"}`;
      expect(parseClientFrame(line)).toEqual({ ok: false, reason: `unknown level "${level}"`, seq: 1 });
    }
  });

  it('rejects unknown levels, malformed JSON and missing seq with a reason', () => {
    expect(
      parseClientFrame('{"t":"rec","seq":1,"time":1,"level":"FATAL","schedule":"DAILY","msg":"x"}'),
    ).toMatchObject({
      ok: false,
      reason: 'unknown level "FATAL"',
      seq: 1,
    });
    expect(parseClientFrame('{"t":"rec",')).toMatchObject({ ok: false, reason: 'malformed JSON' });
    expect(
      parseClientFrame('{"t":"rec","time":1,"level":"INFO","schedule":"DAILY","msg":"x"}'),
    ).toMatchObject({ ok: false, seq: null });
    expect(parseClientFrame('[1,2]')).toMatchObject({ ok: false, reason: 'frame is not a JSON object' });
  });

  it('splits lines the same however the stream is chunked, and drops oversized lines', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.string({ unit: 'grapheme', maxLength: 30 }).map((s) => s.replace(/\n/g, ' ')),
          { maxLength: 20 },
        ),
        fc.array(fc.integer({ min: 1, max: 17 }), { minLength: 1, maxLength: 10 }),
        (lines, cuts) => {
          const bytes = Buffer.from(lines.map((l) => `${l}\n`).join(''));
          const out: string[] = [];
          let oversized = 0;
          const splitter = new LineSplitter(
            20,
            (b, start, end) => {
              expect(b[end]).toBe(10); // the newline is there, for zero-copy journaling
              out.push(b.toString('utf8', start, end));
            },
            () => oversized++,
          );
          let at = 0;
          for (let i = 0; at < bytes.length; i++) {
            const size = cuts[i % cuts.length]!;
            splitter.push(bytes.subarray(at, at + size)); // cuts may split a UTF-8 sequence
            at += size;
          }
          const expected = lines.filter((l) => l.length > 0 && Buffer.byteLength(l) <= 20);
          expect(out).toEqual(expected);
          expect(oversized).toBe(lines.filter((l) => Buffer.byteLength(l) > 20).length);
        },
      ),
    );
    const seen: string[] = [];
    let big = 0;
    const splitter = new LineSplitter(
      MAX_FRAME_BYTES,
      (b, s, e) => seen.push(b.toString('utf8', s, e)),
      () => big++,
    );
    splitter.push(Buffer.from('x'.repeat(MAX_FRAME_BYTES + 1)));
    splitter.push(Buffer.from('y'.repeat(1000) + '\nok\n'));
    expect(big).toBe(1);
    expect(seen).toEqual(['ok']);
  });

  it('parses unix:// and tcp:// transports and names a bad one', () => {
    expect(parseTransport('unix:///run/raspimon/mail-logger.sock')).toEqual({
      kind: 'unix',
      path: '/run/raspimon/mail-logger.sock',
    });
    expect(parseTransport('tcp://10.0.0.2:7000')).toEqual({ kind: 'tcp', host: '10.0.0.2', port: 7000 });
    expect(parseTransport('tcp://:7000')).toEqual({ kind: 'tcp', host: '127.0.0.1', port: 7000 });
    expect(parseTransport('tcp://[::1]:7000')).toEqual({ kind: 'tcp', host: '::1', port: 7000 });
    expect(() => parseTransport('http://x')).toThrow(RaspimonRangeError);
    expect(() => parseTransport('unix://relative.sock')).toThrow(/"unix:\/\/relative.sock" is not valid/);
  });
});
