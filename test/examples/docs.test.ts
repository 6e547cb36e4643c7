// The docs as a reader meets them: a README on one screen linking every page, links that
// resolve, each page opening with an example that this file runs against real peers
// (FerretDB, a mail-logger daemon with an SMTP sink), and generated pages as fresh as a
// regeneration.
import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MailLoggerServer } from '../../src/mail-logger/index.js';
import { stalePages } from '../../scripts/docs/generate.js';
import { mongodbUri, uniqueDbName } from '../helpers/mongo.js';
import { SmtpSink } from '../helpers/smtp-sink.js';
import { waitFor } from '../helpers/wait.js';

const root = path.resolve(import.meta.dirname, '../..');
const docsDir = path.join(root, 'docs');
const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
const pages = readdirSync(docsDir).filter((name) => name.endsWith('.md'));
const read = (page: string): string => readFileSync(path.join(docsDir, page), 'utf8');

/** What the namespace holds before an opening example runs. */
type Seed = 'nothing' | 'counter' | 'boiler';

/** A page's opening example: a file under examples/docs/ shown verbatim, run here. */
interface RunOpening {
  file: string;
  seed: Seed;
  /** Printed (stdout) by a successful run. */
  prints: RegExp;
  /** A mail whose text the SMTP sink must receive. */
  mails?: RegExp;
  /** Runs until SIGTERM (a long-running program): sent once `prints` appeared. */
  untilSigterm?: boolean;
}
/** A page whose opening another test runs, or that is generated. */
interface OtherOpening {
  runBy: string;
  /** What that file must contain to be tied to this page. */
  mentions: string;
}

const openings: Record<string, RunOpening | OtherOpening> = {
  'architecture.md': {
    file: 'examples/docs/architecture.ts',
    seed: 'counter',
    prints: /4\. the daemon acknowledged/,
    mails: /boiler probe unplugged/,
  },
  'benchmarks.md': { runBy: 'scripts/docs/generate.ts', mentions: 'docs/benchmarks.md' },
  'cli-reference.md': { runBy: 'scripts/docs/generate.ts', mentions: 'docs/cli-reference.md' },
  'cli.md': { file: 'examples/docs/cli.sh', seed: 'nothing', prints: /boiler/ },
  'deploy.md': { runBy: 'test/package/init.e2e.test.ts', mentions: 'docs/deploy.md' },
  'developing.md': { runBy: '.ci/run', mentions: 'npm test' },
  'drivers.md': { file: 'examples/docs/drivers.ts', seed: 'counter', prints: /stored device 1 key 1: 2/ },
  'errors.md': { file: 'examples/docs/errors.ts', seed: 'nothing', prints: /ERR_SCHEDULER_NOT_STARTED/ },
  'fleet-watch.md': { file: 'examples/docs/fleet-watch.sh', seed: 'counter', prints: /raspimon_docs_/ },
  // Steps 1 and 2 are docs/deploy.md's commands (the package test checks they are the same).
  'getting-started.md': { runBy: 'test/package/init.e2e.test.ts', mentions: 'docs/getting-started.md' },
  'http.md': { file: 'examples/docs/http.ts', seed: 'boiler', prints: /raspimon_devices 1/ },
  'identity.md': { file: 'examples/docs/identity.ts', seed: 'nothing', prints: /^raspimon_[0-9a-f]{12}$/m },
  'mail-logger.md': {
    file: 'examples/docs/mail-logger.ts',
    seed: 'nothing',
    prints: /^$/,
    mails: /Something very bad happened/,
  },
  'monitor.md': {
    file: 'examples/docs/monitor.ts',
    seed: 'boiler',
    prints: /monitoring 1 device\(s\)/,
    untilSigterm: true,
  },
  'pino.md': {
    file: 'examples/docs/pino.ts',
    seed: 'nothing',
    prints: /^$/,
    mails: /boiler probe unplugged/,
  },
  'reliability.md': { runBy: 'scripts/docs/generate.ts', mentions: 'docs/reliability.md' },
  'rules.md': { file: 'examples/docs/rules.sh', seed: 'nothing', prints: /freezer warm/ },
  'scheduler.md': { file: 'examples/docs/scheduler.ts', seed: 'nothing', prints: /read kitchen/ },
  'troubleshooting.md': { file: 'examples/docs/troubleshooting.sh', seed: 'boiler', prints: /21562/ },
};

