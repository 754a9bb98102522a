#!/usr/bin/env bash
# Builds `notation` (the Notary Project's signing CLI) from the Go module
# proxy, cached under ${BERTH_CACHE_DIR:-~/.cache/berth}/peers/notation-<version>/notation,
# and prints the binary's absolute path (one line on stdout). The signature
# suites sign images in Berth with test certificates (`notation cert generate-test`,
# `notation sign --signature-format jws|cose`); the signatures land as OCI 1.1
# referrers whose config media type is application/vnd.cncf.notary.signature.
#
# Usage: test/peers/notation.sh   -> /root/.cache/berth/peers/notation-v1.3.2/notation
set -euo pipefail

NOTATION_VERSION="${BERTH_NOTATION_VERSION:-v1.3.2}"

BERTH_PEER_NAME=notation
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Built inside a copy of the module: `go install pkg@version` asks the proxy
# for the module's version list (to report deprecation), which it refuses here.
berth_peer_go_build_in_module notation "$NOTATION_VERSION" github.com/notaryproject/notation cmd/notation notation \
  -ldflags="-s -w -X github.com/notaryproject/notation/internal/version.Version=$NOTATION_VERSION"
