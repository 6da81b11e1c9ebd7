#!/usr/bin/env bash
# Builds a "real" tree to benchmark on from third-party code already on this
# machine: Python's site-packages, global node_modules and the cargo registry
# sources (copied, so the tree stays fixed while packages change).
#
#   bench/real-tree.sh [DEST]      # default: target/bench-real
#   bench/run.sh --sizes '' target/bench-real
set -euo pipefail
cd "$(dirname "$0")/.."
dest=${1:-target/bench-real}
rm -rf "$dest"
mkdir -p "$dest"
site=$(python3 -c 'import site; print(site.getsitepackages()[0])')
[ -d "$site" ] && cp -a "$site" "$dest/site-packages"
for nm in /usr/lib/node_modules /usr/local/lib/node_modules scripts/crosscheck/node_modules; do
  [ -d "$nm" ] && mkdir -p "$dest/node_modules" && cp -a "$nm/." "$dest/node_modules/"
done
[ -d "$HOME/.cargo/registry/src" ] && cp -a "$HOME/.cargo/registry/src" "$dest/cargo-registry-src"
du -sh "$dest"
