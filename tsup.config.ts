import { defineConfig } from 'tsup';

// One entry per public subpath (package.json "exports"), plus the CLIs. No source maps:
// the output is readable unminified JavaScript, and maps were 64 % of the unpacked tarball.
export default defineConfig([
  {
    entry: {
      index: 'src/index.ts',
      scheduler: 'src/scheduler/index.ts',
      'mail-logger': 'src/mail-logger/index.ts',
      monitor: 'src/monitor/index.ts',
      identity: 'src/identity/index.ts',
      pino: 'src/pino/index.ts',
      http: 'src/http/index.ts',
      tools: 'src/tools/index.ts',
      errors: 'src/errors/index.ts',
    },
    format: ['esm', 'cjs'],
    dts: true,
    target: 'node20',
    platform: 'node',
    sourcemap: false,
    clean: true,
    splitting: true,
    treeshake: true,
    // Optional peers, loaded only by the monitor: never bundled.
    external: ['mongodb', 'serialport'],
  },
  {
    entry: { 'bin/mail-logger': 'src/mail-logger/daemon/bin.ts', 'bin/raspimon': 'src/cli/bin.ts' },
    format: ['esm'],
    target: 'node20',
    platform: 'node',
    sourcemap: false,
    banner: { js: '#!/usr/bin/env node' },
    external: ['mongodb', 'serialport'],
  },
]);
