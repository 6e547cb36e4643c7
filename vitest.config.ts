import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    // Hang guards, not timings: a test waits for a state, and CPU-bound tests (property runs,
    // declaration emit, daemon starts through tsx) take several times longer on a loaded
    // machine; CI runs the suite a second time beside a CPU hog per core.
    testTimeout: 120_000,
    hookTimeout: 60_000,
    // Two cores: real peers (FerretDB, smtp-server, socat) share them with the tests.
    maxWorkers: 2,
  },
});
