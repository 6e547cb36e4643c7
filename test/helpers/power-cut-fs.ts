// Starts the power-cut filesystem (power-cut-fs.py: FUSE, Debian's fuse3 + python3-fusepy,
// installed by scripts/setup.sh; the tests run as root with /dev/fuse). File data written
// since the last fsync is held in memory and lost or torn at a cut fired inside the Nth write.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';

const script = path.join(import.meta.dirname, 'power-cut-fs.py');

/** What happened at a cut, as the filesystem printed it. */
export interface PowerCut {
  /** The write the cut fired in (1-based, all files). */
  write: number;
  /** The file that write was to, e.g. `/state/journal-3.ndjson`. */
  path: string;
  /** Files whose unsynced data was lost or torn. */
  files: number;
}

/** One mount of the power-cut filesystem over `backing` at `mountpoint`. */
export class PowerCutFs {
  /** Resolves at the cut (never, when `cutAt` is 0 or the cut does not come). */
  readonly cut: Promise<PowerCut>;
  private output = '';
  private readonly exited: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    readonly mountpoint: string,
  ) {
    let resolveCut!: (cut: PowerCut) => void;
    this.cut = new Promise((resolve) => (resolveCut = resolve));
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      this.output += chunk;
      const match = /^cut write=(\d+) path=(\S+) files=(\d+)$/m.exec(this.output);
      if (match) resolveCut({ write: Number(match[1]), path: match[2]!, files: Number(match[3]) });
    });
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (this.output += chunk));
    this.exited = new Promise((resolve) => child.on('exit', () => resolve()));
  }

  /** Mounts; `cutAt` 0 never cuts. Resolves once the filesystem is ready. */
  static async mount(options: {
    backing: string;
    mountpoint: string;
    cutAt: number;
    /** Count only writes to paths this matches (e.g. `sent\\.ndjson`). @default every write */
    cutMatch?: string;
    seed: number;
  }): Promise<PowerCutFs> {
    mkdirSync(options.backing, { recursive: true });
    mkdirSync(options.mountpoint, { recursive: true });
    const child = spawn(
      '/usr/bin/python3',
      [
        script,
        options.backing,
        options.mountpoint,
        '--cut-at',
        String(options.cutAt),
        '--cut-match',
        options.cutMatch ?? '',
        '--seed',
        String(options.seed),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const fs = new PowerCutFs(child, options.mountpoint);
    await new Promise<void>((resolve, reject) => {
      const check = (): void => {
        if (/^ready$/m.test(fs.output)) resolve();
        else if (child.exitCode !== null) reject(new Error(`power-cut-fs exited: ${fs.output}`));
        else setTimeout(check, 20);
      };
      check();
    });
    return fs;
  }

  /** What the filesystem printed (for a failing test's message). */
  get log(): string {
    return this.output;
  }

  /** Unmounts (lazily: a killed process may still hold files) and waits for the process. */
  async unmount(): Promise<void> {
    spawnSync('fusermount', ['-u', '-z', this.mountpoint]);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await this.exited;
    clearTimeout(timer);
  }
}
