# shellcheck shell=bash
# Shared helpers for the peer-tool build scripts in test/peers/.
#
# Each peer script builds one real OCI tool from the Go module proxy (or takes
# it from Debian) and prints exactly one line on stdout: the absolute path of
# the binary. Everything else goes to stderr. Binaries are cached by version
# OUTSIDE the repository:
#
#   ${BERTH_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/berth}/peers/<name>-<version>/<bin>
#
# A build happens in a temporary directory next to the cache entry and is moved
# into place with a single rename(2), so an interrupted build never leaves a
# half-written binary where the scripts look for one. Deleting a cache entry
# forces a rebuild. Each entry also holds BUILD-INFO (`go version -m` output).
#
# Environment:
#   BERTH_CACHE_DIR   cache root (default ${XDG_CACHE_HOME:-$HOME/.cache}/berth)
#   GO                go command to use (default: `go` on PATH, else /usr/local/go/bin/go)
#   GOCACHE, GOMODCACHE, GOPROXY  honoured as usual by go itself.
#
# Builds run with CGO_ENABLED=0, -trimpath, GOFLAGS=-mod=mod, GOWORK=off and
# GOTOOLCHAIN=local (a module needing a newer Go fails clearly instead of
# trying to download a toolchain).

set -euo pipefail

BERTH_CACHE_DIR="${BERTH_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/berth}"
BERTH_PEERS_DIR="$BERTH_CACHE_DIR/peers"

# berth_peer_log MSG...  — progress message on stderr.
berth_peer_log() {
  printf '[peers:%s] %s\n' "${BERTH_PEER_NAME:-peers}" "$*" >&2
}

# berth_peer_die MSG...  — error message on stderr, exit 1.
berth_peer_die() {
  printf '[peers:%s] ERROR: %s\n' "${BERTH_PEER_NAME:-peers}" "$*" >&2
  exit 1
}

# berth_peer_go  — prints the go command to use, or dies.
berth_peer_go() {
  if [ -n "${GO:-}" ]; then
    command -v "$GO" >/dev/null 2>&1 || berth_peer_die "GO=$GO is not executable"
    command -v "$GO"
  elif command -v go >/dev/null 2>&1; then
    command -v go
  elif [ -x /usr/local/go/bin/go ]; then
    printf '%s\n' /usr/local/go/bin/go
  else
    berth_peer_die "no Go toolchain found (install Go >= 1.24, put it on PATH or set GO=/path/to/go)"
  fi
}

# berth_peer_cached NAME VERSION BIN
# If the cached binary exists, prints its path and returns 0; else returns 1.
berth_peer_cached() {
  local bin="$BERTH_PEERS_DIR/$1-$2/$3"
  if [ -f "$bin" ] && [ -x "$bin" ]; then
    printf '%s\n' "$bin"
    return 0
  fi
  return 1
}

# berth_peer_build NAME VERSION BIN BUILDER [ARG...]
#
# The caching/atomic-publish wrapper. Unless the binary is cached already, runs
#   BUILDER OUTDIR WORKDIR ARG...
# (with stdout sent to stderr) which must leave an executable OUTDIR/BIN, then
# renames OUTDIR to $BERTH_PEERS_DIR/NAME-VERSION. Prints the binary's path.
berth_peer_build() {
  local name="$1" version="$2" bin="$3" builder="$4"
  shift 4
  local dest="$BERTH_PEERS_DIR/$name-$version"

  if berth_peer_cached "$name" "$version" "$bin"; then
    return 0
  fi
  if [ -e "$dest" ]; then
    # Our entries only ever appear complete; anything else is foreign debris.
    berth_peer_log "removing incomplete cache entry $dest"
    rm -rf "$dest"
  fi

  mkdir -p "$BERTH_PEERS_DIR"
  # Leftovers of builds killed with SIGKILL (older than 2 hours, so a build
  # running concurrently is left alone).
  find "$BERTH_PEERS_DIR" -mindepth 1 -maxdepth 1 -name ".$name-$version.tmp.*" -mmin +120 \
    -exec chmod -R u+w {} + -exec rm -rf {} + 2>/dev/null || true
  local tmp
  tmp="$(mktemp -d "$BERTH_PEERS_DIR/.$name-$version.tmp.XXXXXX")"
  # Module-cache copies are read-only: make them writable before removal.
  # shellcheck disable=SC2064  # expand $tmp now: the trap outlives this function's locals
  trap "chmod -R u+w '$tmp' 2>/dev/null; rm -rf '$tmp'" EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  mkdir -p "$tmp/out" "$tmp/work"

  local start=$SECONDS
  if ! "$builder" "$tmp/out" "$tmp/work" "$@" >&2; then
    berth_peer_die "building $name $version failed (see output above)"
  fi
  if [ ! -f "$tmp/out/$bin" ] || [ ! -x "$tmp/out/$bin" ]; then
    berth_peer_die "the build of $name $version did not produce $bin"
  fi
  "$(berth_peer_go)" version -m "$tmp/out/$bin" >"$tmp/out/BUILD-INFO" 2>/dev/null || true

  # Atomic publish: one rename of the finished directory.
  if ! mv -T "$tmp/out" "$dest" 2>/dev/null; then
    # A concurrent build of the same version won the race: use its result.
    berth_peer_cached "$name" "$version" "$bin" >/dev/null ||
      berth_peer_die "could not move the build into $dest"
  fi
  chmod -R u+w "$tmp" 2>/dev/null || true
  rm -rf "$tmp"
  trap - EXIT INT TERM
  berth_peer_log "built $name $version in $((SECONDS - start))s: $dest/$bin ($(du -h "$dest/$bin" | cut -f1))"
  printf '%s\n' "$dest/$bin"
}

