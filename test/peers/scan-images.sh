#!/usr/bin/env bash
# Builds the scanner's test images from real packages at old versions, as OCI
# image layouts, cached by content under
#   ${BERTH_CACHE_DIR:-~/.cache/berth}/scan-images/<name>-<recipe hash>/   (tag `latest`)
# and prints one line per image on stdout: `<name>=<layout directory>`.
#
#   debian  debootstrap --variant=minbase bookworm (Debian's packages), then a
#           layer of our own made in a chroot: apt-get install curl, one
#           package purged and the apt lists removed (so the layer has
#           whiteouts), recorded by `umoci unpack` + `umoci repack`
#   python  pure-Python wheels from PyPI at old versions (pip install --target)
#           in /usr/local/lib/python3.11/site-packages
#   node    an app with npm packages at old versions: its real package-lock.json
#           and node_modules in /app (npm install --ignore-scripts)
#   go      a Go binary built against old module versions (pseudo-version and
#           +incompatible modules included) in /usr/local/bin/scanfixture
#   java    JARs from Maven Central at old versions in /opt/app/lib and a WAR
#           nesting them (/opt/app/scanfixture.war, built by maven-war-plugin)
#   rust    a Rust binary built with `cargo auditable` against old crates from
#           crates.io (/usr/local/bin/scanfixture-rs: its dependency list is
#           embedded in a .dep-v0 section); cargo-auditable comes from
#           test/peers/cargo-auditable.sh (crates.io, cached under ~/.cache/berth/peers)
#
# An image's cache key hashes its recipe (its builder function, the helpers
# and its package list), so editing a recipe rebuilds that image only;
# delete ~/.cache/berth/scan-images to rebuild everything. A build happens in a
# temporary directory and is published with one rename, like the peers.
# Builds run one after another, nice'd. The debian image needs root (chroot).
#
# Usage: test/peers/scan-images.sh [NAME...]     (default: all six)
# Environment: BERTH_DEBIAN_MIRROR (debootstrap's default mirror when unset)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BERTH_PEER_NAME=scan-images
# shellcheck source=lib.sh
. "$here/lib.sh"

IMAGES_DIR="$BERTH_CACHE_DIR/scan-images"
ALL_IMAGES=(debian python node go java rust)

# The package purged in the debian image's second layer (so the status file of the
# last layer drops it and its files become whiteouts).
DEBIAN_PURGE=e2fsprogs

# --- recipes (old versions that the advisories in /work/shared/vulndata name) ---

PYPI_PACKAGES=(
  requests==2.19.1 urllib3==1.23 idna==2.7 chardet==3.0.4 certifi==2018.4.16
  Jinja2==2.10 Flask==1.0 Werkzeug==0.14.1 click==6.7 itsdangerous==1.1.0
  Django==2.2 sqlparse==0.2.4 pytz==2018.5 six==1.11.0
)

NPM_PACKAGE_JSON='{
  "name": "scan-fixture-app",
  "version": "1.0.0",
  "private": true,
  "description": "Berth scanner test app with npm packages at old versions",
  "dependencies": {
    "express": "4.16.0",
    "lodash": "4.17.4",
    "minimist": "0.0.8",
    "handlebars": "4.0.11",
    "moment": "2.19.3",
    "axios": "0.18.0",
    "marked": "0.3.6",
    "ws": "5.2.0",
    "@babel/code-frame": "7.0.0"
  }
}'

GO_MOD='module example.com/scanfixture

go 1.22

require (
	github.com/dgrijalva/jwt-go v3.2.0+incompatible
	github.com/gorilla/websocket v1.4.0
	github.com/tidwall/gjson v1.6.0
	golang.org/x/net v0.0.0-20210226172049-e18ecbb05110
	golang.org/x/text v0.3.6
	gopkg.in/yaml.v2 v2.2.2
)
'

GO_MAIN='package main

// A program that links one package of each old module, so that each appears
// in the binary'"'"'s build information.
import (
	"fmt"

	"github.com/dgrijalva/jwt-go"
	"github.com/gorilla/websocket"
	"github.com/tidwall/gjson"
	"golang.org/x/net/html"
	"golang.org/x/text/language"
	"gopkg.in/yaml.v2"
)

