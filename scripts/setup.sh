#!/usr/bin/env bash
# Installs what the tests and the demo need beyond npm packages: socat (serial PTY
# pairs), mosquitto (MQTT broker), Debian's chromium (the status page's browser tests),
# fuse3 + python3-fusepy (the power-cut filesystem) and FerretDB (a MongoDB-compatible
# server), all idempotent and quick when present.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules ]; then
  npm ci --no-audit --no-fund
fi
if ! command -v socat >/dev/null 2>&1; then
  echo "setup: installing socat" >&2
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq socat >&2
fi
# Debian's mosquitto: the MQTT driver and output are tested against a real broker.
if ! command -v mosquitto >/dev/null 2>&1 && [ ! -x /usr/sbin/mosquitto ]; then
  echo "setup: installing mosquitto" >&2
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq mosquitto >&2
fi
# Debian's chromium: the status page is tested in a real headless browser (playwright-core).
if ! command -v chromium >/dev/null 2>&1 && [ -z "${RASPIMON_CHROMIUM:-}" ]; then
  echo "setup: installing chromium" >&2
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium >&2
fi
# fuse3 + python3-fusepy: the power-cut filesystem of the fault tests (test/helpers/power-cut-fs.py,
# which runs under Debian's /usr/bin/python3; the tests run as root with /dev/fuse).
if ! command -v fusermount3 >/dev/null 2>&1 || ! /usr/bin/python3 -c 'import fusepy' >/dev/null 2>&1; then
  echo "setup: installing fuse3 and python3-fusepy" >&2
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq fuse3 python3-fusepy >&2
fi
if [ -z "${MONGODB_URI:-}" ]; then
  bash scripts/install-ferretdb.sh >/dev/null
fi
