#!/usr/bin/env bash
# Builds (or finds in the cache) the peer tools the tests need: the OCI
# conformance suite, crane, oras and skopeo; the Kubernetes control plane
# (kubernetes: kube-apiserver, kube-controller-manager, kube-scheduler,
# kubectl), kwok and etcd for test/support/kube-cluster.ts; kustomize and helm
# for manifest rendering; Debian's Chromium for the browser suites; syft (the
# scanner suites' reference inventory) and umoci (which test/peers/scan-images.sh
# uses to build the scanner's test images); cosign and notation (the signature
# suites sign images in Berth with them); with --bench also the
# Distribution registry and zb.
# Tools are built one after another (Go already uses both cores for each
# build; a cold kubernetes build takes ~10 minutes). A failure does not stop
# the others, but the script exits 1 if any tool failed.
#
# stdout: one shell assignment per tool that was built, e.g.
#   BERTH_PEER_CONFORMANCE=/root/.cache/berth/peers/conformance-v0.0.0-.../conformance
#   BERTH_PEER_CRANE=...  BERTH_PEER_ORAS=...  BERTH_PEER_SKOPEO=/usr/bin/skopeo
#   BERTH_PEER_KUBERNETES=.../kubernetes-v1.33.13   (a directory of binaries)
#   BERTH_PEER_KWOK=...  BERTH_PEER_ETCD=/usr/bin/etcd  BERTH_PEER_KUSTOMIZE=...  BERTH_PEER_HELM=...
#   BERTH_PEER_CHROMIUM=/usr/bin/chromium  BERTH_PEER_SYFT=...  BERTH_PEER_UMOCI=...
#   BERTH_PEER_COSIGN=...  BERTH_PEER_NOTATION=...
#   (--bench) BERTH_PEER_DISTRIBUTION=.../registry  BERTH_PEER_ZB=.../zb
# so `eval "$(test/peers/build-all.sh)"` sets them. Progress goes to stderr.
#
# Usage: test/peers/build-all.sh [--bench]
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BERTH_PEER_NAME=build-all
# shellcheck source=lib.sh
. "$here/lib.sh"

tools=(conformance crane oras skopeo sshd kubernetes kwok etcd kustomize helm chromium rpm syft umoci cosign notation)
for arg in "$@"; do
  case "$arg" in
    --bench) tools+=(distribution zb) ;;
    -h | --help)
      sed -n '2,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *) berth_peer_die "unknown argument: $arg (usage: build-all.sh [--bench])" ;;
  esac
done

# A peer script prints an executable file, or (kubernetes.sh) a directory of
# executables. (`-x` alone would accept any searchable directory.)
peer_ok() {
  local p="$1"
  [ -n "$p" ] || return 1
  if [ -d "$p" ]; then
    [ -n "$(find "$p" -maxdepth 1 -type f -perm -u+x -print -quit)" ]
  else
    [ -f "$p" ] && [ -x "$p" ]
  fi
}

failed=()
for tool in "${tools[@]}"; do
  start=$SECONDS
  if path="$("$here/$tool.sh")" && peer_ok "$path"; then
    berth_peer_log "$tool: $path ($((SECONDS - start))s)"
    printf 'BERTH_PEER_%s=%q\n' "$(printf '%s' "$tool" | tr '[:lower:]' '[:upper:]')" "$path"
  else
    berth_peer_log "$tool: FAILED"
    failed+=("$tool")
  fi
done

if [ "${#failed[@]}" -gt 0 ]; then
  berth_peer_die "failed to build: ${failed[*]}"
fi
berth_peer_log "all built: ${tools[*]}"
