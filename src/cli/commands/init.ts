// `raspimon init [dir]`: writes a ready app (package.json, main.ts, tsconfig, systemd units,
// a credentials template) from the files shipped in the package, so a new user needs no clone.
import { chmod, lstat, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { findPackage } from '../../internal/index.js';
import type { Command, CommandContext } from '../command.js';
import { defaultUri } from '../database.js';
import { InitError } from '../errors.js';
import { envFileLine, execWord, unitPath } from '../systemd-unit.js';

const initUsage = `Usage: raspimon init [<dir>] [--uri <mongodb-uri>] [--mqtt-url <url>] [--one-process]
                      [--force]

Writes a ready monitor app into <dir> (default: the current directory):

  package.json              "type": "module", build and start scripts, raspimon, mongodb
                            and serialport (optional) as dependencies, typescript and
                            @types/node to build; an existing package.json is updated
  main.ts                   the example main script (the README's)
  tsconfig.json             builds main.ts to dist/ with TypeScript 5.x or 7.x
  systemd/*.service         units for the mail-logger daemon and the monitor, with <dir>
                            and this node filled in (escaped as systemd reads them)
  monitor.env               MONGODB_URI for the monitor unit (mode 0600: it may hold a
                            password; the unit reads it with EnvironmentFile=)
  mail_credentials          SMTP settings template (mode 0600): fill it in
  .gitignore

Then: npm install && npm run build && npm start (see raspimon's docs/deploy.md, "Running
on a Raspberry Pi"). Files that exist are not overwritten unless --force is given.

  --uri <mongodb-uri>       MONGODB_URI written to monitor.env (default: $MONGODB_URI
                            or ${defaultUri}); an existing monitor.env
                            is kept unless --uri is given
  --mqtt-url <url>          RASPIMON_MQTT_URL the monitor unit sets: readings and Home
                            Assistant discovery published there (mqtt://host:1883); the
                            unit also names RASPIMON_MQTT_CREDENTIALS, commented out
  --one-process             for the smallest boards (Pi Zero 2 W, Pi 3): main.ts hosts
                            the mail-logger daemon in the monitor's process, and one
                            unit, systemd/raspimon.service, replaces the two (about 45 MB
                            less; a crash of the monitor also pauses mail until systemd
                            restarts it, nothing acknowledged is lost)
  --force                   overwrite main.ts, tsconfig.json, the units and .gitignore
                            (never mail_credentials; a symlink is replaced, never
                            followed, and nothing is written outside <dir>)
  -h, --help                show this help`;

/** One file the app gets. */
interface AppFile {
  name: string;
  text: string;
  mode?: number;
  /** Kept as it is when it exists, even with --force (it holds a password). */
  keep?: boolean;
}

type Manifest = Record<string, unknown> & {
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  scripts?: Record<string, string>;
};

async function shipped(root: string, file: string): Promise<string> {
  try {
    return await readFile(path.join(root, file), 'utf8');
  } catch (error) {
    throw new InitError(
      `the raspimon package at ${root} lacks ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)}); reinstall raspimon`,
      { cause: error },
    );
  }
}

const templateDir = '/opt/raspimon-app';
const templateNode = '/usr/bin/node';

/**
 * A unit with the app's directory and the running node filled in, each escaped by systemd's
 * rules (paths with spaces quoted in `ExecStart=`, `%` doubled); the monitor's database
 * address goes to `monitor.env` (0600), read with `EnvironmentFile=`, never into the
 * world-readable unit.
 */
function fillUnit(text: string, dir: string, mqttUrl?: string): string {
  return text
    .split('\n')
    .map((line) => {
      if (mqttUrl !== undefined && line.startsWith('#Environment=RASPIMON_MQTT_URL='))
        return `Environment=RASPIMON_MQTT_URL=${unitPath(mqttUrl)}`;
      if (line.startsWith('#')) return line.replaceAll(templateDir, dir);
      if (line.startsWith('WorkingDirectory=')) return `WorkingDirectory=${unitPath(dir)}`;
      if (/^Environment=MONGODB_URI=/.test(line))
        return `EnvironmentFile=${unitPath(path.join(dir, envFile))}`;
      if (!line.startsWith('ExecStart=')) return line;
      const words = line.slice('ExecStart='.length).split(' ');
      return `ExecStart=${words
        .map((word) =>
          word === templateNode
            ? execWord(process.execPath)
            : word.startsWith(templateDir)
              ? execWord(dir + word.slice(templateDir.length))
              : word,
        )
        .join(' ')}`;
    })
    .join('\n');
}

/** Where the monitor unit's environment (MONGODB_URI) is written, inside the app. */
const envFile = 'monitor.env';

/** A dangling symlink exists too: lstat, never stat. */
async function present(file: string): Promise<boolean> {
  try {
    await lstat(file);
    return true;
  } catch {
    return false;
  }
}

/**
 * Writes `name` inside `dir` through a new temp file (O_EXCL: never through a link) renamed
 * over it, so a symlink in its place is replaced, never followed, and nothing is written
 * outside `dir`.
 */
async function writeInside(dir: string, name: string, text: string, mode: number): Promise<void> {
  const target = path.join(dir, name);
  const temp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.tmp`);
  await rm(temp, { force: true });
  await writeFile(temp, text, { mode, flag: 'wx' });
  await chmod(temp, mode); // umask-proof
  await rename(temp, target);
}

/** package.json of the app: what it needs added, keeping whatever the user already has. */
function appManifest(
  existing: Manifest | undefined,
  dir: string,
  ours: Record<string, unknown>,
): { manifest: Manifest; changes: string[] } {
  const devDependencies = (ours.devDependencies ?? {}) as Record<string, string>;
  const manifest: Manifest = existing
    ? { ...existing }
    : {
        name:
          path
            .basename(dir)
            .toLowerCase()
            .replace(/[^a-z0-9._-]+/g, '-')
            .replace(/^[._-]+/, '') || 'raspimon-app',
        version: '0.1.0',
        private: true,
        description: 'raspimon monitor of this Raspberry Pi',
      };
  const changes: string[] = [];
  if (manifest.type !== 'module') {
    manifest.type = 'module';
    changes.push('"type": "module" (main.ts uses top-level await)');
  }
  const add = (
    field: 'scripts' | 'dependencies' | 'optionalDependencies' | 'devDependencies',
    name: string,
    value: string,
  ): void => {
    const sections =
      field === 'scripts'
        ? [manifest.scripts]
        : [manifest.dependencies, manifest.optionalDependencies, manifest.devDependencies];
    if (sections.some((section) => section?.[name] !== undefined)) return;
    const section = { ...(manifest[field] ?? {}) };
    section[name] = value;
    manifest[field] = section;
    changes.push(`${field} ${name}: ${value}`);
  };
  add('scripts', 'build', 'tsc');
  add('scripts', 'start', 'node dist/main.js');
  add('dependencies', 'raspimon', `^${String(ours.version)}`);
  add('dependencies', 'mongodb', devDependencies.mongodb ?? '^7.0.0');
  // Only serial-line devices need it; prebuilt for arm64/armv7, optional so a failed
  // download never blocks the install.
  add('optionalDependencies', 'serialport', devDependencies.serialport ?? '^13.0.0');
  add('devDependencies', 'typescript', '^5.4.0 || ^6.0.0 || ^7.0.0');
  add('devDependencies', '@types/node', `^${process.versions.node.split('.')[0]}`);
  return { manifest, changes };
}

async function init(context: CommandContext): Promise<void> {
  const dir = path.resolve(context.io.cwd, context.positionals[0] ?? '.');
  const pkg = findPackage(import.meta.url);
  if (!pkg)
    throw new InitError('cannot find the raspimon package this command runs from; reinstall raspimon');
  const uriFlag = context.values.string('uri');
  const uri = uriFlag ?? context.io.env.MONGODB_URI ?? defaultUri;
  const force = context.values.flag('force');
  const oneProcess = context.values.flag('one-process');
  const mqttUrl = context.values.string('mqtt-url');
  if (oneProcess && mqttUrl !== undefined)
    throw new InitError(
      '--mqtt-url is not wired into the one-process main script yet; leave it out and add the MQTT output to main.ts by hand (see docs/deploy.md)',
    );

  const main = await shipped(pkg.root, oneProcess ? 'examples/main-one-process.ts' : 'examples/main.ts');
  const units = oneProcess
    ? ['raspimon.service']
    : ['raspimon-mail-logger.service', 'raspimon-monitor.service'];
  const files: AppFile[] = [
    { name: 'main.ts', text: main },
    { name: 'tsconfig.json', text: await shipped(pkg.root, 'templates/app/tsconfig.json') },
    ...(await Promise.all(
      units.map(async (unit) => ({
        name: `systemd/${unit}`,
        text: fillUnit(await shipped(pkg.root, `examples/systemd/${unit}`), dir, mqttUrl),
      })),
    )),
    {
      name: envFile,
      text: `# The monitor unit's environment (EnvironmentFile=), mode 0600: the URI may hold a password.\n${envFileLine('MONGODB_URI', uri)}\n`,
      mode: 0o600,
      // Holds the user's database password: replaced only when --uri names a new one.
      keep: uriFlag === undefined,
    },
    {
      name: 'mail_credentials',
      text: await shipped(pkg.root, 'templates/app/mail_credentials'),
      mode: 0o600,
      keep: true,
    },
    { name: '.gitignore', text: await shipped(pkg.root, 'templates/app/gitignore') },
  ];

  const manifestFile = path.join(dir, 'package.json');
  let existing: Manifest | undefined;
  if (await present(manifestFile)) {
    try {
      existing = JSON.parse(await readFile(manifestFile, 'utf8')) as Manifest;
    } catch (error) {
      // A dangling symlink: nothing to keep; it is replaced by the new file, never followed.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
        throw new InitError(
          `${manifestFile} is not valid JSON (${(error as Error).message}); fix or remove it`,
          {
            cause: error,
          },
        );
    }
  }
  const systemdDir = path.join(dir, 'systemd');
  const systemdStat = await lstat(systemdDir).catch(() => undefined);
  if (systemdStat && !systemdStat.isDirectory())
    throw new InitError(
      `${systemdDir} is ${systemdStat.isSymbolicLink() ? 'a symlink' : 'not a directory'}; init writes only inside ${dir}, so nothing was written (move it away)`,
    );
  const exists = await Promise.all(files.map((f) => present(path.join(dir, f.name))));
  const taken = files.filter((f, i) => exists[i] && (!force || f.keep));
  const blocking = taken.filter((f) => !f.keep);
  if (blocking.length > 0)
    throw new InitError(
      `${dir} already has ${blocking.map((f) => f.name).join(', ')}; nothing was written (pass --force to overwrite them)`,
    );

  const { manifest, changes } = appManifest(existing, dir, pkg.manifest);
  try {
    await mkdir(systemdDir, { recursive: true });
    await writeInside(dir, 'package.json', JSON.stringify(manifest, null, 2) + '\n', 0o644);
    for (const file of files) {
      if (taken.includes(file)) continue;
      await writeInside(dir, file.name, file.text, file.mode ?? 0o644);
    }
  } catch (error) {
    throw new InitError(
      `cannot write the app into ${dir} (${(error as NodeJS.ErrnoException).code ?? String(error)}); choose a directory you can write`,
      { cause: error },
    );
  }
  const written = files.filter((f) => !taken.includes(f)).map((f) => f.name);
  const kept = taken.map((f) => `${f.name} (kept)`);
  context.print(
    `${existing ? 'updated' : 'wrote'} ${path.join(dir, 'package.json')}${changes.length > 0 ? `: ${changes.join(', ')}` : ''}\n` +
      `wrote ${[...written, ...kept].join(', ')}\n\n` +
      `next:\n` +
      (context.positionals[0] !== undefined ? `  cd ${context.positionals[0]}\n` : '') +
      `  npm install\n  npm run build\n  fill in mail_credentials, then see docs/deploy.md of raspimon ("Running on a Raspberry Pi")\n`,
  );
}

const initCommand: Command = {
  words: ['init'],
  summary: 'write a ready monitor app: package.json, main.ts, tsconfig, systemd units',
  usage: initUsage,
  flags: { force: { type: 'boolean' }, 'mqtt-url': { type: 'string' }, 'one-process': { type: 'boolean' } },
  positionals: ['dir?'],
  run: init,
};

/** The `init` command. */
export const initCommands: readonly Command[] = [initCommand];
