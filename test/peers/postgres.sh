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

berth_peer_apt_install postgresql PostgreSQL
find_bin || berth_peer_die "postgresql was installed but no /usr/lib/postgresql/*/bin has initdb, pg_ctl and postgres"
