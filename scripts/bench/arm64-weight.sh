#!/usr/bin/env bash
# The pi-weight job as an arm64 program under qemu-user, beside x86-64 in the same window
# (bench/arm64-weight.bench.ts): installs qemu and the arm64 C runtime from Debian if missing
# (scripts/bench/install-qemu-arm64.sh), then runs the bench, which packs this repository,
# installs the tarball as on a Pi plus an arm64 Node of the same version from the npm
# registry, and starts its own FerretDB (built by scripts/install-ferretdb.sh when missing).
# RASPIMON_BENCH_ARM64_SECONDS / RASPIMON_BENCH_ARM64_WARMUP set the window and warm-up.
set -euo pipefail
cd "$(dirname "$0")/../.."
[ -d node_modules ] || npm ci --no-audit --no-fund
bash scripts/bench/install-qemu-arm64.sh >&2
npm run bench -- arm64-weight
