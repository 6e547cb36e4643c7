// Issue 17 (MEDIUM): `raspimon init` writes units systemd reads as meant. A `%`-escaped
// password (`%40`) goes into monitor.env (0600, EnvironmentFile=), not into the unit where
// systemd took `%4` for a specifier and dropped MONGODB_URI; paths with spaces and `%` are
// quoted and escaped; a symlink in the app is replaced, never followed, and --force never
// writes outside the app. The units go through `systemd-analyze verify` when it is
// installed, and always through systemd's quoting rules below.
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runInit, tempDirEachTest, type CliResult } from './support.js';

const dir = tempDirEachTest('raspimon-init-esc-');
const init = (argv: string[]): Promise<CliResult> => runInit(argv, dir());

/**
 * The words of an `ExecStart=` line as systemd passes them to the program (systemd.service(5),
 * "Command lines"): split at unquoted whitespace, double quotes removed with `\` escapes, then
 * `%%` → `%` (any other `%x` is a specifier) and `$$` → `$` (any other `$` expands a variable).
 */
function execArgv(value: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (quoted) {
      if (c === '\\') word += value[++i];
      else if (c === '"') quoted = false;
      else word += c;
    } else if (c === '"') {
      quoted = true;
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else if (c === '\\') {
      word += value[++i];
      inWord = true;
    } else {
      word += c;
      inWord = true;
    }
  }
  expect(quoted, `unterminated quote in ${value}`).toBe(false);
  if (inWord) words.push(word);
  return words.map((w) => {
    expect(w.replaceAll('%%', ''), `a specifier in ${w}`).not.toContain('%');
    expect(w.replaceAll('$$', ''), `a variable in ${w}`).not.toMatch(
      /\$(?!\{CREDENTIALS_DIRECTORY\}|\{STATE_DIRECTORY\}|MAINPID)/,
    );
    return w.replaceAll('%%', '%').replaceAll('$$', '$');
  });
}

/** A one-path setting (`WorkingDirectory=`, `EnvironmentFile=`): `%%` → `%`, no other `%`. */
function unitPathValue(value: string): string {
  expect(value.replaceAll('%%', ''), `a specifier in ${value}`).not.toContain('%');
  return value.replaceAll('%%', '%');
}

