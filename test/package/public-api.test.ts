// The front door stays small: the names each entry point exports (deprecated 0.1 aliases not
// counted), counted from the source entry points with the TypeScript checker; the error classes
// exported once; the one registry of error codes and the README table generated from it.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { errorsPage, renderErrorsPage } from '../../scripts/docs/errors-table.js';
import * as root from '../../src/index.js';
import * as errors from '../../src/errors/index.js';
import { errorCodes } from '../../src/errors/codes.js';
import * as monitor from '../../src/monitor/index.js';
import * as scheduler from '../../src/scheduler/index.js';
import * as tools from '../../src/tools/index.js';

const repo = path.resolve(import.meta.dirname, '../..');
const pkg = JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8')) as {
  exports: Record<string, unknown>;
};

/** Subpath → source entry, from package.json's exports and the tsconfig path mapping. */
const entries = Object.keys(pkg.exports)
  .filter((key) => key !== './package.json')
  .map((key) => ({
    subpath: key === '.' ? 'raspimon' : `raspimon/${key.slice(2)}`,
    file: key === '.' ? 'src/index.ts' : `src/${key.slice(2)}/index.ts`,
  }));

interface Surface {
  names: string[];
  deprecated: string[];
}

function isDeprecated(symbol: ts.Symbol): boolean {
  return (symbol.declarations ?? []).some((d) =>
    ts.getJSDocTags(d).some((t) => t.tagName.text === 'deprecated'),
  );
}

/** The names each entry exports, split into current and deprecated (an alias whose declaration says @deprecated). */
function surfaces(): Map<string, Surface> {
  const program = ts.createProgram(
    entries.map((e) => path.join(repo, e.file)),
    {
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      strict: true,
      noEmit: true,
    },
  );
  const checker = program.getTypeChecker();
  const result = new Map<string, Surface>();
  for (const entry of entries) {
    const source = program.getSourceFile(path.join(repo, entry.file))!;
    const surface: Surface = { names: [], deprecated: [] };
    for (const exported of checker.getExportsOfModule(checker.getSymbolAtLocation(source)!)) {
      let symbol = exported;
      let deprecated = isDeprecated(symbol);
      while (!deprecated && symbol.flags & ts.SymbolFlags.Alias) {
        const next = checker.getImmediateAliasedSymbol(symbol);
        if (next === undefined || next === symbol) break;
        symbol = next;
        deprecated = isDeprecated(symbol);
      }
      (deprecated ? surface.deprecated : surface.names).push(exported.name);
    }
    result.set(entry.subpath, surface);
  }
  return result;
}

describe('the public surface', () => {
  const counted = surfaces();

  it('root raspimon exports at most 45 names and every subpath at most 30 (0.1 aliases marked @deprecated not counted)', () => {
    const counts = Object.fromEntries([...counted].map(([subpath, s]) => [subpath, s.names.length]));
    console.log('public names per entry point:', JSON.stringify(counts));
    expect(counted.get('raspimon')!.names.length).toBeLessThanOrEqual(45);
    for (const [subpath, surface] of counted) {
      if (subpath !== 'raspimon') expect(surface.names.length, subpath).toBeLessThanOrEqual(30);
    }
    expect(counted.get('raspimon/tools')!.names.length).toBeGreaterThan(0);
  });

  it('exports each error class from raspimon and raspimon/errors only, the same class object in both', () => {
    const errorClasses = Object.keys(errors).filter((name) => name.endsWith('Error'));
    expect(errorClasses.length).toBeGreaterThanOrEqual(15);
    for (const name of errorClasses) {
      expect((root as Record<string, unknown>)[name], name).toBe((errors as Record<string, unknown>)[name]);
    }
    for (const [subpath, surface] of counted) {
      if (subpath === 'raspimon' || subpath === 'raspimon/errors') continue;
      expect(
        surface.names.filter((n) => n.endsWith('Error')),
        subpath,
      ).toEqual([]);
    }
  });

  it('keeps the 0.1 names working as deprecated aliases of the same objects, each listed in the CHANGELOG', () => {
    expect(monitor.FleetWatch).toBe(tools.FleetWatch);
    expect(root.validateConfig).toBe(tools.validateConfig);
    expect(scheduler.RaspimonError).toBe(errors.RaspimonError);
    expect(new errors.ConfigError('x')).toBeInstanceOf(monitor.ConfigError);
    const changelog = readFileSync(path.join(repo, 'CHANGELOG.md'), 'utf8');
    const unreleased = changelog.slice(0, changelog.indexOf('\n## [0.1.0]'));
    const deprecated = new Set([...counted.values()].flatMap((s) => s.deprecated));
    expect(deprecated.size).toBeGreaterThan(0);
    expect([...deprecated].filter((name) => !unreleased.includes(`\`${name}\``))).toEqual([]);
  });

  it('builds and documents every subpath of package.json exports (tsup entry, typedoc entry point)', () => {
    const tsup = readFileSync(path.join(repo, 'tsup.config.ts'), 'utf8');
    const typedoc = JSON.parse(readFileSync(path.join(repo, 'typedoc.json'), 'utf8')) as {
      entryPoints: string[];
    };
    for (const entry of entries) {
      expect(tsup, entry.file).toContain(`'${entry.file}'`);
      if (entry.subpath !== 'raspimon') expect(typedoc.entryPoints, entry.file).toContain(entry.file);
    }
  });
});

describe('the error-code registry', () => {
  it("lists every code thrown in src/ (Node's own ERR_MODULE_NOT_FOUND aside)", () => {
    const thrown = new Set<string>();
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const full = path.join(dir, name);
        if (statSync(full).isDirectory()) walk(full);
        else if (name.endsWith('.ts') && full !== path.join(repo, 'src/errors/codes.ts'))
          for (const [, code] of readFileSync(full, 'utf8').matchAll(/'(ERR_[A-Z_]+)'/g)) thrown.add(code!);
      }
    };
    walk(path.join(repo, 'src'));
    thrown.delete('ERR_MODULE_NOT_FOUND');
    expect(thrown.size).toBeGreaterThan(30);
    expect([...thrown].filter((code) => !(code in errorCodes)).sort()).toEqual([]);
  });

  it('names an exported class for each code (the CLI-only ones in src/cli/errors.ts)', () => {
    const cliErrors = readFileSync(path.join(repo, 'src/cli/errors.ts'), 'utf8');
    for (const [code, info] of Object.entries(errorCodes)) {
      if ('cliOnly' in info) expect(cliErrors, code).toContain(`export class ${info.class} `);
      else
        expect(typeof (errors as Record<string, unknown>)[info.class], `${code}: ${info.class}`).toBe(
          'function',
        );
    }
  });

  it('is what the Errors table of docs/errors.md shows (regenerate with `npm run docs:generate`)', async () => {
    const page = readFileSync(path.join(repo, errorsPage), 'utf8');
    expect(page).toBe(await renderErrorsPage());
    for (const code of Object.keys(errorCodes)) expect(page).toContain(`| \`${code}\``);
  });
});
