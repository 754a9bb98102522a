#!/usr/bin/env bash
# Builds `syft` (Anchore's SBOM generator) from the Go module proxy, cached
# under ${BERTH_CACHE_DIR:-~/.cache/berth}/peers/syft-<version>/syft, and prints
# the binary's absolute path (one line on stdout).
#
# syft is the reference the scan-accuracy test and `npm run bench:scan` compare
# Berth's analyzer with. It is built pure Go (CGO_ENABLED=0; syft's rpmdb and
# sqlite readers are pure Go) and run fully offline: its update check and any
# remote look-ups are switched off by the callers (see test/support/syft.ts).
#
# Usage: test/peers/syft.sh        -> /root/.cache/berth/peers/syft-v1.57.2/syft
# Check: "$(test/peers/syft.sh)" version
# A cold build takes several minutes on 2 cores (syft pulls in ~300 modules).
set -euo pipefail

SYFT_VERSION="${BERTH_SYFT_VERSION:-v1.57.2}"
SYFT_PACKAGE="github.com/anchore/syft/cmd/syft"

BERTH_PEER_NAME=syft
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

berth_peer_go_install syft "$SYFT_VERSION" "$SYFT_PACKAGE" syft \
  -ldflags="-s -w -X main.version=${SYFT_VERSION#v}"
