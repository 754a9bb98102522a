#!/usr/bin/env bash
# Builds `kustomize` (sigs.k8s.io/kustomize/kustomize/v5) from the Go module
# proxy, cached under ${BERTH_CACHE_DIR:-~/.cache/berth}/peers/kustomize-<version>/kustomize,
# and prints the binary's absolute path (one line on stdout).
#
# The default is the newest v5.x on the proxy that builds with the Go 1.26
# toolchain the project uses (v5.8.3's go.mod needs go 1.27.0, and builds run
# with GOTOOLCHAIN=local). Override with BERTH_KUSTOMIZE_VERSION=v5.x.y.
#
# Usage: test/peers/kustomize.sh    -> /root/.cache/berth/peers/kustomize-v5.8.2/kustomize
# Check: "$(test/peers/kustomize.sh)" version
set -euo pipefail

KUSTOMIZE_VERSION="${BERTH_KUSTOMIZE_VERSION:-v5.8.2}"
KUSTOMIZE_PACKAGE="sigs.k8s.io/kustomize/kustomize/v5"

BERTH_PEER_NAME=kustomize
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

berth_peer_go_install kustomize "$KUSTOMIZE_VERSION" "$KUSTOMIZE_PACKAGE" kustomize \
  -ldflags="-s -w -X sigs.k8s.io/kustomize/api/provenance.version=$KUSTOMIZE_VERSION"
