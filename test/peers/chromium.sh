#!/usr/bin/env bash
# Ensures Debian's Chromium is installed (package `chromium`; Debian 12's
# security updates track the current stable release) and prints the browser's
# absolute path (one line on stdout). The browser suites (test/e2e/ui-*.test.ts)
# drive it through playwright-core with `executablePath`, so no test tool ever
# downloads a browser build of its own (which this machine's network refuses).
#
# If chromium is missing it runs `apt-get install -y chromium` (as root, or via
# sudo when available); only if that fails does it run `apt-get update` and try
# once more. Everything apt prints goes to stderr. The installed version is
# recorded in ${BERTH_CACHE_DIR:-~/.cache/berth}/peers/chromium.version (read
# by test/support/browser.ts for test-results/ui-performance.json).
#
# Usage: test/peers/chromium.sh     -> /usr/bin/chromium
# Check: "$(test/peers/chromium.sh)" --version   -> Chromium 156.0.8078.114 ...
set -euo pipefail

BERTH_PEER_NAME=chromium
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

record_version() {
  local bin="$1" version
  version="$("$bin" --version 2>/dev/null | head -n 1)" || version=""
  if [ -n "$version" ]; then
    mkdir -p "$BERTH_PEERS_DIR"
    printf '%s\n' "$version" >"$BERTH_PEERS_DIR/chromium.version.tmp.$$"
    mv -f "$BERTH_PEERS_DIR/chromium.version.tmp.$$" "$BERTH_PEERS_DIR/chromium.version"
  fi
}

if [ -x /usr/bin/chromium ]; then
  record_version /usr/bin/chromium
  printf '%s\n' /usr/bin/chromium
  exit 0
fi

berth_peer_apt_install chromium chromium
[ -x /usr/bin/chromium ] || berth_peer_die "chromium was installed but /usr/bin/chromium is missing"
record_version /usr/bin/chromium
berth_peer_log "installed $(cat "$BERTH_PEERS_DIR/chromium.version" 2>/dev/null || echo chromium)"
printf '%s\n' /usr/bin/chromium