# Builder: `go install PKG@VERSION` into OUTDIR (GOBIN), run from an empty
# WORKDIR so no surrounding go.mod/go.work is used.
# Usage (via berth_peer_build): _berth_go_install OUTDIR WORKDIR PKG@VERSION [FLAG...]
_berth_go_install() {
  local out="$1" work="$2" target="$3"
  shift 3
  local go
  go="$(berth_peer_go)"
  berth_peer_log "go install $target ($("$go" env GOVERSION); cold builds take minutes)"
  (cd "$work" &&
    GOBIN="$out" CGO_ENABLED=0 GOFLAGS=-mod=mod GOWORK=off GOTOOLCHAIN=local \
      "$go" install -trimpath "$@" "$target")
}

# Builder: download MODULE@VERSION's source with `go mod download -json`,
# copy it into WORKDIR and `go build` ./SUBDIR there. Unlike `go install
# pkg@version`, this honours replace directives in the module's go.mod.
# Usage (via berth_peer_build): _berth_go_build_in_module OUTDIR WORKDIR MODULE VERSION SUBDIR BIN [FLAG...]
_berth_go_build_in_module() {
  local out="$1" work="$2" module="$3" version="$4" subdir="$5" bin="$6"
  shift 6
  local go json dir
  go="$(berth_peer_go)"
  berth_peer_log "go mod download $module@$version"
  json="$(cd "$work" && GOFLAGS=-mod=mod GOWORK=off GOTOOLCHAIN=local "$go" mod download -json "$module@$version")" || {
    printf '%s\n' "$json" >&2
    return 1
  }
  dir="$(printf '%s\n' "$json" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')"
  if [ -z "$dir" ] || [ ! -d "$dir" ]; then
    printf '%s\n' "$json" >&2
    berth_peer_log "go mod download gave no source directory"
    return 1
  fi
  cp -R "$dir" "$work/src" && chmod -R u+w "$work/src" || return 1
  berth_peer_log "go build ./$subdir in a copy of $dir ($("$go" env GOVERSION); cold builds take minutes)"
  (cd "$work/src" &&
    CGO_ENABLED=0 GOFLAGS=-mod=mod GOWORK=off GOTOOLCHAIN=local \
      "$go" build -trimpath "$@" -o "$out/$bin" "./$subdir")
}

# berth_peer_go_install NAME VERSION PACKAGE BIN [GO_BUILD_FLAG...]
# Builds PACKAGE@VERSION with `go install` and caches it as NAME-VERSION/BIN.
berth_peer_go_install() {
  local name="$1" version="$2" pkg="$3" bin="$4"
  shift 4
  berth_peer_build "$name" "$version" "$bin" _berth_go_install "$pkg@$version" "$@"
}

# berth_peer_go_build_in_module NAME VERSION MODULE SUBDIR BIN [GO_BUILD_FLAG...]
# Builds MODULE@VERSION's ./SUBDIR inside a copy of the module source and
# caches it as NAME-VERSION/BIN.
berth_peer_go_build_in_module() {
  local name="$1" version="$2" module="$3" subdir="$4" bin="$5"
  shift 5
  berth_peer_build "$name" "$version" "$bin" _berth_go_build_in_module "$module" "$version" "$subdir" "$bin" "$@"
}

# berth_peer_apt_install PACKAGE WHAT — installs a Debian package for a peer
# that is missing (WHAT names it in messages). Uses sudo -n when not root;
# runs `apt-get update` only when the first install attempt fails (a fresh
# machine may have no package lists yet). Dies with a clear message.
berth_peer_apt_install() {
  local package="$1" what="$2"
  local -a sudo=()
  command -v apt-get >/dev/null 2>&1 ||
    berth_peer_die "$what is not installed and apt-get is not available; install $package by hand"
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 ||
      berth_peer_die "$what is not installed and installing it needs root (no sudo found): apt-get install -y $package"
    sudo=(sudo -n)
  fi
  berth_peer_log "$what not found; apt-get install -y $package"
  if ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$package" >&2; then
    berth_peer_log "install failed; running apt-get update and retrying"
    "${sudo[@]}" apt-get update >&2 || berth_peer_die "apt-get update failed"
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$package" >&2 ||
      berth_peer_die "apt-get install -y $package failed"
  fi
  hash -r
}
