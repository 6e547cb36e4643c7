import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stopChild } from './child-process.js';

/** A pair of connected pseudo-terminals made by socat: write to `peer`, the device reads `device`. */
export interface PtyPair {
  /** Symlink to the PTY the code under test opens (like /dev/ttyUSB0). */
  device: string;
  /** Symlink to the other end, where the test plays the sensor. */
  peer: string;
  /** Stops socat: both PTYs disappear, as when a USB adapter is unplugged. */
  close(): Promise<void>;
  /** Starts socat again with the same link names (plugged back in). */
  reopen(): Promise<void>;
  /** Stops socat and removes the temp dir. */
  dispose(): Promise<void>;
}

/**
 * Starts `socat -d -d pty,raw,echo=0,link=A pty,raw,echo=0,link=B` and resolves once
 * both PTY links exist (socat prints "N PTY is /dev/pts/X" for each).
 */
export async function startPtyPair(): Promise<PtyPair> {
  const dir = mkdtempSync(path.join(tmpdir(), 'raspimon-pty-'));
  const device = path.join(dir, 'ttyDEVICE');
  const peer = path.join(dir, 'ttyPEER');
  let child: ChildProcess | undefined;

  const launch = async (): Promise<void> => {
    const proc = spawn(
      'socat',
      ['-d', '-d', `pty,raw,echo=0,link=${device}`, `pty,raw,echo=0,link=${peer}`],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    child = proc;
    await new Promise<void>((resolve, reject) => {
      let stderr = '';
      let ptys = 0;
      const timer = setTimeout(
        () => reject(new Error(`socat did not create its PTYs within 5 s: ${stderr}`)),
        5000,
      );
      proc.stderr?.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        ptys = (stderr.match(/PTY is /g) ?? []).length;
        if (
          ptys >= 2 &&
          /starting data transfer loop/.test(stderr) &&
          existsSync(device) &&
          existsSync(peer)
        ) {
          clearTimeout(timer);
          resolve();
        }
      });
      proc.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`socat exited with ${code}: ${stderr}`));
      });
    });
  };

  const terminate = async (): Promise<void> => {
    const proc = child;
    child = undefined;
    await stopChild(proc);
  };

  await launch();
  return {
    device,
    peer,
    close: terminate,
    reopen: launch,
    async dispose() {
      await terminate();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
