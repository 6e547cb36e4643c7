import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const srcRoot = path.resolve(import.meta.dirname, '../../src');

/** Imports between the files of one folder (type-only imports included), by file name. */
function localImports(folder: string): Map<string, string[]> {
  const dir = path.join(srcRoot, folder);
  const graph = new Map<string, string[]>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
    const text = readFileSync(path.join(dir, file), 'utf8');
    const targets = [...text.matchAll(/from '\.\/([\w-]+)\.js'/g)].map((m) => `${m[1]}.ts`);
    graph.set(file, targets);
  }
  return graph;
}

/** One import cycle as a list of files, or null when there is none. */
function findCycle(graph: Map<string, string[]>): string[] | null {
  const state = new Map<string, 'open' | 'done'>();
  const trail: string[] = [];
  const visit = (file: string): string[] | null => {
    if (state.get(file) === 'done') return null;
    if (state.get(file) === 'open') return [...trail.slice(trail.indexOf(file)), file];
    state.set(file, 'open');
    trail.push(file);
    for (const target of graph.get(file) ?? []) {
      const cycle = visit(target);
      if (cycle) return cycle;
    }
    trail.pop();
    state.set(file, 'done');
    return null;
  };
  for (const file of graph.keys()) {
    const cycle = visit(file);
    if (cycle) return cycle;
  }
  return null;
}

describe('module structure', () => {
  it.each(['identity', 'scheduler'])(
    'src/%s/ has no import cycle (type-only imports count too)',
    (folder) => {
      const graph = localImports(folder);
      expect(graph.size).toBeGreaterThan(3);
      expect(findCycle(graph)).toBeNull();
    },
  );

  it('the cycle finder finds one (errors → select → mac → errors, as identity had)', () => {
    const graph = new Map([
      ['errors.ts', ['select.ts']],
      ['select.ts', ['mac.ts']],
      ['mac.ts', ['errors.ts']],
    ]);
    expect(findCycle(graph)).toEqual(['errors.ts', 'select.ts', 'mac.ts', 'errors.ts']);
  });
});
