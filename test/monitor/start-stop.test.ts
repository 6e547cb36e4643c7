import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DriverDefinition, Monitor, MonitorStats } from '../../src/monitor/index.js';
import { installSignalHandlers, type SignalProcess } from '../../src/monitor/signals.js';
import { useMonitorHarness, type MonitorOptions, type RecordingLogger } from './fixtures/monitor-harness.js';
import { waitFor } from '../helpers/wait.js';
import { recordingLogger } from './support.js';

const h = useMonitorHarness(() => ({
  prefix: 'stop_',
  keys: [{ keyId: 1, unit: 'n', description: 'count' }],
  devices: [{ id: 1, name: 'counter', driver: 'counter', config: {}, interval: 0.02 }],
  // Some tests leave a monitor whose stop() rejected on purpose.
  stopMayReject: true,
}));

const counter: DriverDefinition = {
  validateConfig: (config) => ({ ok: true, config, keyIds: [1] }),
  create() {
    let n = 0;
    return { read: () => [{ keyId: 1, value: n++ }] };
  },
};

/** Readings stay in memory (flushSeconds 30, huge batches) until stop() writes them. */
const makeMonitor = (
  extra: Omit<Partial<MonitorOptions>, 'logger'> = {},
): { monitor: Monitor; logger: RecordingLogger } =>
  h.monitor({ pollSeconds: 3600, flushSeconds: 30, batchSize: 100_000, drivers: { counter }, ...extra });

async function stored(): Promise<number> {
  return h.db.collection('readings').countDocuments({ id: 1 });
}

async function someReadingsAccepted(monitor: Monitor): Promise<void> {
  await waitFor(() => monitor.stats().accepted > 3, 5000, 'readings accepted in memory');
  expect(await stored()).toBe(0);
}

type Snapshot = Pick<MonitorStats, 'accepted' | 'written' | 'queued'>;
const snapshot = (monitor: Monitor): Snapshot => {
  const { accepted, written, queued } = monitor.stats();
  return { accepted, written, queued };
};

describe('Monitor.stop()', () => {
  it('two concurrent stop() calls both resolve only after every pending reading is written', async () => {
    const { monitor } = makeMonitor();
    await monitor.start();
    await someReadingsAccepted(monitor);
    const first = monitor.stop();
    const second = monitor.stop();
    // Taken on the tick each call resolves, before anything else can write.
    const [a, b] = await Promise.all([
      first.then(() => snapshot(monitor)),
      second.then(() => snapshot(monitor)),
    ]);
    expect(b).toEqual(a);
    expect(b.queued).toBe(0);
    expect(b.written).toBe(b.accepted);
    expect(await stored()).toBe(b.accepted);
    await expect(monitor.stop()).resolves.toBeUndefined();
  });

  it('two SIGINTs (handleSignals): onStop runs once, after the first stop() has written every reading', async () => {
    const { monitor, logger } = makeMonitor();
    const calls: Array<{ signal: string } & Snapshot> = [];
    monitor.handleSignals({ onStop: (signal) => calls.push({ signal, ...snapshot(monitor) }) });
    await monitor.start();
    await someReadingsAccepted(monitor);
    process.kill(process.pid, 'SIGINT');
    process.kill(process.pid, 'SIGINT');
    await waitFor(() => calls.length > 0, 5000, 'onStop');
    await new Promise((r) => setTimeout(r, 50));
    expect(calls).toHaveLength(1);
    expect(calls[0]!.signal).toBe('SIGINT');
    expect(calls[0]!.written).toBe(calls[0]!.accepted);
    expect(await stored()).toBe(calls[0]!.accepted);
    expect(logger.text('info')).toMatch(/SIGINT while stopping after SIGINT: still writing pending readings/);
    expect(process.listenerCount('SIGHUP')).toBe(0);
  });

  it('a stop() step that throws does not skip the flush; with handleSignals the failure is logged and onStop still runs', async () => {
    // A scheduler that refuses to remove the monitor's poll job (pollSeconds 1234).
    const pollJobs = new Set<string>();
    const refusing = {
      now: () => h.scheduler.now(),
      onceAfter: (s: number, fn: () => unknown) => h.scheduler.onceAfter(s, fn),
      repeatEvery: (s: number, fn: () => unknown) => {
        const id = h.scheduler.repeatEvery(s, fn);
        if (s === 1234) pollJobs.add(id);
        return id;
      },
      remove: (id: string) => {
        if (pollJobs.has(id)) throw new Error('remove refused');
        return h.scheduler.remove(id);
      },
    };
    const { monitor, logger } = makeMonitor({ scheduler: refusing, pollSeconds: 1234 });
    let stoppedWith: string | undefined;
    monitor.handleSignals({ onStop: (signal) => (stoppedWith = signal) });
    await monitor.start();
    await someReadingsAccepted(monitor);
    process.kill(process.pid, 'SIGTERM');
    await waitFor(() => stoppedWith === 'SIGTERM', 5000, 'onStop');
    expect(logger.text('error')).toMatch(
      /stop\(\) after SIGTERM failed \(Error: remove refused\); ending the process anyway/,
    );
    expect(await stored()).toBe(monitor.stats().accepted);
    await expect(monitor.stop()).rejects.toThrow('remove refused');
    expect(process.listenerCount('SIGTERM')).toBe(0);
  });
});

