import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');

describe('README', () => {
  it('shows examples/main.ts as it is (below its first comment line)', () => {
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    const main = readFileSync(path.join(root, 'examples/main.ts'), 'utf8').split('\n').slice(1).join('\n');
    const marker = '([`examples/main.ts`](examples/main.ts)):\n\n```ts\n';
    const start = readme.indexOf(marker);
    expect(start).toBeGreaterThan(-1);
    const block = readme.slice(start + marker.length, readme.indexOf('```\n', start + marker.length));
    expect(block).toBe(main);
  });

  it('starts with the demo and test commands that .ci/run runs', () => {
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    const ci = readFileSync(path.join(root, '.ci/run'), 'utf8');
    const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    const commands = firstBlock
      .split('\n')
      .map((l) => l.replace(/#.*/, '').trim())
      .filter(Boolean);
    expect(commands).toEqual(['npm run demo', 'npm test']);
    for (const command of commands) expect(ci).toContain(` ${command}`);
  });
});
