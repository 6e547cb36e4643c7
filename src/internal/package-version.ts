// The version of the raspimon package this code was loaded from, for the bins' --version.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Finds the nearest `package.json` named `raspimon` above `from` (a module URL) and returns
 * its version; `'unknown'` when there is none. The same code works from `src/` (tsx) and
 * from the bundled `dist/bin/`.
 */
export function packageVersion(from: string): string {
  return findPackage(from)?.manifest.version ?? 'unknown';
}

/** The raspimon package a module URL belongs to: its root directory and its package.json. */
export interface RaspimonPackage {
  /** Directory holding raspimon's package.json. */
  root: string;
  /** The parsed package.json. */
  manifest: { version: string; [field: string]: unknown };
}

/** Finds the nearest `package.json` named `raspimon` above `from` (a module URL). */
export function findPackage(from: string): RaspimonPackage | undefined {
  let dir = path.dirname(fileURLToPath(from));
  for (;;) {
    try {
      const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
        name?: unknown;
        version?: unknown;
      };
      if (manifest.name === 'raspimon' && typeof manifest.version === 'string')
        return { root: dir, manifest: manifest as RaspimonPackage['manifest'] };
    } catch {
      // no readable package.json here: look further up
    }
    const up = path.dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}
