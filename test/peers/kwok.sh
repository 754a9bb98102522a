#!/usr/bin/env bash
# Builds `kwok` (Kubernetes WithOut Kubelet: simulates nodes and pods against a
# real kube-apiserver) from the Go module proxy, cached under
# ${BERTH_CACHE_DIR:-~/.cache/berth}/peers/kwok-<version>/kwok, and prints the
# binary's absolute path (one line on stdout).
#
# Usage: test/peers/kwok.sh         -> /root/.cache/berth/peers/kwok-v0.8.0/kwok
# Check: "$(test/peers/kwok.sh)" --version
# Against a running apiserver (as test/support/kube-cluster.ts runs it; a
# standalone kwok has no built-in stages, test/peers/kwok-stages.yaml holds
# kwokctl's defaults):
#   kwok --kubeconfig KUBECONFIG --config test/peers/kwok-stages.yaml --manage-all-nodes=false \
#     --manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake --node-lease-duration-seconds=40
# kwok v0.8.0's go.mod says `go 1.26.0`: it needs Go >= 1.26.
set -euo pipefail

KWOK_VERSION="${BERTH_KWOK_VERSION:-v0.8.0}"
KWOK_PACKAGE="sigs.k8s.io/kwok/cmd/kwok"

BERTH_PEER_NAME=kwok
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# pkg/consts.Version defaults to the release's own number already; releases.sh
# sets only the (unchanged) version and image/binary prefixes on top.
berth_peer_go_install kwok "$KWOK_VERSION" "$KWOK_PACKAGE" kwok -ldflags="-s -w"
