#!/usr/bin/env bash
# Builds FerretDB v1.24.2 (SQLite backend) into a per-user cache, once.
# A plain `go install` of it panics at start ("Invalid build/version/version.txt",
# FerretDB issue 2982): that file is generated, not in the module, so we build
# from a copy of the module with the file written in.
set -euo pipefail
version=v1.24.2
cache="${RASPIMON_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/raspimon}"
bin="$cache/ferretdb-$version"
if [ -x "$bin" ] && "$bin" --version >/dev/null 2>&1; then
  echo "$bin"
  exit 0
fi
command -v go >/dev/null || { echo "install-ferretdb: Go is needed to build FerretDB (apt-get install golang, or set MONGODB_URI)" >&2; exit 1; }
mkdir -p "$cache"
work=$(mktemp -d)
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
dir=$(cd "$work" && GOFLAGS=-mod=mod go mod download -json "github.com/FerretDB/FerretDB@$version" |
  sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
[ -n "$dir" ] || { echo "install-ferretdb: go mod download gave no module dir" >&2; exit 1; }
cp -r "$dir" "$work/src"
chmod -R u+w "$work/src"
printf '%s' "$version" > "$work/src/build/version/version.txt"
(cd "$work/src" && CGO_ENABLED=0 go build -buildvcs=false -trimpath -o "$bin.tmp" ./cmd/ferretdb) >&2
mv "$bin.tmp" "$bin"
echo "$bin"
