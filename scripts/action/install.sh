#!/usr/bin/env bash
# Installs a prebuilt jwt2oauth for the GitHub Action (action.yml): resolves
# the version, downloads the release archive for this runner's OS and
# architecture, verifies its SHA-256 checksum, and keeps the binary in the
# tool cache. It never compiles: when no release exists for the version (a
# branch or commit of the action, a platform without a prebuilt archive) it
# says so (found=false) and the action falls back to `cargo install`.
#
# Inputs (environment):
#   JWT2OAUTH_VERSION      v1.2.3, 1.2.3, latest, or empty: the action's ref
#   JWT2OAUTH_ACTION_REF   the action's ref (github.action_ref)
#   JWT2OAUTH_REPOSITORY   owner/name of the releases (github.action_repository)
#   JWT2OAUTH_RELEASES_URL releases base, default https://github.com/OWNER/NAME/releases;
#                          assets are BASE/download/TAG/ASSET and BASE/latest/download/ASSET
#                          (https only, or http on 127.0.0.1/localhost for tests)
#   RUNNER_OS, RUNNER_ARCH Linux|macOS|Windows, X64|ARM64 (default: uname)
#   RUNNER_TOOL_CACHE      default ${XDG_CACHE_HOME:-~/.cache}/jwt2oauth-tools
#   RUNNER_TEMP            scratch space, default a mktemp directory
# Outputs (lines NAME=VALUE on stdout, and appended to $GITHUB_OUTPUT if set):
#   found=true|false, version, target, dir (holds the binary), bin, cached=true|false
# Exit codes: 0 installed or no release (found=false); 1 checksum mismatch,
#   download or archive error (never a fallback: a wrong file is not a missing one).
set -euo pipefail

log() { printf 'jwt2oauth install: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
output() {
  printf '%s=%s\n' "$1" "$2"
  if [ -n "${GITHUB_OUTPUT:-}" ]; then printf '%s=%s\n' "$1" "$2" >>"$GITHUB_OUTPUT"; fi
}
not_found() {
  log "$*: no prebuilt binary, the action builds it with cargo"
  output found false
  output cache-key "$(cargo_key)"
  exit 0
}
# The fallback's cache key (rust-cache style): OS, architecture, rustc and a
# hash of what the build reads (lock file, manifest, build script, sources,
# rules), so a cache is saved again whenever any of them changes.
cargo_key() {
  local src="${GITHUB_ACTION_PATH:-$(cd "$(dirname "$0")/../.." && pwd)}" hash
  hash=$(
    cd "$src" && {
      rustc -V 2>/dev/null || true
      find Cargo.lock Cargo.toml build.rs src rules -type f 2>/dev/null | LC_ALL=C sort | while IFS= read -r f; do
        printf '%s\n' "$f"
        cat "$f"
      done
    } | sha256
  )
  printf 'jwt2oauth-cargo-v1-%s-%s-%s' "$os" "$arch" "${hash:0:32}"
}
sha256() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum | awk '{ print $1 }'
  elif command -v shasum >/dev/null 2>&1; then
    shasum -a 256 | awk '{ print $1 }'
  else
    die "neither sha256sum nor shasum is installed"
  fi
}

# --- the release archive for this runner -----------------------------------
os="${RUNNER_OS:-$(uname -s)}"
arch="${RUNNER_ARCH:-$(uname -m)}"
case "$os" in
  Linux | linux) os=Linux ;;
  macOS | Darwin | darwin) os=macOS ;;
  Windows | MINGW* | MSYS* | CYGWIN*) os=Windows ;;
esac
case "$arch" in
  X64 | x86_64 | amd64) arch=X64 ;;
  ARM64 | aarch64 | arm64) arch=ARM64 ;;
esac
exe=jwt2oauth ext=tar.gz
case "$os/$arch" in
  Linux/X64) target=x86_64-unknown-linux-musl ;;
  Linux/ARM64) target=aarch64-unknown-linux-musl ;;
  macOS/X64) target=x86_64-apple-darwin ;;
  macOS/ARM64) target=aarch64-apple-darwin ;;
  Windows/X64) target=x86_64-pc-windows-msvc exe=jwt2oauth.exe ext=zip ;;
  *) not_found "$os $arch" ;;
esac
asset="jwt2oauth-$target.$ext"

# --- the version -------------------------------------------------------------
version="${JWT2OAUTH_VERSION:-}"
if [ -z "$version" ]; then version="${JWT2OAUTH_ACTION_REF:-}"; fi
if [ -z "$version" ]; then
  # github.action_ref is not promised inside composite actions; the action's
  # checkout is .../_actions/OWNER/NAME/REF.
  case "${GITHUB_ACTION_PATH:-}" in
    */_actions/*/*/*) version="${GITHUB_ACTION_PATH##*/}" ;;
  esac
fi
[ -n "$version" ] || not_found "the action's version is unknown (a local action)"
case "$version" in
  latest) tag=latest ;;
  [0-9]*.[0-9]*.[0-9]*) tag="v$version" ;;
  *) tag="$version" ;;
