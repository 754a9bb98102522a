#!/usr/bin/env bash
# Builds a Kubernetes control plane (kube-apiserver, kube-controller-manager,
# kube-scheduler, kubectl) from the Go module proxy, cached under
# ${BERTH_CACHE_DIR:-~/.cache/berth}/peers/kubernetes-<version>/, and prints
# that DIRECTORY's absolute path (one line on stdout; logs go to stderr).
#
# Usage: test/peers/kubernetes.sh   -> /root/.cache/berth/peers/kubernetes-v1.33.13
# Check: "$(test/peers/kubernetes.sh)/kube-apiserver" --version   -> Kubernetes v1.33.13
#
# k8s.io/kubernetes cannot be built with `go install pkg@version`: its go.mod
# requires the staging modules (k8s.io/api, k8s.io/client-go, ...) at v0.0.0
# and `replace`s them with ./staging/src/k8s.io/<name>, which the published
# module zip does not contain. So we generate a throw-away wrapper module that
# requires k8s.io/kubernetes and replaces every staging module named in
# k8s.io/kubernetes's own replace block with its published v0.<minor>.<patch>
# release (the staging repos are tagged in lock-step with kubernetes). The list
# is derived from the real go.mod at build time, nothing is hard-coded.
#
# A cold build takes tens of minutes on 2 cores (see docs/control-plane.md).
#
# Environment: BERTH_KUBERNETES_VERSION (default v1.33.13) plus everything
# lib.sh honours (BERTH_CACHE_DIR, GO, GOCACHE, GOMODCACHE, GOPROXY).
set -euo pipefail

KUBERNETES_VERSION="${BERTH_KUBERNETES_VERSION:-v1.33.13}"

BERTH_PEER_NAME=kubernetes
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

KUBERNETES_COMMANDS=(kube-apiserver kube-controller-manager kube-scheduler kubectl)

# _kubernetes_build OUTDIR WORKDIR VERSION
_kubernetes_build() {
  local out="$1" work="$2" version="$3"
  local go major minor patch staging gomod json mods m ldflags pkgs c
  go="$(berth_peer_go)"
  if [[ ! "$version" =~ ^v1\.([0-9]+)\.([0-9]+)$ ]]; then
    berth_peer_log "unsupported version '$version' (want v1.MINOR.PATCH)"
    return 1
  fi
  major=1
  minor="${BASH_REMATCH[1]}"
  patch="${BASH_REMATCH[2]}"
  staging="v0.$minor.$patch"

  export CGO_ENABLED=0 GOFLAGS=-mod=mod GOWORK=off GOTOOLCHAIN=local

  # k8s.io/kubernetes's own go.mod: the source of the staging module list.
  berth_peer_log "reading k8s.io/kubernetes@$version go.mod"
  json="$(cd "$work" && "$go" mod download -json "k8s.io/kubernetes@$version")" || {
    printf '%s\n' "$json" >&2
    return 1
  }
  gomod="$(printf '%s\n' "$json" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",\{0,1\}$/\1/p')"
  if [ -z "$gomod" ] || [ ! -f "$gomod" ]; then
    printf '%s\n' "$json" >&2
    berth_peer_log "go mod download gave no go.mod"
    return 1
  fi
  # Lines like "	k8s.io/api => ./staging/src/k8s.io/api" (inside or outside a block).
  mods="$(sed -n 's|^[[:space:]]*\(replace[[:space:]]\{1,\}\)\{0,1\}\([^[:space:]]\{1,\}\)[[:space:]]\{1,\}=>[[:space:]]\{1,\}\./staging/src/.*$|\2|p' "$gomod" | sort -u)"
  if [ -z "$mods" ]; then
    berth_peer_log "no ./staging/src replace directives found in $gomod"
    return 1
  fi
  berth_peer_log "replacing $(printf '%s\n' "$mods" | wc -l) staging modules with their $staging releases"

  {
    printf 'module berth.invalid/kubernetes-control-plane\n\n'
    printf 'go %s\n\n' "$(sed -n 's/^go[[:space:]]\{1,\}\([0-9.]\{1,\}\).*$/\1/p' "$gomod" | head -n1)"
    # Same language version and GODEBUG defaults as upstream's main module.
    sed -n 's/^\(godebug[[:space:]].*\)$/\1/p' "$gomod"
    printf '\nrequire k8s.io/kubernetes %s\n\nreplace (\n' "$version"
    for m in $mods; do
      printf '\t%s => %s %s\n' "$m" "$m" "$staging"
    done
    printf ')\n'
  } >"$work/go.mod"
  cat "$work/go.mod" >&2

  # Resolve the module graph (adds k8s.io/kubernetes's requirements to go.mod/go.sum).
  berth_peer_log "resolving the module graph"
  pkgs=()
  for c in "${KUBERNETES_COMMANDS[@]}"; do pkgs+=("k8s.io/kubernetes/cmd/$c"); done
  (cd "$work" && "$go" get "${pkgs[@]/%/@$version}") || return 1

  # What upstream's hack/lib/version.sh sets (gitCommit/buildDate are unknown
  # for a module-proxy build and stay at their defaults).
  ldflags="-s -w"
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=" -X $p.gitVersion=$version -X $p.gitMajor=$major -X $p.gitMinor=$minor -X $p.gitTreeState=clean"
  done

  berth_peer_log "go build ${KUBERNETES_COMMANDS[*]} $version ($("$go" env GOVERSION); a cold build takes 10-25 minutes on 2 cores)"
  (cd "$work" && "$go" build -trimpath -ldflags="$ldflags" -o "$out/" "${pkgs[@]}") || return 1
  for c in "${KUBERNETES_COMMANDS[@]}"; do
    [ -x "$out/$c" ] || { berth_peer_log "missing $c after the build"; return 1; }
  done
  cp "$work/go.mod" "$out/wrapper.go.mod"
}

# The entry is published atomically with all four binaries, so the presence of
# kube-apiserver means the whole set is there.
bin="$(berth_peer_build kubernetes "$KUBERNETES_VERSION" kube-apiserver _kubernetes_build "$KUBERNETES_VERSION")"
dirname "$bin"
