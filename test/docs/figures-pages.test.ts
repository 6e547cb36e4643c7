// docs/reliability.md and docs/benchmarks.md are generated (`npm run figures`) from the
// committed bench/results/*.json: rendered again from that JSON, they must be what is
// committed, so a page is never stale nor edited by hand.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');

describe('generated figure pages', () => {
  it('docs/reliability.md and docs/benchmarks.md match a rendering of the committed bench/results', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/figures.ts', '--check'], {
      cwd: root,
      encoding: 'utf8',
    });
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
    expect(result.stdout).toContain('docs/benchmarks.md and docs/reliability.md are up to date');
  });
});
