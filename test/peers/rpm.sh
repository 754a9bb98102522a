#!/usr/bin/env bash
# Ensures `rpm` and `rpmbuild` are installed (Debian's package `rpm`; Debian 12
# ships 4.18 with the sqlite database backend) and prints the absolute path of
# rpmbuild (one line on stdout). The analyzer's rpm tests build a package with
# rpmbuild and record it in a fresh rpmdb.sqlite with `rpm --justdb`, so the
# database and its header blobs are written by rpm itself.
#
# Usage: test/peers/rpm.sh       -> /usr/bin/rpmbuild
set -euo pipefail

BERTH_PEER_NAME=rpm
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if command -v rpmbuild >/dev/null 2>&1 && command -v rpm >/dev/null 2>&1; then
  command -v rpmbuild
  exit 0
fi

berth_peer_apt_install rpm rpm
command -v rpmbuild >/dev/null 2>&1 || berth_peer_die "rpm was installed but rpmbuild is not on PATH"
command -v rpmbuild
