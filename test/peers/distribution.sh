#!/usr/bin/env bash
# Builds the CNCF Distribution registry server (`registry`, v3.x) from the Go
# module proxy, cached under
# ${BERTH_CACHE_DIR:-~/.cache/berth}/peers/distribution-<version>/registry,
# and prints the binary's absolute path (one line on stdout).
#
# Usage: test/peers/distribution.sh -> /root/.cache/berth/peers/distribution-v3.1.2/registry
# Check: "$(test/peers/distribution.sh)" --version
# Run:   "$(test/peers/distribution.sh)" serve config.yml
#   with a minimal loopback-only config such as:
#     version: 0.1
#     log: {level: warn}
#     storage:
#       filesystem: {rootdirectory: /tmp/dist-data}
#       delete: {enabled: true}
#     http: {addr: 127.0.0.1:5001}
#   Set OTEL_TRACES_EXPORTER=none to switch off its OpenTelemetry trace exporter.
set -euo pipefail

DISTRIBUTION_VERSION="${BERTH_DISTRIBUTION_VERSION:-v3.1.2}"
DISTRIBUTION_PACKAGE="github.com/distribution/distribution/v3/cmd/registry"

BERTH_PEER_NAME=distribution
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Same -X flags as upstream's Makefile, so `registry --version` reports the tag.
pkg=github.com/distribution/distribution/v3
berth_peer_go_install distribution "$DISTRIBUTION_VERSION" "$DISTRIBUTION_PACKAGE" registry \
  -ldflags="-s -w -X $pkg/version.version=$DISTRIBUTION_VERSION -X $pkg/version.mainpkg=$pkg"
