// A publish from a clean checkout ships the code: scripts/check-package.sh clones HEAD into
// a temp dir (no dist/), runs npm ci and npm pack there (prepack builds), installs the
// tarball in an empty app, imports every subpath through ESM and CJS, runs the bins and
// `npx raspimon init`. This test runs exactly that script (`npm run check:package`).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
/** Every subpath package.json exports (`./package.json` aside): each must import. */
const subpaths = Object.keys(
  (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { exports: object }).exports,
).filter((key) => key !== './package.json').length;

describe('npm pack from a fresh clone (no dist/)', () => {
  it('ships dist/: the tarball installs in an empty app, every subpath imports (ESM and CJS), both bins run, npx raspimon init writes an app', async () => {
    const child = spawn('bash', [path.join(root, 'scripts/check-package.sh')], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect({ code, output }).toMatchObject({ code: 0 });
    expect(output).toMatch(/^package: packed from a fresh clone, \d+ files$/m);
    expect(output).toContain(`package: ESM import of ${subpaths} subpaths ok`);
    expect(output).toContain(`package: CJS require of ${subpaths} subpaths ok`);
    expect(output).toContain('package: bins ok, raspimon init ok');
    // A hang guard: npm ci of the dev dependencies (from npm's cache) and a build; minutes
    // beside the loaded CI pass.
  }, 900_000);
});
