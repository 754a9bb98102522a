#!/usr/bin/env bash
# Builds the OCI distribution-spec conformance suite from the Go module proxy,
# cached under ${BERTH_CACHE_DIR:-~/.cache/berth}/peers/conformance-<version>/conformance,
# and prints the binary's absolute path (one line on stdout).
#
# ---------------------------------------------------------------------------
# Which version
# ---------------------------------------------------------------------------
# The module github.com/opencontainers/distribution-spec/conformance has no
# tagged releases of its own (the repo's v1.1.1 tag is for the root module,
# whose zip does not contain conformance/). The Go module proxy reachable from
# these machines serves exactly one version of it, the pseudo-version pinned
# below (main branch, 2026-08-31). That is the REWRITTEN suite (plain Go, no
# ginkgo, no reggie), NOT the classic ginkgo suite shipped next to v1.1.1,
# which cannot be fetched here. The rewrite still understands the classic
# environment variables (OCI_ROOT_URL, OCI_NAMESPACE, ...) and prints a
# deprecation warning for each, see below.
#
# It is built with `go install` (= `go build`, what upstream's README now
# recommends). `go test -c` would also work but runs it in a deprecated
# "legacy" mode that only adds a warning.
#
# ---------------------------------------------------------------------------
# How to run it
# ---------------------------------------------------------------------------
#   bin="$(test/peers/conformance.sh)"
#   ( cd "$(mktemp -d)" &&                       # see oci-conformance.yaml note
#     OCI_REGISTRY=127.0.0.1:5000 OCI_TLS=disabled \
#     OCI_REPO1=conformance/repo1 OCI_REPO2=conformance/repo2 \
#     OCI_RESULTS_DIR=/abs/path/results \
#     "$bin" )
#
# It takes no flags. Exit status: 0 when the overall result is Pass, 1 when any
# test failed. CAUTION: a configuration error ("failed to load config", e.g.
# OCI_VERSION=2 or a bad bool) is printed on stderr but the exit status is 0
# and no report is written, so a caller must also check that junit.xml exists.
#
# Output: a human summary on stdout ("Test results" tree, the redacted config,
# "OCI Conformance Result: Pass|FAIL", counts, per-API and per-data status);
# request/response log on stderr at OCI_LOG level. Reports are written to
# $OCI_RESULTS_DIR (default ./results, relative to the CURRENT DIRECTORY,
# created if missing):
#   $OCI_RESULTS_DIR/junit.xml      JUnit (<testsuites><testsuite><testcase ...>)
#   $OCI_RESULTS_DIR/results.yaml   machine-readable results + redacted config
#   $OCI_RESULTS_DIR/report.html    full report with every request/response
# OCI_REPORT_DIR (classic suite) is NOT read by this version.
#
# If ./oci-conformance.yaml exists in the current directory it is loaded
# automatically (or the file named by OCI_CONFIGURATION). Precedence: env var >
# yaml > classic env vars > defaults for OCI_VERSION. An env var set to the
# empty string counts as unset.
#
# Environment variables (current names; every yaml setting has one):
#   OCI_CONFIGURATION   yaml config file (default ./oci-conformance.yaml if present)
#   OCI_VERSION         spec defaults: "1.1"/"stable" (default), "1.0"
#                       (no anonymous mount, no referrers), "dev"/"1.1+dev"
#                       (also upload cancel, digest headers, tag param)
#   OCI_RESULTS_DIR     report directory (default ./results)
#   OCI_LOG             debug|info|warn (default)|error, log on stderr
#   OCI_REGISTRY        host:port (default localhost:5000)
#   OCI_TLS             enabled (https, default) | insecure (https, no verify) | disabled (http)
#   OCI_REPO1           main repository (default conformance/repo1)
#   OCI_REPO2           second repository, for cross-repo mount (default conformance/repo2)
#   OCI_USERNAME, OCI_PASSWORD  login; auth is used ONLY if both are non-empty
#   OCI_CACHE_AUTH      reuse Authorization per host+repo+pull/push (default true)
#   OCI_FILTER_TEST     only run tests whose name starts with this, e.g.
#                       "OCI Conformance Test/sha256 blobs"
#   OCI_API_PING, OCI_API_PULL, OCI_API_PUSH, OCI_API_REFERRER     (default true)
#   OCI_API_BLOBS_ATOMIC (true)  OCI_API_BLOBS_DELETE (true)
#   OCI_API_BLOBS_DIGEST_HEADER (false)  OCI_API_BLOBS_MOUNT_ANONYMOUS (true)
#   OCI_API_BLOBS_UPLOAD_CANCEL (false)
#   OCI_API_MANIFESTS_ATOMIC (true)  OCI_API_MANIFESTS_DELETE (true)
#   OCI_API_MANIFESTS_DIGEST_HEADER (false)  OCI_API_MANIFESTS_TAG_PARAM (false)
#   OCI_API_TAGS_ATOMIC (true)  OCI_API_TAGS_DELETE (true)  OCI_API_TAGS_LIST (true)
#     (*_ATOMIC: a delete must take effect immediately; *_DIGEST_HEADER: require
#     Docker-Content-Digest; TAG_PARAM: push by digest with ?tag=; an API answering
#     with a spec-allowed "unsupported" status is recorded as unsupported, not failed)
#   OCI_DATA_IMAGE (true, must stay on)  OCI_DATA_INDEX  OCI_DATA_INDEX_LIST
#   OCI_DATA_SPARSE (false)  OCI_DATA_ARTIFACT  OCI_DATA_SUBJECT
#   OCI_DATA_SUBJECT_MISSING  OCI_DATA_ARTIFACT_LIST  OCI_DATA_SUBJECT_LIST
#   OCI_DATA_DATA_FIELD  OCI_DATA_NONDISTRIBUTABLE  OCI_DATA_CUSTOM_FIELDS
#   OCI_DATA_NO_LAYERS  OCI_DATA_EMPTY_BLOB  OCI_DATA_SHA512    (others default true)
#   OCI_RO_DATA_TAGS, OCI_RO_DATA_MANIFESTS, OCI_RO_DATA_BLOBS, OCI_RO_DATA_REFERRERS
#                       space-separated preloaded content for read-only registries
#                       (with OCI_API_PUSH=false; all in OCI_REPO1)
# Booleans are parsed with Go's strconv.ParseBool (1/0/true/false/...).
#
# Classic (ginkgo-suite) variables, still read, each with a deprecation warning:
#   OCI_ROOT_URL=http://127.0.0.1:5000  -> OCI_REGISTRY + OCI_TLS (http => disabled)
#   OCI_NAMESPACE                       -> OCI_REPO1
#   OCI_CROSSMOUNT_NAMESPACE            -> OCI_REPO2
#   OCI_TEST_PULL                       -> OCI_API_PULL
#   OCI_TEST_PUSH                       -> OCI_API_PUSH
#   OCI_TEST_CONTENT_DISCOVERY          -> OCI_API_TAGS_LIST + OCI_API_REFERRER
#   OCI_TEST_CONTENT_MANAGEMENT         -> OCI_API_{TAGS,MANIFESTS,BLOBS}_DELETE
#   OCI_DEBUG=1                         -> OCI_LOG=debug
#   OCI_TAG_NAME / OCI_MANIFEST_DIGEST / OCI_BLOB_DIGEST -> OCI_RO_DATA_*
# Classic variables that are IGNORED now: OCI_REPORT_DIR (use OCI_RESULTS_DIR),
# OCI_HIDE_SKIPPED_WORKFLOWS, OCI_DELETE_MANIFEST_BEFORE_BLOBS,
# OCI_AUTOMATIC_CROSSMOUNT (mount with from=OCI_REPO2 is always tested; a 202
# answer falls back to POST+PUT; mount WITHOUT from= is
# OCI_API_BLOBS_MOUNT_ANONYMOUS).
#
# Auth (api.go getAuthHeader): on a 401 it reads WWW-Authenticate.
#   Basic  -> retries with Basic user:pass.
#   Bearer -> GET <realm>?service=..&scope=.. (realm resolved against the request
#             URL; any query string already in the realm is REPLACED) with Basic
#             user:pass and Accept: application/json; reads "token" or
#             "access_token" from the JSON (must be 200); retries with
#             "Authorization: Bearer <token>". Parameters must be quoted
#             (realm="...",service="...",scope="..."); one scope is used.
#   Without OCI_USERNAME+OCI_PASSWORD no auth is attempted at all, so a
#   registry that wants an anonymous bearer token fails every request.
# ---------------------------------------------------------------------------
set -euo pipefail

CONFORMANCE_VERSION="${BERTH_CONFORMANCE_VERSION:-v0.0.0-20260831232431-97274622c111}"
CONFORMANCE_PACKAGE="github.com/opencontainers/distribution-spec/conformance"

BERTH_PEER_NAME=conformance
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# main.Version is the fallback for the "Conformance Commit" shown in reports
# (there is no VCS stamp when building from the module proxy).
berth_peer_go_install conformance "$CONFORMANCE_VERSION" "$CONFORMANCE_PACKAGE" conformance \
  -ldflags="-s -w -X main.Version=$CONFORMANCE_VERSION"
