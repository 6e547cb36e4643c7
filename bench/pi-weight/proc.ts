// What bench/pi-weight.bench.ts reads from /proc about a process it did not write: resident
// memory, CPU time (all threads, dead ones included) and context switches (a wake-up count).
import { readdirSync, readFileSync } from 'node:fs';

/** One look at a process. */
export interface ProcSample {
  /** Resident set, bytes (VmRSS). */
  rssBytes: number;
  /** User + system CPU time, seconds (from clock ticks, 10 ms each here). */
  cpuSeconds: number;
  /** Voluntary + involuntary context switches of the threads alive now. */
  switches: number;
}

const ticksPerSecond = 100; // getconf CLK_TCK on Linux (x86 and ARM alike)

/** Reads /proc/<pid>; undefined once the process is gone. */
export function sampleProc(pid: number): ProcSample | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rssKb = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? NaN);
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at field 3.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14, 15)
    let switches = 0;
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      try {
        const text = readFileSync(`/proc/${pid}/task/${task}/status`, 'utf8');
        switches += Number(/^voluntary_ctxt_switches:\s+(\d+)/m.exec(text)?.[1] ?? 0);
        switches += Number(/^nonvoluntary_ctxt_switches:\s+(\d+)/m.exec(text)?.[1] ?? 0);
      } catch {
        /* a thread that ended meanwhile */
      }
    }
    return { rssBytes: rssKb * 1024, cpuSeconds: ticks / ticksPerSecond, switches };
  } catch {
    return undefined;
  }
}

/** What a window of samples of one process comes to. */
export interface ProcFigures {
  rssMeanMB: number;
  rssPeakMB: number;
  cpuSeconds: number;
  /** Context switches per minute of the threads alive at both ends of the window. */
  wakeupsPerMinute: number;
}

/** Samples `pid` every second until `stop()`; `figures()` sums up the window. */
export class ProcWatch {
  private readonly samples: ProcSample[] = [];
  private readonly timer: NodeJS.Timeout;
  private readonly startedAt = performance.now();
  private endedAt: number | undefined;

  constructor(readonly pid: number) {
    this.take();
    this.timer = setInterval(() => this.take(), 1000);
  }

  private take(): void {
    const sample = sampleProc(this.pid);
    if (sample) this.samples.push(sample);
  }

  stop(): void {
    this.take();
    this.endedAt = performance.now();
    clearInterval(this.timer);
  }

  figures(): ProcFigures {
    const first = this.samples[0];
    const last = this.samples.at(-1);
    if (!first || !last) throw new Error(`process ${this.pid} could not be sampled`);
    const minutes = ((this.endedAt ?? performance.now()) - this.startedAt) / 60_000;
    const rss = this.samples.map((s) => s.rssBytes / 2 ** 20);
    return {
      rssMeanMB: rss.reduce((a, b) => a + b, 0) / rss.length,
      rssPeakMB: Math.max(...rss),
      cpuSeconds: last.cpuSeconds - first.cpuSeconds,
      wakeupsPerMinute: Math.max(0, last.switches - first.switches) / minutes,
    };
  }
}