func main() {
	var out map[string]any
	_ = yaml.Unmarshal([]byte("a: 1"), &out)
	_, _ = html.Parse(nil)
	fmt.Println(language.English, gjson.Get(`{"a":1}`, "a"), websocket.TextMessage, jwt.SigningMethodHS256.Alg(), out)
}
'

MAVEN_POM='<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>com.example.berth</groupId>
  <artifactId>scanfixture</artifactId>
  <version>1.0.0</version>
  <packaging>war</packaging>
  <properties>
    <maven.compiler.source>17</maven.compiler.source>
    <maven.compiler.target>17</maven.compiler.target>
    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
  </properties>
  <dependencies>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-core</artifactId><version>2.14.1</version></dependency>
    <dependency><groupId>com.fasterxml.jackson.core</groupId><artifactId>jackson-databind</artifactId><version>2.9.8</version></dependency>
    <dependency><groupId>commons-collections</groupId><artifactId>commons-collections</artifactId><version>3.2.1</version></dependency>
    <dependency><groupId>org.apache.commons</groupId><artifactId>commons-text</artifactId><version>1.9</version></dependency>
    <dependency><groupId>org.springframework</groupId><artifactId>spring-core</artifactId><version>5.3.17</version></dependency>
    <dependency><groupId>org.yaml</groupId><artifactId>snakeyaml</artifactId><version>1.26</version></dependency>
    <dependency><groupId>commons-io</groupId><artifactId>commons-io</artifactId><version>2.6</version></dependency>
    <dependency><groupId>com.google.guava</groupId><artifactId>guava</artifactId><version>24.1-jre</version></dependency>
  </dependencies>
  <build>
    <plugins>
      <plugin><groupId>org.apache.maven.plugins</groupId><artifactId>maven-war-plugin</artifactId><version>3.4.0</version></plugin>
    </plugins>
  </build>
</project>
'

CARGO_AUDITABLE_VERSION=0.7.7

CARGO_TOML='[package]
name = "scanfixture-rs"
version = "0.1.0"
edition = "2021"

[dependencies]
smallvec = "=0.6.13"
base64 = "=0.9.3"
hex = "=0.3.2"
lazy_static = "=1.0.2"
byteorder = "=1.2.7"
'

RUST_MAIN='use smallvec::SmallVec;

// Uses each old crate, so each is linked and listed in the .dep-v0 section.
lazy_static::lazy_static! { static ref GREETING: String = hex::encode("scan fixture"); }

fn main() {
    let mut v: SmallVec<[u8; 4]> = SmallVec::new();
    v.push(1);
    let mut buf = [0u8; 4];
    <byteorder::LittleEndian as byteorder::ByteOrder>::write_u32(&mut buf, 42);
    println!("{} {} {:?} {:?}", *GREETING, base64::encode(&v[..]), v, buf);
}
'

# --- helpers ---

# new_layout LAYOUT — an OCI layout with an empty linux/amd64 image tagged latest.
new_layout() {
  "$UMOCI" init --layout "$1"
  "$UMOCI" new --image "$1:latest"
  "$UMOCI" config --image "$1:latest" --os linux --architecture amd64 \
    --config.label org.opencontainers.image.description="Berth scanner test image" >/dev/null
}

# insert_tree LAYOUT DIR — adds DIR's contents as one layer at / of the image.
insert_tree() {
  "$UMOCI" insert --image "$1:latest" --history.created_by "berth scan-images: $(basename "$2")" "$2" /
}

# --- builders: BUILD_x OUT WORK (OUT becomes the layout) ---

