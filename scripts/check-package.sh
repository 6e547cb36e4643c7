#!/usr/bin/env bash
# Packs the package as a publish would, from a fresh clone of HEAD with no dist/ (so the
# tarball holds only what `prepack` builds), and checks it as a user gets it: publint,
# are-the-types-wrong, a clean install of the tarball in an empty app that imports every
# subpath through ESM and CJS, runs both bins, and `npx raspimon init` writes an app.
# Commits only: uncommitted changes are not in the clone. npm installs prefer its cache.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
npm_flags=(--prefer-offline --no-audit --no-fund --loglevel=error)

git clone -q "$repo" "$out/clone"
cd "$out/clone"
test ! -e dist || { echo "package: the fresh clone has a dist/" >&2; exit 1; }
npm ci "${npm_flags[@]}" >/dev/null
# npm pack runs prepack (the build): a clean checkout must ship the code.
tarball="$out/$(npm pack --silent --pack-destination "$out" | tail -n 1)"
files=$(tar tzf "$tarball")
for f in package/dist/index.js package/dist/index.cjs package/dist/index.d.ts package/dist/bin/raspimon.js package/dist/bin/mail-logger.js; do
  grep -qx "$f" <<<"$files" || { echo "package: $f missing from the tarball (no prepack build?)" >&2; exit 1; }
done
echo "package: packed from a fresh clone, $(wc -l <<<"$files") files"
npx --no-install publint run "$tarball" --strict
npx --no-install attw "$tarball" --profile node16 --format table-flipped

mkdir "$out/user" && cd "$out/user"
npm init -y >/dev/null
# No optional peers: the mail logger and identity must work without mongodb/serialport.
npm install "${npm_flags[@]}" --omit=peer "$tarball" >/dev/null
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
  const subpaths = ['raspimon', 'raspimon/scheduler', 'raspimon/mail-logger', 'raspimon/monitor', 'raspimon/identity', 'raspimon/pino', 'raspimon/http', 'raspimon/tools', 'raspimon/errors'];
  for (const s of subpaths) if (Object.keys(require(s)).length === 0) throw new Error(s + ' exports nothing (CJS)');
  console.log('package: CJS require of', subpaths.length, 'subpaths ok');
"
for bin in raspimon raspimon-mail-logger MailLoggerServer; do
  test -x "node_modules/.bin/$bin" || { echo "package: bin $bin missing" >&2; exit 1; }
done
version=$(node -p "require('raspimon/package.json').version")
test "$(npx --no-install raspimon --version)" = "raspimon $version"
test "$(npx --no-install raspimon-mail-logger --version)" = "raspimon-mail-logger $version"
npx --no-install raspimon-mail-logger --help >/dev/null
# raspimon init's templates are shipped, and init writes an app (the full path to a
# running app: test/package/init.e2e.test.ts).
for f in examples/main.ts examples/systemd/raspimon-monitor.service templates/app/tsconfig.json CHANGELOG.md LICENSE; do
  test -f "node_modules/raspimon/$f" || { echo "package: $f missing from the tarball" >&2; exit 1; }
done
mkdir app && (cd app && npx --no-install raspimon init --uri mongodb://db.lan:27017/ >/dev/null)
for f in app/package.json app/main.ts app/tsconfig.json app/systemd/raspimon-monitor.service app/systemd/raspimon-mail-logger.service; do
  test -f "$f" || { echo "package: raspimon init did not write $f" >&2; exit 1; }
done
echo "package: bins ok, raspimon init ok"
