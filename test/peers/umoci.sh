#!/usr/bin/env bash
# Builds `umoci` (the OCI image layout tool of the Open Containers Initiative)
# from the Go module proxy, cached under
# ${BERTH_CACHE_DIR:-~/.cache/berth}/peers/umoci-<version>/umoci, and prints
# the binary's absolute path (one line on stdout).
#
# test/peers/scan-images.sh uses it to turn a debootstrap root filesystem and
# the language staging trees into OCI image layouts: `umoci insert` adds a
# directory as a layer, `umoci unpack` + `umoci repack` record the changes made
# in a chroot as a diff layer with proper whiteouts.
#
# umoci's go.mod has a replace directive (go-mtree), which `go install
# pkg@version` refuses, so it is built inside a copy of the module source.
#
# Usage: test/peers/umoci.sh        -> /root/.cache/berth/peers/umoci-v0.6.0/umoci
set -euo pipefail

UMOCI_VERSION="${BERTH_UMOCI_VERSION:-v0.6.0}"

BERTH_PEER_NAME=umoci
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

berth_peer_go_build_in_module umoci "$UMOCI_VERSION" github.com/opencontainers/umoci cmd/umoci umoci -ldflags="-s -w"