describe('installSignalHandlers', () => {
  function fakeProcess(): SignalProcess & {
    emit(signal: NodeJS.Signals): void;
    killed: string[];
    count(): number;
  } {
    const listeners = new Map<string, Set<(signal: NodeJS.Signals) => void>>();
    const killed: string[] = [];
    return {
      pid: 4242,
      on(event, listener) {
        if (!listeners.has(event)) listeners.set(event, new Set());
        listeners.get(event)!.add(listener);
      },
      off(event, listener) {
        listeners.get(event)?.delete(listener);
      },
      kill(pid, signal) {
        killed.push(`${pid} ${signal}`);
      },
      emit(signal) {
        for (const l of [...(listeners.get(signal) ?? [])]) l(signal);
      },
      killed,
      count: () => [...listeners.values()].reduce((n, s) => n + s.size, 0),
    };
  }

  it('a rejecting stop() is logged, the handlers are removed and the signal is raised again', async () => {
    const proc = fakeProcess();
    const logger = recordingLogger();
    let stops = 0;
    const target = {
      reload: () => Promise.resolve(),
      stop: () => {
        stops++;
        return Promise.reject(new Error('disk full'));
      },
    };
    installSignalHandlers(target, logger, {}, proc);
    expect(proc.count()).toBe(3);
    proc.emit('SIGTERM');
    proc.emit('SIGINT');
    await waitFor(() => proc.killed.length > 0, 1000, 'the signal to be raised again');
    expect(proc.killed).toEqual(['4242 SIGTERM']);
    expect(stops).toBe(1);
    expect(proc.count()).toBe(0);
    expect(logger.text('error')).toBe(
      'stop() after SIGTERM failed (Error: disk full); ending the process anyway',
    );
  });
});