esac
case "$tag" in
  latest | v[0-9]*.[0-9]*.[0-9]*) ;;
  *) not_found "version $tag is not a release (vX.Y.Z or latest)" ;;
esac
case "$tag" in
  *[!A-Za-z0-9._+-]*) die "bad version $tag" ;;
esac

repo="${JWT2OAUTH_REPOSITORY:-}"
base="${JWT2OAUTH_RELEASES_URL:-}"
if [ -z "$base" ]; then
  [ -n "$repo" ] || die "JWT2OAUTH_REPOSITORY (owner/name) or JWT2OAUTH_RELEASES_URL is needed"
  base="https://github.com/$repo/releases"
fi
base="${base%/}"
case "$base" in
  https://*) ;;
  http://127.0.0.1[:/]* | http://localhost[:/]*) ;;
  *) die "releases URL must be https: $base" ;;
esac
if [ "$tag" = latest ]; then url="$base/latest/download"; else url="$base/download/$tag"; fi

# --- the tool cache ------------------------------------------------------------
cache_root="${RUNNER_TOOL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/jwt2oauth-tools}/jwt2oauth"
arch_lc=$(printf '%s' "$arch" | tr '[:upper:]' '[:lower:]')
if [ "$tag" != latest ]; then
  dir="$cache_root/${tag#v}/$arch_lc"
  if [ -f "$dir.complete" ] && [ -x "$dir/$exe" ]; then
    log "jwt2oauth $tag ($target) from the tool cache"
    output found true
    output cached true
    output version "$tag"
    output target "$target"
    output dir "$dir"
    output bin "$dir/$exe"
    exit 0
  fi
fi

# --- download and verify -------------------------------------------------------
tmp_parent="${RUNNER_TEMP:-${TMPDIR:-/tmp}}"
mkdir -p "$tmp_parent"
work=$(mktemp -d "$tmp_parent/jwt2oauth-install.XXXXXX")
trap 'rm -rf "$work"' EXIT

# fetch URL FILE: 0 downloaded, 2 not found (404), 1 any other failure.
fetch() {
  local code
  code=$(curl --silent --show-error --location --proto '=https,http' --retry 3 \
    --connect-timeout 20 --max-time 300 --output "$2" --write-out '%{http_code}' "$1") || {
    log "download of $1 failed"
    return 1
  }
  case "$code" in
    200) return 0 ;;
    404) return 2 ;;
    *) log "download of $1: HTTP $code"; return 1 ;;
  esac
}

rc=0
fetch "$url/$asset.sha256" "$work/$asset.sha256" || rc=$?
case "$rc" in
  0) ;;
  2) not_found "release $tag has no $asset" ;;
  *) die "cannot download the checksum of $asset ($tag)" ;;
esac
rc=0
fetch "$url/$asset" "$work/$asset" || rc=$?
case "$rc" in
  0) ;;
  2) die "release $tag lists a checksum for $asset but not the archive" ;;
  *) die "cannot download $asset ($tag)" ;;
esac

expected=$(awk 'NR == 1 { print tolower($1) }' "$work/$asset.sha256")
case "$expected" in
  *[!0-9a-f]* | "") die "$asset.sha256 holds no SHA-256" ;;
esac
[ "${#expected}" -eq 64 ] || die "$asset.sha256 holds no SHA-256"
actual=$(sha256 <"$work/$asset")
[ "$actual" = "$expected" ] || die "checksum mismatch for $asset ($tag): expected $expected, got $actual; refusing to install it"
log "verified $asset ($tag): sha256 $actual"

mkdir -p "$work/x"
case "$ext" in
  tar.gz) tar -xzf "$work/$asset" -C "$work/x" || die "cannot unpack $asset" ;;
  zip)
    if command -v unzip >/dev/null 2>&1; then
      unzip -q "$work/$asset" -d "$work/x" || die "cannot unpack $asset"
    elif command -v 7z >/dev/null 2>&1; then
      7z x -y -o"$work/x" "$work/$asset" >/dev/null || die "cannot unpack $asset"
    else
      python3 -m zipfile -e "$work/$asset" "$work/x" || die "cannot unpack $asset"
    fi
    ;;
esac
found="$work/x/jwt2oauth-$target/$exe"
[ -f "$found" ] || die "$asset does not hold jwt2oauth-$target/$exe"
chmod +x "$found"
reported=$("$found" --version 2>/dev/null) || die "the downloaded jwt2oauth does not run on this runner"
# "jwt2oauth 1.2.3" -> v1.2.3: names the cache entry of `latest`, and must
# agree with a pinned tag.
real="v${reported##* }"
if [ "$tag" != latest ] && [ "$real" != "$tag" ]; then
  die "$asset of release $tag holds jwt2oauth $real"
fi
dir="$cache_root/${real#v}/$arch_lc"
rm -rf "$dir" "$dir.complete"
mkdir -p "$dir"
cp "$found" "$dir/$exe"
touch "$dir.complete"
log "installed jwt2oauth $real ($target) in $dir"
output found true
output cached false
output version "$real"
output target "$target"
output dir "$dir"
output bin "$dir/$exe"
