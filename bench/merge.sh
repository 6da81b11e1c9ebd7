#!/usr/bin/env bash
# Merge time and peak memory at organisation scale: generates N
# per-repository JSON reports (default 200 and 2000) from three real scans
# (a service and a pipeline sharing one JWT credential, a service with a
# credential of its own, a clean repository), then times
# `jwt2oauth merge` into every org-report format with /usr/bin/time -v.
#
# Usage: bench/merge.sh [N...]        e.g. bench/merge.sh 200 2000
# Environment: JWT2OAUTH (default target/release/jwt2oauth, else
#   target/debug/jwt2oauth), BENCH_DIR (default a temporary directory).
# Prints one line per N: reports, input MB, wall seconds, max RSS MB.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
bin=${JWT2OAUTH:-}
if [ -z "$bin" ]; then
  bin="$here/target/release/jwt2oauth"
  [ -x "$bin" ] || bin="$here/target/debug/jwt2oauth"
fi
[ -x "$bin" ] || { echo "bench/merge.sh: no jwt2oauth binary (cargo build first)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "bench/merge.sh: /usr/bin/time is needed (apt-get install time)" >&2; exit 2; }
sizes=("$@")
[ "${#sizes[@]}" -gt 0 ] || sizes=(200 2000)
work=${BENCH_DIR:-$(mktemp -d)}
mkdir -p "$work/t"

# --- three template reports from real scans ----------------------------------
service() {
  cat <<JS
const auth = require("@adobe/jwt-auth");
const fs = require("fs");
module.exports = () => auth({ clientId: "$1", technicalAccountId: "$2",
  orgId: "12345678901234567890ABCD@AdobeOrg", metaScopes: ["ent_analytics_bulk_ingest_sdk"],
  privateKey: fs.readFileSync("private.key") });
JS
}
mkdir -p "$work/t/shared/src" "$work/t/own" "$work/t/clean/src"
service 5f1c0a9e8d7b6a5f4e3d2c1b0a9f8e7d 7A6B5C4D3E2F1A0B9C8D7E6F@techacct.adobe.com >"$work/t/shared/src/token.js"
service c0ffee5eed5bad1dea5a1e55feedfac0 C0FFEE5EED5BAD1DEA5A1E55@techacct.adobe.com >"$work/t/own/index.js"
printf 'print("nothing to see")\n' >"$work/t/clean/src/main.py"
for t in shared own clean; do
  "$bin" scan "$work/t/$t" --repository "acme/TEMPLATE" --today 2026-11-23 --no-progress \
    --fail-on never --format json -o "$work/t/$t.json"
done

# --- N reports, as the shards would upload them ------------------------------
generate() {
  python3 - "$work/t" "$1" "$2" <<'PY'
import hashlib, os, sys
tdir, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
os.makedirs(out, exist_ok=True)
text = {t: open(os.path.join(tdir, t + ".json")).read() for t in ("shared", "own", "clean")}
for k in range(n):
    kind = "shared" if k % 10 in (0, 5) else "own" if k % 10 == 3 else "clean"
    s = text[kind].replace("acme/TEMPLATE", f"acme/svc-{k:05d}")
    if kind == "own":
        h = hashlib.sha256(f"client {k}".encode()).hexdigest()
        s = s.replace("c0ffee5eed5bad1dea5a1e55feedfac0", h[:32])
        s = s.replace("C0FFEE5EED5BAD1DEA5A1E55", h[32:56].upper())
    with open(os.path.join(out, f"acme__svc-{k:05d}.json"), "w") as f:
        f.write(s)
PY
}

printf '%8s %10s %10s %12s\n' reports input_MB wall_s max_rss_MB
for n in "${sizes[@]}"; do
  dir="$work/n$n"
  rm -rf "$dir" "$dir.out"
  generate "$n" "$dir/reports"
  mkdir -p "$dir.out"
  /usr/bin/time -v -o "$dir.time" "$bin" merge "$dir"/reports/*.json --fail-on never \
    --format json -o "$dir.out/org.json" --format markdown -o "$dir.out/org.md" \
    --format html -o "$dir.out/org.html" --format sarif -o "$dir.out/org.sarif" >/dev/null
  input=$(du -sk "$dir/reports" | awk '{ printf "%.1f", $1 / 1024 }')
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; printf "%.2f", s }' "$dir.time")
  rss=$(awk -F': ' '/Maximum resident set size/ { printf "%.1f", $2 / 1024 }' "$dir.time")
  printf '%8s %10s %10s %12s\n' "$n" "$input" "$wall" "$rss"
done
if [ -z "${BENCH_DIR:-}" ]; then rm -rf "$work"; fi
