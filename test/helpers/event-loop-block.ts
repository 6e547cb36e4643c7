// How long the event loop is blocked while some work runs: for the backlog-dump fault test
// and bench/monitor-dump.bench.ts (issue 17 HIGH 3).
import { existsSync, readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';

/** This thread's time on a CPU, in ms (Linux schedstat, ns; a vitest worker is a thread); else the process's CPU time. */
const schedstat = '/proc/thread-self/schedstat';
const threadCpuMs = existsSync(schedstat)
  ? (): number => Number(readFileSync(schedstat, 'utf8').split(' ')[0]) / 1e6
  : (): number => {
      const { user, system } = process.cpuUsage();
      return (user + system) / 1000;
    };

/**
 * Longest block seen by both probes while `work` runs, in ms of wall time, and the most CPU
 * time this thread used between two ticks of the 1 ms probe (what a loaded machine's
 * preemption does not inflate: a block the OS scheduler caused uses no CPU of ours).
 */
export async function longestBlock(
  work: () => Promise<void>,
): Promise<{ histogramMs: number; lagMs: number; cpuMs: number }> {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  let lagMs = 0;
  let cpuMs = 0;
  let last = performance.now();
  let lastCpu = threadCpuMs();
  const timer = setInterval(() => {
    const now = performance.now();
    const cpu = threadCpuMs();
    lagMs = Math.max(lagMs, now - last - 1);
    cpuMs = Math.max(cpuMs, cpu - lastCpu);
    last = now;
    lastCpu = cpu;
  }, 1);
  histogram.enable();
  try {
    await work();
  } finally {
    histogram.disable();
    clearInterval(timer);
  }
  return { histogramMs: histogram.max / 1e6, lagMs, cpuMs };
}
