#!/usr/bin/env bash
# Builds `cargo-auditable` (which embeds a binary's crate list in a `.dep-v0`
# section) from crates.io with `cargo install --locked`, cached under
# ${BERTH_CACHE_DIR:-~/.cache/berth}/peers/cargo-auditable-<version>/, and
# prints the binary's absolute path (one line on stdout). The analyzer's Rust
# binary test puts its directory on PATH and runs `cargo auditable build`.
#
# Usage: test/peers/cargo-auditable.sh -> /root/.cache/berth/peers/cargo-auditable-0.7.7/cargo-auditable
set -euo pipefail

CARGO_AUDITABLE_VERSION="${BERTH_CARGO_AUDITABLE_VERSION:-0.7.7}"

BERTH_PEER_NAME=cargo-auditable
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

_berth_cargo_install() {
  local out="$1" work="$2" crate="$3" version="$4"
  local cargo
  cargo="$(command -v cargo || true)"
  [ -n "$cargo" ] || cargo="$HOME/.cargo/bin/cargo"
  [ -x "$cargo" ] || { berth_peer_log "no cargo found (install Rust)"; return 1; }
  berth_peer_log "cargo install $crate $version (cold builds take minutes)"
  nice -n 10 "$cargo" install --locked --quiet "$crate" --version "$version" --root "$work/root" &&
    cp "$work/root/bin/$crate" "$out/$crate"
}

berth_peer_build cargo-auditable "$CARGO_AUDITABLE_VERSION" cargo-auditable _berth_cargo_install cargo-auditable "$CARGO_AUDITABLE_VERSION"
