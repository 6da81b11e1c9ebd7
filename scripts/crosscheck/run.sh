#!/usr/bin/env bash
# Cross-checks the jwt2oauth IMS emulator against clients no one here wrote:
# Adobe's @adobe/jwt-auth (npm) and Authlib (PyPI).
#
# Usage: scripts/crosscheck/run.sh [path/to/jwt2oauth]
#   (default: target/debug/jwt2oauth; build it first with `cargo build`)
#
# Installs the clients into scripts/crosscheck/node_modules and
# scripts/crosscheck/pydeps if missing, starts the emulator on 127.0.0.1 with
# the fixtures, runs both checks, stops the emulator. Exits non-zero on failure.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
bin="${1:-$root/target/debug/jwt2oauth}"
fixtures="$root/fixtures/ims"

[ -x "$bin" ] || { echo "crosscheck: no binary at $bin (run cargo build)" >&2; exit 2; }
command -v node >/dev/null || { echo "crosscheck: node is required" >&2; exit 2; }
command -v python3 >/dev/null || { echo "crosscheck: python3 is required" >&2; exit 2; }

if [ ! -d "$here/node_modules/@adobe/jwt-auth" ]; then
  echo "crosscheck: installing @adobe/jwt-auth into $here/node_modules"
  npm install --prefix "$here" --no-audit --no-fund --loglevel=error
fi
if [ ! -d "$here/pydeps/authlib" ] || [ ! -d "$here/pydeps/jwt" ]; then
  # PyJWT: tests/it/fix_run.rs runs a PyJWT program before `fix` rewrites it.
  echo "crosscheck: installing authlib, requests and PyJWT into $here/pydeps"
  python3 -m pip install --quiet --disable-pip-version-check --target "$here/pydeps" -r "$here/requirements.txt"
fi

log="$(mktemp)"
out="$(mktemp)"
"$bin" emulate-ims --listen 127.0.0.1:0 \
  --credentials "$fixtures/workspace.json" \
  --certificate "$fixtures/certificate_pub.crt" >"$out" 2>"$log" &
emu=$!
cleanup() { kill "$emu" 2>/dev/null || true; wait "$emu" 2>/dev/null || true; rm -f "$log" "$out"; }
trap cleanup EXIT

url=""
for _ in $(seq 1 100); do
  url="$(sed -n 's/^listening on //p' "$out")"
  [ -n "$url" ] && break
  sleep 0.05
done
[ -n "$url" ] || { echo "crosscheck: the emulator did not start" >&2; cat "$log" >&2; exit 1; }
echo "crosscheck: emulator at $url"

status=0
echo "== @adobe/jwt-auth (npm) =="
IMS_URL="$url" FIXTURES="$fixtures" NODE_PATH="$here/node_modules" node "$here/jwt_auth_check.js" || status=1
echo "== Authlib (PyPI) =="
IMS_URL="$url" FIXTURES="$fixtures" PYTHONPATH="$here/pydeps" python3 "$here/authlib_check.py" || status=1

if [ "$status" -ne 0 ]; then
  echo "crosscheck: FAILED; emulator log:" >&2
  cat "$log" >&2
fi
exit "$status"