describe('queries outside start()…stop()', () => {
  const queries = {
    'check()': (m: Monitor) => m.check(),
    'readings()': (m: Monitor) => m.readings({ id: 1, keyId: 1, from: 0, to: Date.now() / 1000 }),
    'latest()': (m: Monitor) => m.latest(),
    'buckets()': (m: Monitor) => m.buckets({ id: 1, keyId: 1, from: 0, to: 3600, bucketSeconds: 60 }),
  };

  it('after stop(), every query helper throws ERR_MONITOR_STATE saying to create a new Monitor', async () => {
    const { monitor } = makeMonitor();
    await monitor.start();
    await monitor.stop();
    for (const [name, run] of Object.entries(queries)) {
      await expect(run(monitor)).rejects.toMatchObject({
        name: 'MonitorStateError',
        code: 'ERR_MONITOR_STATE',
        message: `monitor.${name}: the monitor is stopped; create a new Monitor to query`,
      });
    }
  });

  it('before start(), every query helper throws ERR_MONITOR_STATE saying to start first; after a stop() without start, that it is stopped', async () => {
    const { monitor } = makeMonitor();
    for (const [name, run] of Object.entries(queries)) {
      await expect(run(monitor)).rejects.toMatchObject({
        code: 'ERR_MONITOR_STATE',
        message: `monitor.${name}: the monitor is not started; call await monitor.start() first`,
      });
    }
    await monitor.stop();
    await expect(monitor.latest()).rejects.toMatchObject({
      code: 'ERR_MONITOR_STATE',
      message: 'monitor.latest(): the monitor is stopped; create a new Monitor to query',
    });
    await expect(monitor.start()).rejects.toMatchObject({
      code: 'ERR_MONITOR_STATE',
      message: expect.stringMatching(/^monitor.start\(\): the monitor is stopped; .*create a new Monitor/),
    });
  });
});

describe('options.pidFile', () => {
  it('start() writes our pid and a newline to it (no temp file left); stop() removes it', async () => {
    const pidFile = path.join(h.stateDir, 'monitor.pid');
    const { monitor, logger } = makeMonitor({ pidFile });
    monitor.handleSignals({ onStop: () => undefined });
    await monitor.start();
    expect(readFileSync(pidFile, 'utf8')).toBe(`${process.pid}\n`);
    expect(readdirSync(h.stateDir).filter((f) => f.startsWith('monitor.pid'))).toEqual(['monitor.pid']);
    expect(logger.text('warning')).toBe('');
    await monitor.stop();
    expect(existsSync(pidFile)).toBe(false);
  });

  it('stop() leaves a pid file that another process has taken over', async () => {
    const pidFile = path.join(h.stateDir, 'monitor.pid');
    const { monitor } = makeMonitor({ pidFile });
    await monitor.start();
    writeFileSync(pidFile, '999999\n');
    await monitor.stop();
    expect(readFileSync(pidFile, 'utf8')).toBe('999999\n');
  });

  it('without handleSignals() a warning says SIGHUP from --reload would end the process', async () => {
    const pidFile = path.join(h.stateDir, 'monitor.pid');
    const { monitor, logger } = makeMonitor({ pidFile });
    await monitor.start();
    expect(logger.text('warning')).toMatch(
      /nothing handles SIGHUP: .*call monitor.handleSignals\(\) before start\(\)/,
    );
  });

  it('an unwritable pid file (missing directory, or a directory in its place) is a ConfigError naming it; no directory is created', async () => {
    const inMissingDir = path.join(h.stateDir, 'missing', 'monitor.pid');
    const { monitor } = makeMonitor({ pidFile: inMissingDir });
    await expect(monitor.start()).rejects.toMatchObject({
      name: 'ConfigError',
      code: 'ERR_CONFIG',
      message: expect.stringMatching(
        new RegExp(
          `^cannot write the pid file ${inMissingDir.replaceAll('/', '\\/')} \\(.*ENOENT.*\\); pass an options.pidFile in an existing directory`,
        ),
      ),
    });
    expect(existsSync(path.dirname(inMissingDir))).toBe(false);
    const aDirectory = path.join(h.stateDir, 'pid-dir');
    mkdirSync(aDirectory);
    const second = makeMonitor({ pidFile: aDirectory }).monitor;
    await expect(second.start()).rejects.toMatchObject({
      code: 'ERR_CONFIG',
      message: expect.stringContaining(`cannot write the pid file ${aDirectory}`),
    });
    expect(readdirSync(h.stateDir).filter((f) => f.startsWith('pid-dir'))).toEqual(['pid-dir']);
  });
});
