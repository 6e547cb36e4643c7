// The packed tarball of this tree, as `npm pack` builds it (prepack runs the build), cached by
// a hash of what goes into it so a warm run of the package tests skips the build.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');
const cache = path.join(process.env.XDG_CACHE_HOME ?? path.join(homedir(), '.cache'), 'raspimon', 'package');

/** The packed tarball of this tree, built once per content (src, manifest, shipped files). */
export function packedTarball(): string {
  const files = execFileSync(
    'git',
    [
      'ls-files',
      '-co',
      '--exclude-standard',
      'src',
      'examples',
      'templates',
      'package.json',
      'tsup.config.ts',
      'tsconfig.json',
      'README.md',
      'CHANGELOG.md',
      'LICENSE',
    ],
    { cwd: root, encoding: 'utf8' },
  )
    .split('\n')
    .filter((f) => f !== '' && existsSync(path.join(root, f)))
    .sort();
  const hash = createHash('sha256');
  for (const file of files)
    hash
      .update(file)
      .update('\0')
      .update(readFileSync(path.join(root, file)));
  const tarball = path.join(cache, `raspimon-${hash.digest('hex').slice(0, 16)}.tgz`);
  if (existsSync(tarball)) return tarball;
  mkdirSync(cache, { recursive: true });
  const out = mkdtempSync(path.join(tmpdir(), 'raspimon-pack-'));
  // npm pack builds first (prepack).
  const name = execFileSync('npm', ['pack', '--silent', '--pack-destination', out], {
    cwd: root,
    encoding: 'utf8',
  })
    .trim()
    .split('\n')
    .pop()!;
  // One tarball is enough: drop those of earlier trees.
  for (const old of readdirSync(cache))
    if (old.endsWith('.tgz')) rmSync(path.join(cache, old), { force: true });
  copyFileSync(path.join(out, name), tarball);
  rmSync(out, { recursive: true, force: true });
  return tarball;
}
