import { afterEach, describe, expect, it, vi } from 'vitest';
import { Scheduler } from '../../src/scheduler/index.js';
import { waitFor } from '../helpers/wait.js';

function timers(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'Timeout' || r === 'Immediate').length;
}

afterEach(() => {
  vi.useRealTimers();
});

describe('with the real clock', () => {
  // No wall-clock bound on lateness (that is bench/scheduler-lateness.bench.ts): what the
  // design guarantees is that a firing is never early and each second boundary fires once.
  it('repeatOClock(1) fires at or after each second boundary, never before it, once per boundary (3 firings)', async () => {
    const scheduler = new Scheduler().start();
    const firstBoundary = Math.ceil((Date.now() + 1) / 1000) * 1000;
    const firedAt: number[] = [];
    scheduler.repeatOClock(1, () => firedAt.push(Date.now()));
    await waitFor(() => firedAt.length >= 3, 20_000, 'three firings');
    await scheduler.stop();
    // The k-th firing is for a boundary at least k seconds after the first one.
    firedAt.forEach((at, k) => expect(at).toBeGreaterThanOrEqual(firstBoundary + k * 1000));
  });

  it('stop() leaves no timer behind and loopForever() keeps the process alive until then', async () => {
    const before = timers();
    const scheduler = new Scheduler().start();
    scheduler.repeatEvery(3600, () => undefined);
    scheduler.onceAfter(30 * 86_400, () => undefined);
    scheduler.repeatCron('0 8 * * *', () => undefined);
    let looped = false;
    const loop = scheduler.loopForever().then(() => (looped = true));
    expect(timers()).toBe(before + 2); // the dispatch timer and the keep-alive
    await scheduler.stop();
    await loop;
    expect(looped).toBe(true);
    expect(timers()).toBe(before);
  });

  it('with no job pending and no loopForever(), it holds no timer', async () => {
    const before = timers();
    const scheduler = new Scheduler().start();
    const id = scheduler.onceAfter(60, () => undefined);
    expect(timers()).toBe(before + 1);
    scheduler.remove(id);
    expect(timers()).toBe(before);
    await scheduler.stop();
  });

  it('works under vi.useFakeTimers() (the default clock reads the globals at each call)', async () => {
    vi.useFakeTimers({ now: new Date('2026-01-01T12:00:00.400Z') });
    const scheduler = new Scheduler().start();
    const runs: string[] = [];
    const every = scheduler.repeatEvery(1, () => runs.push(`every ${new Date().toISOString()}`));
    const oclock = scheduler.repeatOClock(1, () => runs.push(`oclock ${new Date().toISOString()}`));
    scheduler.onceAfter(40 * 86_400, () => runs.push('forty days'));
    await vi.advanceTimersByTimeAsync(2000);
    expect(runs).toEqual([
      'oclock 2026-01-01T12:00:01.000Z',
      'every 2026-01-01T12:00:01.400Z',
      'oclock 2026-01-01T12:00:02.000Z',
      'every 2026-01-01T12:00:02.400Z',
    ]);
    scheduler.remove(every);
    scheduler.remove(oclock);
    await vi.advanceTimersByTimeAsync(40 * 86_400_000);
    expect(runs.at(-1)).toBe('forty days');
    await scheduler.stop();
  });
});
