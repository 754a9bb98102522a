#!/usr/bin/env bash
# Builds `helm` v3 (helm.sh/helm/v3/cmd/helm) from the Go module proxy, cached
# under ${BERTH_CACHE_DIR:-~/.cache/berth}/peers/helm-<version>/helm, and
# prints the binary's absolute path (one line on stdout).
#
# The default is the newest v3.x release on the proxy. Override with
# BERTH_HELM_VERSION=v3.x.y.
#
# Usage: test/peers/helm.sh         -> /root/.cache/berth/peers/helm-v3.22.0/helm
# Check: "$(test/peers/helm.sh)" version --short
set -euo pipefail

HELM_VERSION="${BERTH_HELM_VERSION:-v3.22.0}"
HELM_PACKAGE="helm.sh/helm/v3/cmd/helm"

BERTH_PEER_NAME=helm
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# helm prints its version from internal/version (set by its Makefile the same way).
berth_peer_go_install helm "$HELM_VERSION" "$HELM_PACKAGE" helm \
  -ldflags="-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION -X helm.sh/helm/v3/internal/version.gitTreeState=clean"
