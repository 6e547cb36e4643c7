#!/usr/bin/env bash
# Installs collectd for the collectd rows of bench/pi-weight.bench.ts (the same job done by
# collectd 5.12: table → write_mongodb, threshold → notify_email): Debian's collectd-core,
# which ships every plugin but only Suggests the libraries they link against, plus those of
# the two plugins the job loads: write_mongodb (libmongoc, libbson) and notify_email
# (libesmtp). No recommends (perl, rrdtool): the bench runs collectd in the foreground with
# its own config (collectd-core's own unit does not start without /etc/collectd/collectd.conf,
# which comes with the `collectd` package, not installed). Idempotent: quick when every plugin already loads.
set -euo pipefail
plugins=(table write_mongodb threshold notify_email)
missing() {
  # Prints the shared libraries the loader cannot find for the bench's plugins.
  for plugin in "${plugins[@]}"; do
    ldd "/usr/lib/collectd/$plugin.so" 2>/dev/null | sed -n 's/^[[:space:]]*\([^ ]*\) => not found.*/\1/p'
  done
}
if [ -x /usr/sbin/collectd ] && [ -z "$(missing)" ]; then
  /usr/sbin/collectd -h | grep -i '^collectd [0-9]'
  exit 0
fi
sudo_cmd=""
[ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
echo "install-collectd: installing collectd-core libmongoc-1.0-0 libbson-1.0-0 libesmtp6" >&2
$sudo_cmd apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends \
  collectd-core libmongoc-1.0-0 libbson-1.0-0 libesmtp6 >&2
left=$(missing | sort -u | tr '\n' ' ')
if [ -n "$left" ]; then
  echo "install-collectd: the plugins still miss $left(find the package with apt-file search)" >&2
  exit 1
fi
/usr/sbin/collectd -h | grep -i '^collectd [0-9]'
