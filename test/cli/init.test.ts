// `raspimon init` in-process: what it writes, what it keeps, what it refuses. (The built app
// itself, from the packed tarball, is test/package/init.e2e.test.ts.)
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { root, runInit, tempDirEachTest, type CliResult } from './support.js';

const dir = tempDirEachTest('raspimon-init-');
const init = (argv: string[]): Promise<CliResult> => runInit(argv, dir());

describe('raspimon init', () => {
  it('writes the app: ESM package.json, the example main, tsconfig with types node, units with the directory, credentials 0600', async () => {
    const result = await init(['app', '--uri', 'mongodb://db.lan:27017/']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toContain('next:\n  cd app\n  npm install\n  npm run build\n');
    const app = path.join(dir(), 'app');
    const manifest = JSON.parse(readFileSync(path.join(app, 'package.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
      version: string;
    };
    expect(manifest).toMatchObject({
      name: 'app',
      private: true,
      type: 'module',
      scripts: { build: 'tsc', start: 'node dist/main.js' },
      dependencies: { raspimon: `^${version}`, mongodb: expect.any(String) as string },
      optionalDependencies: { serialport: expect.any(String) as string },
      devDependencies: {
        typescript: expect.any(String) as string,
        '@types/node': expect.any(String) as string,
      },
    });
    expect(readFileSync(path.join(app, 'main.ts'), 'utf8')).toBe(
      readFileSync(path.join(root, 'examples/main.ts'), 'utf8'),
    );
    expect(readFileSync(path.join(app, 'tsconfig.json'), 'utf8')).toContain('"types": ["node"]');
    const unit = readFileSync(path.join(app, 'systemd/raspimon-mail-logger.service'), 'utf8');
    expect(unit).toContain(
      `ExecStart=${process.execPath} --lite-mode ${app}/node_modules/.bin/raspimon-mail-logger `,
    );
    expect(unit).not.toContain('/opt/raspimon-app');
    expect(readFileSync(path.join(app, 'systemd/raspimon-monitor.service'), 'utf8')).toContain(
      `EnvironmentFile=${app}/monitor.env`,
    );
    expect(readFileSync(path.join(app, 'monitor.env'), 'utf8')).toContain(
      "MONGODB_URI='mongodb://db.lan:27017/'",
    );
    expect(statSync(path.join(app, 'mail_credentials')).mode & 0o777).toBe(0o600);
    expect(readFileSync(path.join(app, '.gitignore'), 'utf8')).toContain('mail_credentials');
  });

  it('updates an existing package.json (CommonJS from npm init -y) and keeps its raspimon dependency', async () => {
    writeFileSync(
      path.join(dir(), 'package.json'),
      JSON.stringify({
        name: 'mine',
        type: 'commonjs',
        scripts: { test: 'x' },
        dependencies: { raspimon: 'file:../raspimon.tgz' },
      }),
    );
    const result = await init([]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^updated .*package\.json: "type": "module"/);
    const manifest = JSON.parse(readFileSync(path.join(dir(), 'package.json'), 'utf8')) as Record<
      string,
      Record<string, string>
    >;
    expect(manifest).toMatchObject({
      name: 'mine',
      type: 'module',
      scripts: { test: 'x', build: 'tsc', start: 'node dist/main.js' },
      dependencies: { raspimon: 'file:../raspimon.tgz' },
    });
  });

  it('refuses to overwrite app files (nothing written) unless --force, and never overwrites mail_credentials', async () => {
    writeFileSync(path.join(dir(), 'main.ts'), '// mine\n');
    const refused = await init([]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      `raspimon: ${dir()} already has main.ts; nothing was written (pass --force to overwrite them)\n`,
    );
    expect(existsSync(path.join(dir(), 'package.json'))).toBe(false);
    writeFileSync(path.join(dir(), 'mail_credentials'), '{"secret": true}\n', { mode: 0o600 });
    const forced = await init(['--force']);
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain('mail_credentials (kept)');
    expect(readFileSync(path.join(dir(), 'main.ts'), 'utf8')).not.toBe('// mine\n');
    expect(readFileSync(path.join(dir(), 'mail_credentials'), 'utf8')).toBe('{"secret": true}\n');
  });
  it('--one-process writes the one-process main script and one unit, systemd/raspimon.service, instead of the two', async () => {
    const result = await init(['small', '--one-process']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const app = path.join(dir(), 'small');
    expect(readFileSync(path.join(app, 'main.ts'), 'utf8')).toBe(
      readFileSync(path.join(root, 'examples/main-one-process.ts'), 'utf8'),
    );
    expect(existsSync(path.join(app, 'systemd/raspimon-mail-logger.service'))).toBe(false);
    expect(existsSync(path.join(app, 'systemd/raspimon-monitor.service'))).toBe(false);
    const unit = readFileSync(path.join(app, 'systemd/raspimon.service'), 'utf8');
    expect(unit).toMatch(
      new RegExp(`^ExecStart=${process.execPath} --lite-mode ${app}/dist/main\\.js$`, 'm'),
    );
    expect(unit).toContain('LoadCredential=mail_credentials:/etc/raspimon/mail_credentials');
    expect(unit).toMatch(/^MemoryMax=\d+M$/m);
    expect(statSync(path.join(app, 'mail_credentials')).mode & 0o777).toBe(0o600);
  });
  it('--one-process with --mqtt-url is refused, nothing written (the one-process script has no MQTT wiring yet)', async () => {
    const result = await init(['small', '--one-process', '--mqtt-url', 'mqtt://ha.lan:1883']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('--mqtt-url is not wired into the one-process main script yet');
    expect(existsSync(path.join(dir(), 'small'))).toBe(false);
  });
});