build_debian() {
  local out="$1" work="$2"
  [ "$(id -u)" -eq 0 ] || berth_peer_die "the debian image needs root (debootstrap, chroot)"
  command -v debootstrap >/dev/null 2>&1 || berth_peer_apt_install debootstrap debootstrap
  local -a mirror=()
  [ -n "${BERTH_DEBIAN_MIRROR:-}" ] && mirror=("$BERTH_DEBIAN_MIRROR")
  berth_peer_log "debootstrap --variant=minbase bookworm (a few minutes)"
  nice debootstrap --variant=minbase --arch=amd64 bookworm "$work/rootfs" "${mirror[@]}"
  # debootstrap keeps the downloaded .debs in the apt cache; images do not.
  rm -f "$work/rootfs"/var/cache/apt/archives/*.deb
  # An image has an empty /dev, /proc and /sys: the runtime provides them.
  find "$work/rootfs/dev" "$work/rootfs/proc" "$work/rootfs/sys" -mindepth 1 -maxdepth 1 -exec rm -rf {} + 2>/dev/null || true

  new_layout "$out"
  insert_tree "$out" "$work/rootfs"

  # Layer 2, our own: changes made in a chroot, recorded as a diff layer.
  "$UMOCI" unpack --image "$out:latest" "$work/bundle"
  local root="$work/bundle/rootfs"
  cp /etc/resolv.conf "$root/etc/resolv.conf"
  mknod -m 666 "$root/dev/null" c 1 3 2>/dev/null || touch "$root/dev/null"
  chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
    sh -ec 'apt-get update -q; apt-get install -y -q --no-install-recommends curl
      dpkg --purge '"$DEBIAN_PURGE"'
      apt-get clean; rm -rf /var/lib/apt/lists/* /var/log/apt /var/log/dpkg.log /var/cache/debconf/*-old'
  rm -f "$root/dev/null"
  : >"$root/etc/resolv.conf"
  "$UMOCI" repack --image "$out:latest" --history.created_by "berth scan-images: apt-get install curl" "$work/bundle"
  "$UMOCI" config --image "$out:latest" --config.cmd /bin/bash >/dev/null
}

build_python() {
  local out="$1" work="$2" site="$2/root/usr/local/lib/python3.11/site-packages"
  mkdir -p "$site"
  berth_peer_log "pip install --target (${#PYPI_PACKAGES[@]} wheels)"
  PIP_ROOT_USER_ACTION=ignore nice python3 -m pip install --quiet --disable-pip-version-check --no-deps --no-compile \
    --only-binary=:all: --target "$site" "${PYPI_PACKAGES[@]}"
  rm -rf "$site/bin"
  new_layout "$out"
  insert_tree "$out" "$work/root"
}

build_node() {
  local out="$1" work="$2" app="$2/root/app"
  mkdir -p "$app"
  printf '%s\n' "$NPM_PACKAGE_JSON" >"$app/package.json"
  berth_peer_log "npm install (old versions)"
  (cd "$app" && nice npm install --ignore-scripts --no-audit --no-fund --loglevel=error >&2)
  new_layout "$out"
  insert_tree "$out" "$work/root"
}

build_go() {
  local out="$1" work="$2" go
  go="$(berth_peer_go)"
  mkdir -p "$work/src" "$work/root/usr/local/bin"
  printf '%s' "$GO_MOD" >"$work/src/go.mod"
  printf '%s' "$GO_MAIN" >"$work/src/main.go"
  berth_peer_log "go build against old module versions"
  (cd "$work/src" && GOFLAGS=-mod=mod GOWORK=off GOTOOLCHAIN=local nice "$go" mod tidy >&2 &&
    CGO_ENABLED=0 GOFLAGS=-mod=mod GOWORK=off GOTOOLCHAIN=local nice "$go" build -trimpath -o "$work/root/usr/local/bin/scanfixture" .)
  new_layout "$out"
  insert_tree "$out" "$work/root"
}

build_java() {
  local out="$1" work="$2"
  command -v mvn >/dev/null 2>&1 || berth_peer_die "mvn is not installed (apt-get install maven)"
  mkdir -p "$work/src/src/main/webapp/WEB-INF" "$work/root/opt/app"
  printf '%s' "$MAVEN_POM" >"$work/src/pom.xml"
  printf '<html><body>scan fixture</body></html>\n' >"$work/src/src/main/webapp/index.html"
  printf '<web-app xmlns="https://jakarta.ee/xml/ns/jakartaee" version="5.0"/>\n' >"$work/src/src/main/webapp/WEB-INF/web.xml"
  berth_peer_log "mvn package + dependency:copy-dependencies (Maven Central)"
  (cd "$work/src" && nice mvn -B -q package dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$work/root/opt/app/lib" >&2)
  cp "$work/src/target/scanfixture-1.0.0.war" "$work/root/opt/app/scanfixture.war"
  new_layout "$out"
  insert_tree "$out" "$work/root"
}

# recipe_hash NAME — 12 hex digits of what determines the image's content.
recipe_hash() {
  local -a vars
  case "$1" in
    debian) vars=(DEBIAN_PURGE) ;;
    python) vars=(PYPI_PACKAGES) ;;
    node) vars=(NPM_PACKAGE_JSON) ;;
    go) vars=(GO_MOD GO_MAIN) ;;
    java) vars=(MAVEN_POM) ;;
    rust) vars=(CARGO_AUDITABLE_VERSION CARGO_TOML RUST_MAIN) ;;
  esac
  { declare -f "build_$1" new_layout insert_tree && declare -p "${vars[@]}" && printf '%s\n' "$UMOCI"; } | sha256sum | cut -c1-12
}

build_rust() {
  local out="$1" work="$2" tool
  command -v cargo >/dev/null 2>&1 || berth_peer_die "cargo is not installed (install Rust)"
  if [ -x "$here/cargo-auditable.sh" ]; then
    tool="$("$here/cargo-auditable.sh")"
  else
    # The same cache entry test/peers/cargo-auditable.sh makes, when that peer is absent.
    tool="$BERTH_PEERS_DIR/cargo-auditable-$CARGO_AUDITABLE_VERSION/cargo-auditable"
    if [ ! -x "$tool" ]; then
      berth_peer_log "cargo install cargo-auditable $CARGO_AUDITABLE_VERSION (crates.io; a few minutes cold)"
      nice cargo install --locked --quiet --root "$work/cargo-root" cargo-auditable --version "$CARGO_AUDITABLE_VERSION" >&2
      mkdir -p "$work/peer" && cp "$work/cargo-root/bin/cargo-auditable" "$work/peer/"
      mv -T "$work/peer" "$(dirname "$tool")" 2>/dev/null || [ -x "$tool" ]
    fi
  fi
  mkdir -p "$work/src/src" "$work/root/usr/local/bin"
  printf '%s' "$CARGO_TOML" >"$work/src/Cargo.toml"
  printf '%s' "$RUST_MAIN" >"$work/src/src/main.rs"
  berth_peer_log "cargo auditable build against old crates"
  (cd "$work/src" && PATH="$(dirname "$tool"):$PATH" CARGO_TARGET_DIR="$work/target" nice cargo auditable build --release --quiet >&2)
  cp "$work/target/release/scanfixture-rs" "$work/root/usr/local/bin/scanfixture-rs"
  new_layout "$out"
  insert_tree "$out" "$work/root"
}

# build_image NAME — prints NAME=LAYOUT, building it unless cached.
build_image() {
  local name="$1" hash
  hash="$(recipe_hash "$name")"
  local dest="$IMAGES_DIR/$name-$hash"
  if [ -f "$dest/index.json" ]; then
    printf '%s=%s\n' "$name" "$dest"
    return 0
  fi
  mkdir -p "$IMAGES_DIR"
  rm -rf "$dest"
  local tmp start=$SECONDS
  tmp="$(mktemp -d "$IMAGES_DIR/.$name-$hash.tmp.XXXXXX")"
  # shellcheck disable=SC2064  # expand $tmp now
  trap "chmod -R u+w '$tmp' 2>/dev/null; rm -rf '$tmp'" EXIT
  berth_peer_log "building the $name image"
  # Not `builder || die`: errexit is off inside a function called that way.
  "build_$name" "$tmp/layout" "$tmp" >&2
  "$UMOCI" gc --layout "$tmp/layout"
  if ! mv -T "$tmp/layout" "$dest" 2>/dev/null; then
    # A concurrent build of the same recipe won the race: use its result.
    [ -f "$dest/index.json" ] || berth_peer_die "could not move the $name image into $dest"
  fi
  chmod -R u+w "$tmp" 2>/dev/null || true
  rm -rf "$tmp"
  trap - EXIT
  berth_peer_log "built $name in $((SECONDS - start))s ($(du -sh "$dest" | cut -f1))"
  printf '%s=%s\n' "$name" "$dest"
}

names=("$@")
[ "${#names[@]}" -gt 0 ] || names=("${ALL_IMAGES[@]}")
for name in "${names[@]}"; do
  case " ${ALL_IMAGES[*]} " in
    *" $name "*) ;;
    *) berth_peer_die "unknown image $name (known: ${ALL_IMAGES[*]})" ;;
  esac
done
UMOCI="$("$here/umoci.sh")"
for name in "${names[@]}"; do build_image "$name"; done
