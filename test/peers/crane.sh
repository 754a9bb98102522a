#!/usr/bin/env bash
# Builds `crane` (go-containerregistry's registry CLI) from the Go module proxy,
# cached under ${BERTH_CACHE_DIR:-~/.cache/berth}/peers/crane-<version>/crane,
# and prints the binary's absolute path (one line on stdout).
#
# Usage: test/peers/crane.sh        -> /root/.cache/berth/peers/crane-v0.22.1/crane
# Check: "$(test/peers/crane.sh)" version
# Useful against a local plain-HTTP registry: crane --insecure ... 127.0.0.1:PORT/repo:tag
set -euo pipefail

CRANE_VERSION="${BERTH_CRANE_VERSION:-v0.22.1}"
CRANE_PACKAGE="github.com/google/go-containerregistry/cmd/crane"

BERTH_PEER_NAME=crane
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

berth_peer_go_install crane "$CRANE_VERSION" "$CRANE_PACKAGE" crane \
  -ldflags="-s -w -X github.com/google/go-containerregistry/cmd/crane/cmd.Version=$CRANE_VERSION"
