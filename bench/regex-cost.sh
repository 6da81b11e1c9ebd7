#!/usr/bin/env bash
# What a costly user rule regex does to a scan: times `jwt2oauth scan` on one
# 8 MiB file with a user rule that overrides jwt-exchange-endpoint with each
# regex below (docs/reliability.md, "Regex cost"). Regexes over the limit
# must be refused (exit 2) at once.
#   bench/regex-cost.sh [--timeout SECONDS] [--bin PATH]
# --timeout: per run (default 600). --bin: another build, e.g. one from
# before the repetition limit (commit ce0c8e1), to see what it prevents.
set -euo pipefail
cd "$(dirname "$0")/.."
limit=600
bin=""
while [ $# -gt 0 ]; do
  case "$1" in
    --timeout) limit="$2"; shift 2 ;;
    --bin) bin="$(realpath "$2")"; shift 2 ;;
    *) echo "usage: $0 [--timeout SECONDS] [--bin PATH]" >&2; exit 2 ;;
  esac
done
if [ -z "$bin" ]; then
  cargo build --release --quiet
  bin="$PWD/target/release/jwt2oauth"
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/letters" "$work/ab"
head -c 8388607 /dev/zero | tr '\0' a > "$work/letters/big.js"
head -c 8388607 /dev/urandom | tr '\000-\377' '[a*128][b*128]' > "$work/ab/big.js"
echo >> "$work/letters/big.js"
echo >> "$work/ab/big.js"

run() { # tree keyword regex
  local rules="$work/rules-$RANDOM"
  mkdir -p "$rules"
  python3 - "$2" "$3" > "$rules/jwt-exchange-endpoint.yaml" <<'PY'
import sys
good = open("rules/jwt-exchange-endpoint.yaml").read()
hit = "  regex: '(?i)(?P<hit>ims/exchange/(?:v1/)?jwt)\\b'"
kw = 'keywords: ["exchange/jwt", "exchange/v1/jwt"]'
assert hit in good and kw in good, "the exchange rule changed: update bench/regex-cost.sh"
print(good.replace(hit, "  regex: '%s'" % sys.argv[2]).replace(kw, 'keywords: ["%s"]' % sys.argv[1]), end="")
PY
  local start end rc
  start=$(date +%s%N)
  set +e
  timeout "$limit" "$bin" scan "$work/$1" --rules "$rules" --format json --today 2026-12-01 > /dev/null 2> "$work/err"
  rc=$?
  set -e
  end=$(date +%s%N)
  local what
  case $rc in
    0|1) local ms=$(( (end - start) / 1000000 ))
         what=$(printf '%d.%02d s' $((ms / 1000)) $(((ms % 1000) / 10))) ;;
    2) what="refused: $(grep -o 'regex too [a-z]*' "$work/err" | head -1)" ;;
    124) what="over ${limit} s (killed)" ;;
    *) what="exit $rc" ;;
  esac
  printf '| `%s` | %s | %s |\n' "$3" "$1" "$what"
}

echo "| regex | input (8 MiB) | time |"
echo "|---|---|---|"
for n in 999 2000 3000 4000; do run letters aaa "[a-z]{1,$n}x"; done
for n in 60 250 500 990; do run ab aba "[ab]*a[ab]{$n}x"; done
