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

command -v apt-get >/dev/null 2>&1 ||
  berth_peer_die "skopeo is not installed and apt-get is not available; install skopeo by hand"
sudo=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 ||
    berth_peer_die "skopeo is not installed and installing it needs root (no sudo found): apt-get install -y skopeo"
  sudo=(sudo -n)
fi

apt_install() {
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y --no-install-recommends skopeo >&2
}

berth_peer_log "skopeo not found; apt-get install -y skopeo"
if ! apt_install; then
  berth_peer_log "install failed; running apt-get update and retrying"
  "${sudo[@]}" apt-get update >&2 || berth_peer_die "apt-get update failed"
  apt_install || berth_peer_die "apt-get install -y skopeo failed"
fi
hash -r
command -v skopeo >/dev/null 2>&1 || berth_peer_die "skopeo was installed but is not on PATH"
command -v skopeo
