// `npm run docs:generate`: writes the generated docs pages; `--check` writes nothing and
// exits 1 naming each page that differs from what would be generated (CI and a test run it).
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderCliReference } from './cli-reference.js';
import { errorsPage, renderErrorsPage } from './errors-table.js';
import { renderBenchmarksPage, renderReliabilityPage } from './figures.js';

const root = path.resolve(import.meta.dirname, '../..');

/** Generated page (relative to the repository) → its renderer. */
export const generatedPages: Readonly<Record<string, () => Promise<string>>> = {
  'docs/cli-reference.md': renderCliReference,
  [errorsPage]: renderErrorsPage,
  // Their measured-figure sections, from the committed bench/results (`npm run figures`
  // merges a test run's .tmp/figures into bench/results/faults.json first).
  'docs/benchmarks.md': renderBenchmarksPage,
  'docs/reliability.md': renderReliabilityPage,
};

/** The generated pages whose file differs from a fresh rendering. */
export async function stalePages(): Promise<string[]> {
  const stale: string[] = [];
  for (const [page, render] of Object.entries(generatedPages)) {
    let current = '';
    try {
      current = readFileSync(path.join(root, page), 'utf8');
    } catch {
      // missing counts as stale
    }
    if (current !== (await render())) stale.push(page);
  }
  return stale;
}

async function main(): Promise<void> {
  if (process.argv.includes('--check')) {
    const stale = await stalePages();
    for (const page of stale) console.error(`${page} is stale: run npm run docs:generate`);
    process.exitCode = stale.length > 0 ? 1 : 0;
    return;
  }
  for (const [page, render] of Object.entries(generatedPages)) {
    writeFileSync(path.join(root, page), await render());
    console.log(`wrote ${page}`);
  }
}

if (process.argv[1] && import.meta.filename === path.resolve(process.argv[1])) await main();
