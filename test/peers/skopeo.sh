#!/usr/bin/env bash
# Ensures `skopeo` is installed (from Debian's package; Debian 12 ships
# 1.9.3) and prints its absolute path (one line on stdout).
#
# If skopeo is missing it runs `apt-get install -y skopeo` (as root, or via
# sudo when available); only if that fails does it run `apt-get update` and
# try once more. Everything apt prints goes to stderr.
#
# Usage: test/peers/skopeo.sh       -> /usr/bin/skopeo
# Check: "$(test/peers/skopeo.sh)" --version
# Against a local plain-HTTP registry use --tls-verify=false (or
# --src-tls-verify=false/--dest-tls-verify=false for `skopeo copy`).
set -euo pipefail

BERTH_PEER_NAME=skopeo
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if command -v skopeo >/dev/null 2>&1; then
  command -v skopeo
  exit 0
fi

berth_peer_apt_install skopeo skopeo
command -v skopeo >/dev/null 2>&1 || berth_peer_die "skopeo was installed but is not on PATH"
command -v skopeo
