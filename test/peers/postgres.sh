#!/usr/bin/env bash
# Ensures a PostgreSQL server (initdb, pg_ctl, postgres) is installed from
# Debian's package and prints its bin directory (one line on stdout), e.g.
# /usr/lib/postgresql/15/bin. The newest installed major version wins.
#
# If none is installed it runs `apt-get install -y postgresql` (as root, or
# via sudo when available); only if that fails does it run `apt-get update`
# and try once more. Everything apt prints goes to stderr. The tests start
# their own throwaway cluster (test/support/postgres.ts); the package's own
# cluster, if Debian creates one, is not used.
#
# Usage: test/peers/postgres.sh     -> /usr/lib/postgresql/15/bin
# Check: "$(test/peers/postgres.sh)/postgres" --version
set -euo pipefail

BERTH_PEER_NAME=postgres
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Prints the newest /usr/lib/postgresql/<major>/bin holding the server tools.
find_bin() {
  local dir
  for dir in $(printf '%s\n' /usr/lib/postgresql/*/bin | sort -t/ -k4,4 -n -r); do
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && [ -x "$dir/postgres" ]; then
      printf '%s\n' "$dir"
      return 0
    fi
  done
  return 1
}

if find_bin; then
  exit 0
fi

command -v apt-get >/dev/null 2>&1 ||
  berth_peer_die "PostgreSQL is not installed and apt-get is not available; install the postgresql package by hand"
sudo=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 ||
    berth_peer_die "PostgreSQL is not installed and installing it needs root (no sudo found): apt-get install -y postgresql"
  sudo=(sudo -n)
fi

apt_install() {
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y --no-install-recommends postgresql >&2
}

berth_peer_log "PostgreSQL not found; apt-get install -y postgresql"
if ! apt_install; then
  berth_peer_log "install failed; running apt-get update and retrying"
  "${sudo[@]}" apt-get update >&2 || berth_peer_die "apt-get update failed"
  apt_install || berth_peer_die "apt-get install -y postgresql failed"
fi
find_bin || berth_peer_die "postgresql was installed but no /usr/lib/postgresql/*/bin has initdb, pg_ctl and postgres"
