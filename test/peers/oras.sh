#!/usr/bin/env bash
# Builds the `oras` CLI (v1.x) from the Go module proxy, cached under
# ${BERTH_CACHE_DIR:-~/.cache/berth}/peers/oras-<version>/oras, and prints the
# binary's absolute path (one line on stdout).
#
# Usage: test/peers/oras.sh         -> /root/.cache/berth/peers/oras-v1.3.6/oras
# Check: "$(test/peers/oras.sh)" version
# Useful against a local plain-HTTP registry: oras push --plain-http 127.0.0.1:PORT/repo:tag file
set -euo pipefail

ORAS_VERSION="${BERTH_ORAS_VERSION:-v1.3.6}"
ORAS_PACKAGE="oras.land/oras/cmd/oras"

BERTH_PEER_NAME=oras
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# BuildMetadata/GitTreeState are what upstream's Makefile sets for releases.
berth_peer_go_install oras "$ORAS_VERSION" "$ORAS_PACKAGE" oras \
  -ldflags="-s -w -X oras.land/oras/internal/version.BuildMetadata= -X oras.land/oras/internal/version.GitTreeState=clean"
