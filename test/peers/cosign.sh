#!/usr/bin/env bash
# Builds `cosign` (sigstore's signing CLI) from the Go module proxy, cached
# under ${BERTH_CACHE_DIR:-~/.cache/berth}/peers/cosign-<version>/cosign, and
# prints the binary's absolute path (one line on stdout). The signature suites
# sign images in Berth with it: key-based (`cosign generate-key-pair`, `sign
# --key`), the legacy `.sig` tag scheme (`--new-bundle-format=false`) and
# sigstore bundles stored as OCI 1.1 referrers (cosign 3's default).
#
# Usage: test/peers/cosign.sh   -> /root/.cache/berth/peers/cosign-v3.1.3/cosign
set -euo pipefail

COSIGN_VERSION="${BERTH_COSIGN_VERSION:-v3.1.3}"
COSIGN_PACKAGE="github.com/sigstore/cosign/v3/cmd/cosign"

BERTH_PEER_NAME=cosign
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

berth_peer_go_install cosign "$COSIGN_VERSION" "$COSIGN_PACKAGE" cosign \
  -ldflags="-s -w -X sigs.k8s.io/release-utils/version.gitVersion=$COSIGN_VERSION"
