// From the packed tarball to a running monitor, as a new user gets there: the README's
// "Running on a Raspberry Pi" commands, run as written (the build block for real, the root
// block in a private mount namespace over a copy of /etc), the app built with the newest
// TypeScript and with 5.x, started against FerretDB and the packaged mail-logger daemon,
// stopped by SIGTERM.
//
// Warm it takes well under a minute: the tarball is cached by a hash of what goes into it
// (~/.cache/raspimon/package/, see packed-tarball.ts), npm installs prefer its cache. Cold
// (CI) it builds and downloads once.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { MailLoggerClient } from '../../src/mail-logger/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mongodbUri, uniqueDbName } from '../helpers/mongo.js';
import { SmtpSink } from '../helpers/smtp-sink.js';
import { waitFor } from '../helpers/wait.js';
import { packedTarball } from './packed-tarball.js';

const root = path.resolve(import.meta.dirname, '../..');
const npmFlags = '--prefer-offline --no-audit --no-fund --loglevel=error';

/** The sh blocks of a docs page, as lines (comments and blank lines dropped). */
function docsBlocks(page: string): string[][] {
  const body = readFileSync(path.join(root, page), 'utf8');
  return [...body.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) =>
    m[1]!
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#')),
  );
}

function sh(script: string, cwd: string, env: NodeJS.ProcessEnv = {}): string {
  // stdin not a socket: Debian's bash sources /etc/bash.bashrc when it is (and SHLVL < 2).
  const result = spawnSync('bash', ['-euo', 'pipefail', '-c', script], {
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd,
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  if (result.status !== 0)
    throw new Error(`exit ${result.status}: ${script}\n${result.stdout}\n${result.stderr}`);
  return result.stdout + result.stderr;
}

describe('the packed tarball, from npm i to a running monitor (docs/deploy.md, docs/getting-started.md)', () => {
  let dir: string;
  let app: string;
  let tarball: string;
  let sink: SmtpSink;
  let client: MongoClient;
  const namespace = uniqueDbName('raspimon_pkg');
  const [buildBlock, rootBlock] = docsBlocks('docs/deploy.md');
  // docs/getting-started.md opens with the same install and build commands.
  const [gettingStarted, gettingStartedRoot] = docsBlocks('docs/getting-started.md');

  beforeAll(() => {
    tarball = packedTarball();
    dir = mkdtempSync(path.join(tmpdir(), 'raspimon-pkg-'));
    app = path.join(dir, 'opt/raspimon-app');
    client = new MongoClient(mongodbUri());
    // A hang guard: npm pack builds (prepack), several minutes on a loaded machine.
  }, 600_000);
  afterAll(async () => {
    await client.db(namespace).dropDatabase();
    await client.close();
    await sink?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('ships what init needs, CHANGELOG and LICENSE, and no source maps', () => {
    const listing = execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' }).split('\n');
    for (const file of [
      'package/CHANGELOG.md',
      'package/LICENSE',
      'package/examples/main.ts',
      'package/examples/systemd/raspimon-monitor.service',
      'package/templates/app/tsconfig.json',
    ])
      expect(listing).toContain(file);
    expect(listing.filter((f) => f.endsWith('.map'))).toEqual([]);
    // Packed: 403 kB with the http, rules and rollups parts (maps would roughly double it).
    expect(statSync(tarball).size).toBeLessThan(600_000);
  });

  it('builds the app with the commands of docs/deploy.md, with the newest TypeScript and with 5.x', () => {
    expect(gettingStarted).toEqual(buildBlock);
    expect(buildBlock).toEqual([
      'sudo install -d -o "$USER" /opt/raspimon-app && cd /opt/raspimon-app',
      'npm i raspimon',
      'npx raspimon init --uri mongodb://db.lan:27017/',
      'npm install',
      'npm run build',
    ]);
    // As written, but in a temporary /opt, without sudo (we are root), from the tarball,
    // and with npm preferring its cache.
    const script = buildBlock!
      .map((line) =>
        line
          .replaceAll('sudo ', '')
          .replaceAll('/opt/raspimon-app', app)
          .replace(/^npm i raspimon$/, `npm i ${npmFlags} ${tarball}`)
          .replace(/^npm install$/, `npm install ${npmFlags}`),
      )
      .join('\n');
    const output = sh(script, dir, { USER: 'root' });
    expect(output).toContain('wrote ');
    const manifest = JSON.parse(readFileSync(path.join(app, 'package.json'), 'utf8')) as Record<
      string,
      Record<string, string>
    >;
    expect(manifest).toMatchObject({ type: 'module', scripts: { build: 'tsc', start: 'node dist/main.js' } });
    expect(Object.keys(manifest.dependencies!).sort()).toEqual(['mongodb', 'raspimon']);
    expect(Object.keys(manifest.optionalDependencies!)).toEqual(['serialport']);
    expect(Object.keys(manifest.devDependencies!).sort()).toEqual(['@types/node', 'typescript']);
    expect(statSync(path.join(app, 'mail_credentials')).mode & 0o777).toBe(0o600);
    const unit = readFileSync(path.join(app, 'systemd/raspimon-monitor.service'), 'utf8');
    expect(unit).toContain(`ExecStart=${process.execPath} --lite-mode ${app}/dist/main.js`);
    expect(unit).toContain(`EnvironmentFile=${app}/monitor.env`);
    expect(readFileSync(path.join(app, 'monitor.env'), 'utf8')).toContain(
      "MONGODB_URI='mongodb://db.lan:27017/'",
    );

    const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
      version: string;
    };
    expect(sh('npx raspimon --version && npx raspimon-mail-logger --version', app)).toBe(
      `raspimon ${version}\nraspimon-mail-logger ${version}\n`,
    );

    const tscVersion = (): string => sh('npx tsc --version', app).trim();
    const newest = tscVersion();
    expect(existsSync(path.join(app, 'dist/main.js'))).toBe(true);
    rmSync(path.join(app, 'dist'), { recursive: true });
    sh(`npm i ${npmFlags} --no-save typescript@5 && npm run build`, app);
    const five = tscVersion();
    expect([newest, five]).toEqual([
      expect.stringMatching(/^Version ([6-9]|\d\d)\./),
      expect.stringMatching(/^Version 5\./),
    ]);
    expect(existsSync(path.join(app, 'dist/main.js'))).toBe(true);
  }, 240_000);

  it('runs the root commands on plain Debian (no gpio group) and Raspberry Pi OS (gpio), units verified by systemd-analyze', () => {
    expect(gettingStartedRoot).toEqual(rootBlock);
    expect(rootBlock!.at(-2)).toBe('sudo systemctl daemon-reload');
    expect(rootBlock!.at(-1)).toBe('sudo systemctl enable --now raspimon-mail-logger raspimon-monitor');
    for (const gpio of [false, true]) {
      const etc = path.join(dir, `etc-${gpio ? 'pi-os' : 'debian'}`);
      sh(`rm -rf ${etc} && cp -a /etc ${etc}`, dir);
      if (gpio)
        writeFileSync(
          path.join(etc, 'group'),
          readFileSync(path.join(etc, 'group'), 'utf8') + 'gpio:x:4242:\n',
        );
      // No systemd runs here: systemctl is replaced by a verify of what was installed.
      const commands = rootBlock!
        .map((line) => line.replaceAll('sudo ', ''))
        .map((line) =>
          line.startsWith('systemctl daemon-reload')
            ? 'systemd-analyze verify /etc/systemd/system/raspimon-mail-logger.service /etc/systemd/system/raspimon-monitor.service'
            : line.startsWith('systemctl ')
              ? ':'
              : line,
        );
      const script = [
        `mount --bind ${etc} /etc`,
        `mkdir -p /etc/systemd/system`,
        ...commands,
        'id raspimon',
        'stat -c %a /etc/raspimon/mail_credentials',
      ].join('\n');
      const result = spawnSync('unshare', ['--mount', 'bash', '-euo', 'pipefail', '-c', script], {
        stdio: ['ignore', 'pipe', 'pipe'],
        cwd: app,
        encoding: 'utf8',
      });
      expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
      const [id, mode] = result.stdout.trim().split('\n').slice(-2);
      expect(id).toContain('(dialout)');
      expect(id!.includes('(gpio)')).toBe(gpio);
      expect(mode).toBe('600');
      expect(readFileSync(path.join(etc, 'passwd'), 'utf8')).toMatch(
        /^raspimon:x:\d+:\d+::\/var\/lib\/raspimon:\/usr\/sbin\/nologin$/m,
      );
    }
  }, 60_000);

  it('npm start: one start line, readings stored through the packaged daemon, exit 0 on SIGTERM; with the daemon down the error is on stderr', async () => {
    sink = await SmtpSink.start();
    const credentials = path.join(dir, 'mail_credentials');
    writeFileSync(
      credentials,
      JSON.stringify({ smtp: sink.url, from: 'pi@example.org', to: 'team@example.org' }),
      { mode: 0o600 },
    );
    const socket = `unix://${path.join(dir, 'ml.sock')}`;
    const daemon = spawn(
      path.join(app, 'node_modules/.bin/raspimon-mail-logger'),
      [credentials, '--listen', socket, '--state-dir', path.join(dir, 'ml-state')],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    const daemonExited = new Promise<number | null>((resolve) => daemon.once('exit', resolve));
    try {
      const sensor = path.join(dir, 'temperature');
      writeFileSync(sensor, '21562\n');
      const db = client.db(namespace);
      await db.collection('keys').insertOne({ keyId: 1, unit: 'mC', description: 'boiler' });
      await db.collection('devices').insertMany([
        { id: 1, name: 'boiler', driver: 'file', config: { path: sensor, keyId: 1 }, interval: 0.2 },
        { id: 2, name: 'ghost', driver: 'nonexistent', config: {} },
      ]);
      await waitFor(() => existsSync(path.join(dir, 'ml.sock')), 20_000);
      const env = {
        ...process.env,
        MONGODB_URI: mongodbUri(),
        RASPIMON_NAMESPACE: namespace,
        RASPIMON_MAIL_LOGGER: socket,
        RASPIMON_PIDFILE: path.join(dir, 'monitor.pid'),
        STATE_DIRECTORY: path.join(dir, 'monitor-state'),
      };
      const run = (command: string, args: string[], extra: NodeJS.ProcessEnv = {}) => {
        // Own process group: npm start runs sh -c node, and npm does not pass SIGTERM on.
        const child = spawn(command, args, {
          cwd: app,
          env: { ...env, ...extra },
          stdio: ['ignore', 'pipe', 'pipe'],
          detached: true,
        });
        const output = { stdout: '', stderr: '' };
        child.stdout.on('data', (d: Buffer) => (output.stdout += d.toString()));
        child.stderr.on('data', (d: Buffer) => (output.stderr += d.toString()));
        const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
        return { child, output, exited };
      };
      const startLine = new RegExp(`^monitoring ${namespace}: 1 device\\(s\\), pid \\d+\n$`);

      // npm start, as a user tries it first.
      const npmStart = run('npm', ['start', '--silent']);
      await waitFor(
        async () => (await db.collection('readings').countDocuments({ id: 1, value: 21562 })) > 0,
        30_000,
      );
      await waitFor(() => npmStart.output.stdout.includes('\n'), 60_000);
      expect(npmStart.output.stdout).toMatch(startLine);
      const [mail] = await sink.waitFor(1);
      expect(mail!.text).toContain('ghost');
      // As Ctrl-C in a terminal or systemd's control-group kill: the whole group.
      process.kill(-npmStart.child.pid!, 'SIGTERM');
      await npmStart.exited;
      await waitFor(() => !existsSync(env.RASPIMON_PIDFILE), 60_000);

      // The unit's ExecStart, as systemd runs it: SIGTERM flushes and exits 0.
      const unit = readFileSync(path.join(app, 'systemd/raspimon-monitor.service'), 'utf8');
      const [node, ...args] = /^ExecStart=(.*)$/m.exec(unit)![1]!.split(' ');
      const before = await db.collection('readings').countDocuments({ id: 1 });
      const service = run(node!, args);
      await waitFor(async () => (await db.collection('readings').countDocuments({ id: 1 })) > before, 30_000);
      await waitFor(() => service.output.stdout.includes('\n'), 60_000);
      service.child.kill('SIGTERM');
      expect(await service.exited).toBe(0);
      expect(service.output.stdout).toMatch(startLine);
      expect(existsSync(env.RASPIMON_PIDFILE)).toBe(false);

      // The mail daemon down (a socket nobody listens on): what cannot be mailed yet is on
      // stderr, so journalctl shows it; the start line is there as ever.
      const alone = run(node!, args, { RASPIMON_MAIL_LOGGER: `unix://${path.join(dir, 'nobody.sock')}` });
      await waitFor(() => alone.output.stdout.includes('\n'), 20_000);
      expect(alone.output.stdout).toMatch(startLine);
      await waitFor(() => alone.output.stderr.includes('ghost'), 20_000).catch(() => undefined);
      alone.child.kill('SIGTERM');
      expect(await alone.exited).toBe(0);
      expect(alone.output.stderr).toContain('device 2 "ghost"');

      // README: `raspimon-mail-logger --check <credentials>` sends a test mail. (Not
      // spawnSync: the SMTP sink runs in this process.)
      const check = run(path.join(app, 'node_modules/.bin/raspimon-mail-logger'), ['--check', credentials]);
      expect(await check.exited).toBe(0);
      const mails = await sink.waitFor(2);
      expect(mails.map((m) => m.subject)).toContain('raspimon-mail-logger test mail');
    } finally {
      daemon.kill('SIGTERM');
      await daemonExited;
    }
  }, 240_000); // a hang guard: npm start, the unit and the mail daemon on a loaded machine
  it('raspimon init --one-process: builds, its one unit verifies, and its ExecStart stores readings, mails through the in-process daemon (which other programs reach on the socket) and exits 0 on SIGTERM', async () => {
    // The app built above, made over as a one-process app (as a user of a Pi Zero 2 W would).
    const small = path.join(dir, 'opt/raspimon-small');
    sh(`cp -a ${app} ${small}`, dir);
    const output = sh(
      'npx raspimon init --one-process --force --uri mongodb://db.lan:27017/ && npm run build',
      small,
    );
    expect(output).toContain('systemd/raspimon.service');
    expect(readFileSync(path.join(small, 'main.ts'), 'utf8')).toBe(
      readFileSync(path.join(root, 'examples/main-one-process.ts'), 'utf8'),
    );
    const unitFile = path.join(small, 'systemd/raspimon.service');
    const unit = readFileSync(unitFile, 'utf8');
    expect(unit).toContain(`EnvironmentFile=${small}/monitor.env`);
    expect(readFileSync(path.join(small, 'monitor.env'), 'utf8')).toContain(
      "MONGODB_URI='mongodb://db.lan:27017/'",
    );
    // The unit as systemd reads it, over the /etc the root block prepared above (user raspimon).
    const etc = path.join(dir, 'etc-debian');
    const verify = spawnSync(
      'unshare',
      [
        '--mount',
        'bash',
        '-euo',
        'pipefail',
        '-c',
        `mount --bind ${etc} /etc && cp ${unitFile} /etc/systemd/system/ && systemd-analyze verify /etc/systemd/system/raspimon.service`,
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
    expect({ status: verify.status, stderr: verify.stderr }).toEqual({ status: 0, stderr: '' });

    const mails = await SmtpSink.start();
    const sensor = path.join(dir, 'small-temperature');
    writeFileSync(sensor, '21562\n');
    const ns = uniqueDbName('raspimon_pkg1');
    const db = client.db(ns);
    const socket = path.join(dir, 'small-ml.sock');
    const credentials = path.join(dir, 'small_credentials');
    writeFileSync(
      credentials,
      JSON.stringify({ smtp: mails.url, from: 'pi@example.org', to: 'team@example.org' }),
      {
        mode: 0o600,
      },
    );
    let other: MailLoggerClient | undefined;
    try {
      await db.collection('keys').insertOne({ keyId: 1, unit: 'mC', description: 'boiler' });
      await db.collection('devices').insertMany([
        { id: 1, name: 'boiler', driver: 'file', config: { path: sensor, keyId: 1 }, interval: 0.2 },
        { id: 2, name: 'ghost', driver: 'nonexistent', config: {} },
      ]);
      const [node, ...args] = /^ExecStart=(.*)$/m.exec(unit)![1]!.split(' ');
      expect(node).toBe(process.execPath);
      const child = spawn(node!, args, {
        cwd: small,
        env: {
          ...process.env,
          MONGODB_URI: mongodbUri(),
          RASPIMON_NAMESPACE: ns,
          RASPIMON_MAIL_LOGGER: `unix://${socket}`,
          RASPIMON_MAIL_CREDENTIALS: credentials,
          RASPIMON_MAIL_STATE_DIR: path.join(dir, 'small-ml-state'),
          RASPIMON_PIDFILE: path.join(dir, 'small.pid'),
          STATE_DIRECTORY: path.join(dir, 'small-state'),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.resume();
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      await waitFor(
        async () => (await db.collection('readings').countDocuments({ id: 1, value: 21562 })) > 0,
        30_000,
      );
      await waitFor(() => stdout.includes('\n'), 60_000);
      expect(stdout).toMatch(
        new RegExp(`^monitoring ${ns} with the mail logger in-process: 1 device\\(s\\), pid \\d+\n$`),
      );
      // The monitor's own report of the bad device, mailed by the daemon in its process.
      await waitFor(() => mails.messages.some((m) => m.text.includes('ghost')), 20_000);
      // Another program on the Pi logs to the same socket, as it would to the daemon.
      other = MailLoggerClient.open(`unix://${socket}`, { source: 'backup-script', tee: false });
      other.alert('backup failed');
      await other.flush();
      await waitFor(() => mails.messages.some((m) => m.text.includes('backup failed')), 20_000);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(existsSync(path.join(dir, 'small.pid'))).toBe(false);
    } finally {
      await other?.close({ timeoutSeconds: 0.5 });
      await db.dropDatabase();
      await mails.close();
    }
  }, 240_000);
});