/** Fenced code blocks of a Markdown text, in order, with their language and line. */
function codeBlocks(text: string): { lang: string; body: string; line: number }[] {
  const blocks: { lang: string; body: string; line: number }[] = [];
  const re = /^```(\w*)\n([\s\S]*?)^```$/gm;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    blocks.push({ lang: m[1] ?? '', body: m[2] ?? '', line: text.slice(0, m.index).split('\n').length });
  }
  return blocks;
}

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function anchors(text: string): Set<string> {
  const withoutCode = text.replace(/^```[\s\S]*?^```$/gm, '');
  return new Set([...withoutCode.matchAll(/^#{1,6} (.*)$/gm)].map((m) => slug(m[1] ?? '')));
}

describe('README and docs/ as a newcomer reads them', () => {
  it('keeps the README on one screen: at most 20 kB', () => {
    expect(Buffer.byteLength(readme)).toBeLessThanOrEqual(20_000);
  });

  it('links every docs page from the README', () => {
    const linked = new Set([...readme.matchAll(/\]\(docs\/([\w-]+\.md)(?:#[^)]*)?\)/g)].map((m) => m[1]));
    expect(pages.filter((page) => !linked.has(page))).toEqual([]);
  });

  it('has no link to a file or heading that does not exist', () => {
    const broken: string[] = [];
    const files: [string, string][] = [
      ['README.md', readme],
      ...pages.map((page): [string, string] => [`docs/${page}`, read(page)]),
    ];
    for (const [file, text] of files) {
      const withoutCode = text.replace(/^```[\s\S]*?^```$/gm, '').replace(/`[^`\n]*`/g, '');
      for (const m of withoutCode.matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = m[1] ?? '';
        if (/^[a-z]+:/.test(target)) continue; // https:, mailto:
        const [where, anchor] = target.split('#') as [string, string | undefined];
        const resolved =
          where === '' ? path.join(root, file) : path.resolve(path.dirname(path.join(root, file)), where);
        if (!existsSync(resolved)) {
          // docs/api/ is built by `npm run docs`, not committed.
          if (!resolved.startsWith(path.join(docsDir, 'api'))) broken.push(`${file}: ${target}`);
          continue;
        }
        if (anchor && resolved.endsWith('.md') && !anchors(readFileSync(resolved, 'utf8')).has(anchor)) {
          broken.push(`${file}: ${target} (no such heading)`);
        }
      }
    }
    expect(broken).toEqual([]);
  });

  it('names only files that exist when it names a path in the repository (`src/…`, `test/…`, …)', () => {
    const missing: string[] = [];
    for (const [file, text] of [
      ['README.md', readme],
      ...pages.map((page) => [`docs/${page}`, read(page)]),
    ] as const) {
      for (const m of text.matchAll(
        /`((?:src|test|bench|scripts|examples|templates)\/[\w./-]+\.(?:ts|js|json|sh|py|md|service))`/g,
      )) {
        const named = m[1] ?? '';
        if (!existsSync(path.join(root, named))) missing.push(`${file}: ${named}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('writes tables without column padding, so a one-cell change is a one-line diff', () => {
    const padded: string[] = [];
    for (const [file, text] of [
      ['README.md', readme],
      ...pages.map((page) => [`docs/${page}`, read(page)]),
    ] as const) {
      const withoutCode = text.replace(/^```[\s\S]*?^```$/gm, '');
      for (const line of withoutCode.split('\n')) {
        if (
          /^\|.*\|$/.test(line) &&
          (/[^ |] {2,}\|/.test(line) || /\| {2,}[^ |]/.test(line) || /\| ?-{4,}/.test(line))
        )
          padded.push(`${file}: ${line.slice(0, 60)}`);
      }
    }
    expect(padded).toEqual([]);
  });

  it('opens every page with an example, right under its title and first paragraph', () => {
    const late: string[] = [];
    for (const page of pages) {
      const first = codeBlocks(read(page))[0];
      const firstHeadingAfterTitle = read(page)
        .split('\n')
        .findIndex((l, i) => i > 0 && l.startsWith('## '));
      if (!first || (firstHeadingAfterTitle >= 0 && first.line > firstHeadingAfterTitle + 1)) late.push(page);
    }
    expect(late).toEqual([]);
  });

  it('knows how each page opening is run, and shows the example files as they are', () => {
    expect(Object.keys(openings).sort()).toEqual([...pages].sort());
    for (const [page, opening] of Object.entries(openings)) {
      if ('runBy' in opening) {
        expect(
          readFileSync(path.join(root, opening.runBy), 'utf8'),
          `${opening.runBy} for ${page}`,
        ).toContain(opening.mentions);
        continue;
      }
      const example = readFileSync(path.join(root, opening.file), 'utf8').split('\n').slice(1).join('\n');
      expect(codeBlocks(read(page))[0]?.body, `the first block of docs/${page} is ${opening.file}`).toBe(
        example,
      );
    }
  });

  it('has no generated page older than its sources (npm run docs:generate)', async () => {
    expect(await stalePages()).toEqual([]);
  });
});

describe('each page opening runs against real peers', () => {
  const uri = mongodbUri();
  const client = new MongoClient(uri);
  const work = mkdtempSync(path.join(os.tmpdir(), 'raspimon-docs-'));
  const bin = path.join(work, 'bin');
  let sink: SmtpSink;
  let daemon: MailLoggerServer;
  const socket = path.join(work, 'mail-logger.sock');

  beforeAll(async () => {
    sink = await SmtpSink.start();
    const credentials = path.join(work, 'mail_credentials');
    writeFileSync(
      credentials,
      JSON.stringify({
        smtp: `smtp://127.0.0.1:${sink.port}`,
        from: 'pi@example.org',
        to: ['team@example.org'],
      }),
      { mode: 0o600 },
    );
    daemon = await MailLoggerServer.start({
      credentials,
      listen: `unix://${socket}`,
      stateDir: path.join(work, 'state'),
      log: () => undefined,
    });
    // `raspimon` on PATH, as `npm i raspimon` puts it there: the CLI from this checkout.
    mkdirSync(bin);
    writeFileSync(
      path.join(bin, 'raspimon'),
      `#!/bin/sh\nexec "${process.execPath}" --import tsx "${path.join(root, 'src/cli/bin.ts')}" "$@"\n`,
      { mode: 0o755 },
    );
  });

  afterAll(async () => {
    await daemon?.close();
    await sink?.close();
    await client.close();
    rmSync(work, { recursive: true, force: true });
  });

  async function seed(namespace: string, what: Seed): Promise<void> {
    if (what === 'nothing') return;
    const db = client.db(namespace);
    await db.collection('keys').insertOne({ keyId: 1, unit: 'count', description: 'a counter' });
    if (what === 'counter') {
      await db
        .collection('devices')
        .insertOne({ id: 1, name: 'counter', driver: 'counter', config: { keyId: 1 }, interval: 1 });
      await db.collection('readings').insertOne({ id: 1, keyId: 1, value: 1, ts: new Date() });
    } else {
      const file = path.join(work, `${namespace}-temperature`);
      writeFileSync(file, '21562\n');
      await db
        .collection('devices')
        .insertOne({ id: 3, name: 'boiler', driver: 'file', config: { path: file, keyId: 1 }, interval: 1 });
      await db.collection('readings').insertOne({ id: 3, keyId: 1, value: 21562, ts: new Date() });
    }
  }

  /** Runs one opening; resolves with what it printed once it exited 0. */
  async function run(opening: RunOpening, namespace: string): Promise<string> {
    const isShell = opening.file.endsWith('.sh');
    const argv = isShell
      ? ['bash', ['-e', path.join(root, opening.file)]]
      : [process.execPath, ['--import', 'tsx', path.join(root, opening.file)]];
    const child = spawn(argv[0] as string, argv[1] as string[], {
      cwd: root,
      env: {
        ...process.env,
        PATH: `${bin}:${process.env.PATH ?? ''}`,
        MONGODB_URI: uri,
        RASPIMON_NAMESPACE: namespace,
        RASPIMON_MAIL_LOGGER: `unix://${socket}`,
        // The monitor's state (spool, status file) in this test's directory.
        STATE_DIRECTORY: path.join(work, 'monitor-state'),
        HOME: work,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    if (opening.untilSigterm) {
      await waitFor(
        () => opening.prints.test(stdout) || child.exitCode !== null,
        30_000,
        `${opening.file} printing ${opening.prints}`,
      );
      child.kill('SIGTERM');
    }
    const code = await exited;
    expect({ code, stderr }, `${opening.file} printed:\n${stdout}`).toEqual({
      code: 0,
      stderr: expect.any(String) as string,
    });
    return stdout;
  }

  it('docs/getting-started.md: the commands of step 3 describe the freezer, its rule, and read the probe', async () => {
    const step3 = codeBlocks(read('getting-started.md')).filter((b) => b.lang === 'sh')[2];
    expect(step3?.body).toContain('npx raspimon rules add');
    const probe = path.join(work, 'freezer-temperature');
    writeFileSync(probe, '-18500\n');
    const script = (step3?.body ?? '')
      .replaceAll('npx raspimon', 'raspimon')
      .replaceAll('/sys/bus/w1/devices/28-0316a2791eff/temperature', probe);
    const namespace = uniqueDbName('raspimon_docs_');
    writeFileSync(path.join(work, 'getting-started.sh'), `# step 3\n${script}`);
    const stdout = await run(
      {
        file: path.relative(root, path.join(work, 'getting-started.sh')),
        seed: 'nothing',
        prints: /-18\.5 °C/,
      },
      namespace,
    );
    expect(stdout).toMatch(/-18\.5 °C/);
    const rules = await client.db(namespace).collection('rules').find().toArray();
    expect(rules.map((r) => [r.name as unknown, r.above as unknown, r.forSeconds as unknown])).toEqual([
      ['freezer warm', -100, 300],
    ]);
  }, 180_000); // a loaded 2-core machine runs each CLI process slowly

  for (const [page, opening] of Object.entries(openings)) {
    if ('runBy' in opening) continue;
    it(`docs/${page}: ${opening.file} runs and does what the page says`, async () => {
      const namespace = uniqueDbName('raspimon_docs_');
      await seed(namespace, opening.seed);
      const stdout = await run(opening, namespace);
      expect(stdout).toMatch(opening.prints);
      if (opening.mails) {
        const mails = opening.mails;
        await waitFor(
          () => sink.messages.some((m) => mails.test(m.text)),
          20_000,
          `a mail matching ${mails}`,
        );
      }
    }, 180_000);
  }
});
