#!/usr/bin/env bash
# Ensures OpenSSH's server `sshd` is installed (Debian's openssh-server) and
# prints its absolute path (one line on stdout). The Git suites run their own
# sshd on a loopback port, as the current user, with a throwaway host key and
# config in a temporary directory (see src/gitops/git/ssh.test.ts); the system
# service is never started or configured by this script.
#
# If sshd is missing it runs `apt-get install -y openssh-server` (as root, or
# via sudo when available); only if that fails does it run `apt-get update`
# and try once more. Everything apt prints goes to stderr.
#
# Usage: test/peers/sshd.sh       -> /usr/sbin/sshd
set -euo pipefail

BERTH_PEER_NAME=sshd
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

find_sshd() {
  local p
  for p in "$(command -v sshd 2>/dev/null || true)" /usr/sbin/sshd /usr/local/sbin/sshd; do
    if [ -n "$p" ] && [ -x "$p" ]; then
      printf '%s\n' "$p"
      return 0
    fi
  done
  return 1
}

if find_sshd; then
  exit 0
fi

# The package's postinst may try to start the system service; where policy-rc.d
# denies that, dpkg still succeeds. This script never starts or configures it.
berth_peer_apt_install openssh-server sshd
find_sshd || berth_peer_die "openssh-server was installed but no sshd binary was found"