/** The value of a `NAME='value'` or `NAME="value"` line of an environment file. */
function envValue(text: string, name: string): string | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}=`)) continue;
    const raw = line.slice(name.length + 1);
    if (raw.startsWith("'")) return raw.slice(1, raw.indexOf("'", 1));
    if (raw.startsWith('"')) return raw.slice(1, -1).replace(/\\(.)/g, '$1');
    return raw.trim();
  }
  return undefined;
}

const setting = (unit: string, name: string): string[] =>
  unit
    .split('\n')
    .filter((l) => l.startsWith(`${name}=`))
    .map((l) => l.slice(name.length + 1));

const hasAnalyze = spawnSync('systemd-analyze', ['--version']).status === 0;

describe('raspimon init escapes for systemd', () => {
  it('a %-escaped password goes to a 0600 monitor.env; a directory with spaces and % is quoted and escaped in the units', async () => {
    const uri = 'mongodb://monitor:p%40ss%25w$rd@db.lan:27017/?authSource=admin';
    const app = path.join(dir(), 'my app 100%');
    const result = await init(['my app 100%', '--uri', uri]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toContain('monitor.env');

    const envPath = path.join(app, 'monitor.env');
    expect(statSync(envPath).mode & 0o777).toBe(0o600);
    expect(envValue(readFileSync(envPath, 'utf8'), 'MONGODB_URI')).toBe(uri);

    const monitor = readFileSync(path.join(app, 'systemd/raspimon-monitor.service'), 'utf8');
    expect(monitor).not.toContain('p%40ss');
    expect(monitor).not.toContain('MONGODB_URI=mongodb');
    expect(setting(monitor, 'EnvironmentFile').map(unitPathValue)).toEqual([envPath]);
    expect(setting(monitor, 'WorkingDirectory').map(unitPathValue)).toEqual([app]);
    expect(setting(monitor, 'ExecStart').map(execArgv)).toEqual([
      [process.execPath, '--lite-mode', path.join(app, 'dist/main.js')],
    ]);
    const mailLogger = readFileSync(path.join(app, 'systemd/raspimon-mail-logger.service'), 'utf8');
    expect(setting(mailLogger, 'ExecStart').map(execArgv)).toEqual([
      [
        process.execPath,
        '--lite-mode',
        path.join(app, 'node_modules/.bin/raspimon-mail-logger'),
        '${CREDENTIALS_DIRECTORY}/mail_credentials',
        '--state-dir',
        '${STATE_DIRECTORY}',
      ],
    ]);
    expect(readFileSync(path.join(app, '.gitignore'), 'utf8')).toContain('monitor.env');

    if (hasAnalyze) {
      // systemd's own reading: a specifier it cannot resolve, a bad quote or a command that
      // is not executable is a line on stderr. The executables must exist for it.
      mkdirSync(path.join(app, 'dist'));
      writeFileSync(path.join(app, 'dist/main.js'), '');
      for (const unit of ['raspimon-monitor.service', 'raspimon-mail-logger.service']) {
        const verify = spawnSync('systemd-analyze', ['verify', path.join(app, 'systemd', unit)], {
          encoding: 'utf8',
        });
        expect(`${verify.stdout}${verify.stderr}`, unit).toBe('');
        expect(verify.status).toBe(0);
      }
    }
  });

  it.runIf(hasAnalyze)('systemd-analyze verify reports the old unit text (the check can fail)', () => {
    const unit = path.join(dir(), 'old.service');
    writeFileSync(
      unit,
      `[Service]\nEnvironment=MONGODB_URI=mongodb://u:p%40ss@db/\nExecStart=${process.execPath} ${dir()}/my app/dist/main.js\n`,
    );
    const verify = spawnSync('systemd-analyze', ['verify', unit], { encoding: 'utf8' });
    expect(verify.stderr).toContain('Failed to resolve specifiers in MONGODB_URI=mongodb://u:p%40ss@db/');
  });

  it('an existing monitor.env is kept unless --uri names a new one', async () => {
    expect((await init(['--uri', 'mongodb://a/'])).code).toBe(0);
    expect((await init(['--force'])).stdout).toContain('monitor.env (kept)');
    expect(envValue(readFileSync(path.join(dir(), 'monitor.env'), 'utf8'), 'MONGODB_URI')).toBe(
      'mongodb://a/',
    );
    expect((await init(['--force', '--uri', 'mongodb://b/'])).code).toBe(0);
    expect(envValue(readFileSync(path.join(dir(), 'monitor.env'), 'utf8'), 'MONGODB_URI')).toBe(
      'mongodb://b/',
    );
  });
});

describe('raspimon init never writes through a symlink', () => {
  const outside = tempDirEachTest('raspimon-init-outside-');

  it('a dangling main.ts symlink counts as taken; --force replaces the link and never creates its target', async () => {
    const target = path.join(outside(), 'created-by-init.ts');
    symlinkSync(target, path.join(dir(), 'main.ts'));
    const refused = await init([]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('already has main.ts');
    expect(existsSync(target)).toBe(false);
    const forced = await init(['--force']);
    expect(forced.code).toBe(0);
    expect(existsSync(target)).toBe(false);
    expect(lstatSync(path.join(dir(), 'main.ts')).isFile()).toBe(true);
  });

  it('--force with main.ts linked to a file outside the app leaves that file alone', async () => {
    const victim = path.join(outside(), 'precious.txt');
    writeFileSync(victim, 'keep me\n');
    symlinkSync(victim, path.join(dir(), 'main.ts'));
    symlinkSync(path.join(outside(), 'pkg.json'), path.join(dir(), 'package.json')); // dangling
    expect((await init(['--force'])).code).toBe(0);
    expect(readFileSync(victim, 'utf8')).toBe('keep me\n');
    expect(existsSync(path.join(outside(), 'pkg.json'))).toBe(false);
    expect(lstatSync(path.join(dir(), 'package.json')).isFile()).toBe(true);
  });

  it('--force with systemd/ a symlink to another directory is refused: nothing written anywhere', async () => {
    symlinkSync(outside(), path.join(dir(), 'systemd'));
    const result = await init(['--force']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('systemd is a symlink');
    expect(readdirSync(outside())).toEqual([]);
    expect(readdirSync(dir())).toEqual(['systemd']);
  });
});
