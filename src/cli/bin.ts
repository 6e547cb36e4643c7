// Entry of the `raspimon` binary (tsup adds the #! line). Ctrl-C or SIGTERM ends a
// `readings tail --follow` cleanly; everything else is in main.ts.
import { runCli } from './main.js';

const controller = new AbortController();
const stop = (): void => controller.abort();
process.once('SIGINT', stop);
process.once('SIGTERM', stop);

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  signal: controller.signal,
});
process.off('SIGINT', stop);
process.off('SIGTERM', stop);
