#!/usr/bin/env bash
# Packs the package and checks it as a user gets it: publint, are-the-types-wrong, and
# a clean install of the tarball that imports every subpath through ESM and CJS.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
tarball="$out/$(npm pack --silent --pack-destination "$out" | tail -n 1)"
npx --no-install publint run "$tarball" --strict
npx --no-install attw "$tarball" --profile node16 --format table-flipped
mkdir "$out/user" && cd "$out/user"
npm init -y >/dev/null
# No optional peers: the mail logger and identity must work without mongodb/serialport.
npm install --no-audit --no-fund --omit=peer --loglevel=error "$tarball" >/dev/null
node --input-type=module -e "
  const subpaths = ['raspimon', 'raspimon/scheduler', 'raspimon/mail-logger', 'raspimon/monitor', 'raspimon/identity', 'raspimon/pino', 'raspimon/http', 'raspimon/tools', 'raspimon/errors'];
  for (const s of subpaths) { const m = await import(s); if (Object.keys(m).length === 0) throw new Error(s + ' exports nothing'); }
  const { macToNamespace } = await import('raspimon/identity');
  if (macToNamespace('bc:ae:c5:71:22:fc') !== 'raspimon_bcaec57122fc') throw new Error('ESM identity broken');
  const { createStatusHandler } = await import('raspimon/http');
  if (typeof createStatusHandler !== 'function') throw new Error('ESM http broken');
  console.log('package: ESM import of', subpaths.length, 'subpaths ok');
"
node -e "
  const { macToNamespace } = require('raspimon/identity');
  if (macToNamespace('bc:ae:c5:71:22:fc') !== 'raspimon_bcaec57122fc') throw new Error('CJS identity broken');
  for (const s of ['raspimon', 'raspimon/scheduler', 'raspimon/mail-logger', 'raspimon/monitor', 'raspimon/pino', 'raspimon/http', 'raspimon/tools', 'raspimon/errors']) require(s);
  console.log('package: CJS require ok');
"
test -x node_modules/.bin/raspimon-mail-logger || { echo "package: bin raspimon-mail-logger missing" >&2; exit 1; }
test -x node_modules/.bin/MailLoggerServer || { echo "package: bin MailLoggerServer missing" >&2; exit 1; }
node_modules/.bin/raspimon-mail-logger --help >/dev/null
node_modules/.bin/raspimon-mail-logger --version >/dev/null
node_modules/.bin/raspimon --version >/dev/null
# raspimon init's templates are shipped (the full path to a running app: test/package/).
for f in examples/main.ts examples/systemd/raspimon-monitor.service templates/app/tsconfig.json CHANGELOG.md LICENSE; do
  test -f "node_modules/raspimon/$f" || { echo "package: $f missing from the tarball" >&2; exit 1; }
done
echo "package: bins ok"
