#!/usr/bin/env bash
# Builds zot's registry benchmark tool `zb` from the Go module proxy, cached
# under ${BERTH_CACHE_DIR:-~/.cache/berth}/peers/zb-<version>/zb, and prints
# the binary's absolute path (one line on stdout).
#
# ---------------------------------------------------------------------------
# Availability (checked 2026-11): the module proxy reachable from these
# machines REFUSES every zotregistry.dev (and zotregistry.io) module with
# "403 Go module host not permitted: Go module fetches are limited to the
# module-host allowlist", and github.com/project-zot/zot is not served either.
# So this script cannot build zb here; it fails with that message. It is kept
# so that it works where the proxy serves zot.
#
# Module path: current zot (v2.1.x) is module zotregistry.dev/zot/v2 (its
# cmd/zb imports zotregistry.dev/zot/v2/pkg/...), so the package is
# zotregistry.dev/zot/v2/cmd/zb. Older releases used zotregistry.dev/zot and,
# before v2.0, zotregistry.io/zot. Override with BERTH_ZB_MODULE and
# BERTH_ZB_VERSION. `go install pkg@version` is tried first; if it fails (e.g.
# because zot's go.mod has replace directives) the module source is downloaded
# and ./cmd/zb is built inside a copy of it.
#
# ---------------------------------------------------------------------------
# zb usage (from zot's cmd/zb sources; newest main):
#   zb [flags] <registry-url>            e.g. zb -c 2 -n 20 http://127.0.0.1:5000
#   -A, --auth-creds user:pass     BASIC auth creds ("user:pass", split on ':')
#   -c, --concurrency int          parallel clients (default 1)
#   -n, --requests int             requests per test (default 1); must be >= -c
#                                  and is rounded down to a multiple of -c
#   -r, --repo string              repo name prefix on the registry for test data
#   -d, --working-dir string       where test blobs are written (a zb-* temp subdir)
#   -o, --output-format string     "stdout" (default), "json", "ci-cd" (see below)
#   -t, --test-regex string        only run tests whose name matches (newer zb)
#   -l, --list-tests               list test names (with -t: the matching ones)
#   -s, --src-cidr cidr            bind clients to random source IPs of this CIDR
#   -i, --src-ips ip:ip...         bind clients to these source IPs
#   -u, --upstream-server-url url  upstream for the "On-demand Sync" tests (zot only)
#       --skip-cleanup             leave the pushed repos on the registry
#       --max-timeout-failures n   run-wide budget of timeout failures (default 0)
#   -v, --version                  print version info
#   -h, --help
# Tests (names for -t): Get Catalog; Push Monolith 1MB/10MB/100MB; Push Chunk
# Streamed 1MB/10MB/100MB; Pull 1MB/10MB/100MB; Pull Mixed 20% 1MB, 70% 10MB,
# 10% 100MB; Push Monolith Mixed 20% 1MB, 70% 10MB, 10% 100MB; Push Chunk Mixed
# 33% 1MB, 33% 10MB, 33% 100MB; Pull 75% and Push 25% Mixed 1MB/10MB/100MB;
# On-demand Sync 100MB/1GB (skipped without -u). Without -t all run: that
# pushes GBs; for smoke runs use e.g. -t '^(Push Monolith|Pull) 1MB$'.
#
# Output: a text report on stdout per test: "Test name:", "Time taken for
# tests:", "Complete requests:", "Failed requests:", "Requests per second:",
# "2xx responses: N", min/max/p50/p75/p90/p99 latencies (and for pulls, TTFB
# percentiles of manifest HEAD/GET, config and layer). "-o json" is accepted
# but produces the same text (no JSON is emitted for it). "-o ci-cd" also
# writes ./ci-cd.json in the current directory:
#   [{"name":"Push Monolith 1MB","unit":"requests per sec","value":105.0,"range":"3"}, ...]
# Exit status 1 if any request failed.
#
# Auth: -A sets resty's SetBasicAuth, i.e. a preemptive
# "Authorization: Basic ..." on every request. zb has no token flow: it does
# not follow "WWW-Authenticate: Bearer realm=..." challenges.
# ---------------------------------------------------------------------------
set -euo pipefail

ZB_MODULE="${BERTH_ZB_MODULE:-zotregistry.dev/zot/v2}"
ZB_VERSION="${BERTH_ZB_VERSION:-v2.1.21}"

BERTH_PEER_NAME=zb
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if berth_peer_cached zb "$ZB_VERSION" zb; then
  exit 0
fi

flags=(-ldflags="-s -w")
# Subshells: a failed attempt exits only its subshell.
if (berth_peer_go_install zb "$ZB_VERSION" "$ZB_MODULE/cmd/zb" zb "${flags[@]}"); then
  exit 0
fi
berth_peer_log "go install failed; trying a build inside the downloaded module source"
if (berth_peer_go_build_in_module zb "$ZB_VERSION" "$ZB_MODULE" cmd/zb zb "${flags[@]}"); then
  exit 0
fi
berth_peer_die "could not build zb from $ZB_MODULE@$ZB_VERSION. A \"403 Forbidden\" above means the Go module proxy refuses this module (here it serves no zotregistry.dev module at all: host not on its allowlist); set BERTH_ZB_MODULE/BERTH_ZB_VERSION to try another."
