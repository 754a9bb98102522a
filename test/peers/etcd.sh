#!/usr/bin/env bash
# Ensures `etcd` is installed (from Debian's etcd-server package; Debian 12
# ships 3.4.23) and prints the etcd binary's absolute path (one line on stdout).
#
# If etcd is missing it runs `apt-get install -y etcd-server` (as root, or via
# sudo when available); only if that fails does it run `apt-get update` and try
# once more. Everything apt prints goes to stderr.
#
# The package also ships a system service (etcd.service, listening on
# 127.0.0.1:2379); on a machine running systemd it may be started by the
# install. Test clusters should run their own `etcd --data-dir <tmp>` on free
# ports instead of relying on it.
#
# Usage: test/peers/etcd.sh         -> /usr/bin/etcd
# Check: "$(test/peers/etcd.sh)" --version
set -euo pipefail

BERTH_PEER_NAME=etcd
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if command -v etcd >/dev/null 2>&1; then
  command -v etcd
  exit 0
fi

berth_peer_apt_install etcd-server etcd
command -v etcd >/dev/null 2>&1 || berth_peer_die "etcd was installed but is not on PATH"
command -v etcd
