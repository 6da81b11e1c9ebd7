#!/usr/bin/env bash
# Scans one shard of an organisation's repositories (a CI matrix job, or a
# laptop): picks every COUNT-th entry of the sorted list, starting at INDEX,
# and writes OUT_DIR/<owner>__<name>.json for each with one
# `jwt2oauth scan --repos LIST --reports-dir OUT_DIR` (shallow clones with
# gix, rules compiled once). A repository that cannot be cloned still gets
# its report, whose `errors` say why (the gate reads "incomplete"): no
# repository is dropped silently.
#
# Usage: shard.sh LIST INDEX COUNT [OUT_DIR]
#   LIST     one repository per line: owner/name (cloned from
#            $JWT2OAUTH_CLONE_BASE/owner/name), a git URL, or a local path;
#            blank lines and # comments are skipped (`gh repo list ORG
#            --limit 10000 --json nameWithOwner -q '.[].nameWithOwner'`)
#   INDEX    0-based shard index, below COUNT
#   OUT_DIR  where reports go (default: reports)
# Environment:
#   JWT2OAUTH             the binary (default: jwt2oauth on PATH)
#   JWT2OAUTH_CLONE_BASE  base URL of owner/name entries (default https://github.com)
#   JWT2OAUTH_TOKEN       token for private repositories (sent as the URL's
#                         password to jwt2oauth, which never prints or stores it)
#   JWT2OAUTH_REPOS_CACHE where clones go (default: a temporary directory,
#                         deleted at the end; a kept one is reused next time)
#   JWT2OAUTH_SCAN_ARGS   extra `jwt2oauth scan` arguments (split on spaces)
#   JWT2OAUTH_TODAY       --today YYYY-MM-DD (reproducible reports, tests)
# Exit codes: 0 every picked repository has a report (clean, findings or
#   clone errors); 1 jwt2oauth failed or wrote fewer reports than picked;
#   2 usage.
set -euo pipefail

log() { printf 'jwt2oauth shard: %s\n' "$*" >&2; }
usage() { log "usage: shard.sh LIST INDEX COUNT [OUT_DIR]"; exit 2; }

if [ $# -lt 3 ] || [ $# -gt 4 ]; then usage; fi
list=$1 index=$2 count=$3 out=${4:-reports}
case "$index$count" in *[!0-9]*) usage ;; esac
if [ "$count" -lt 1 ] || [ "$index" -ge "$count" ]; then usage; fi
[ -r "$list" ] || { log "cannot read $list"; exit 2; }
list_dir=$(cd "$(dirname "$list")" && pwd)
bin=${JWT2OAUTH:-jwt2oauth}
# Scans run in the work directory (the list's name in errors is then the
# repository's): absolute paths for everything else.
case "$bin" in */*) bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")" ;; esac
base=${JWT2OAUTH_CLONE_BASE:-https://github.com}
base=${base%/}
mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/jwt2oauth-shard.XXXXXX")
trap 'rm -rf "$work"' EXIT
chmod 700 "$work"
cache=${JWT2OAUTH_REPOS_CACHE:-$work/cache}
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)

# The URL for an entry: owner/name under the clone base (with the token),
# anything else (a URL, a path) as it is.
url_of() {
  case "$1" in
    *://* | *@*:* | /*) printf '%s' "$1" ;;
    ./* | ../*) printf '%s/%s' "$list_dir" "$1" ;;
    */*)
      if [ -n "${JWT2OAUTH_TOKEN:-}" ] && [ "${base#https://}" != "$base" ]; then
        printf 'https://x-access-token:%s@%s/%s' "$JWT2OAUTH_TOKEN" "${base#https://}" "$1"
      else
        printf '%s/%s' "$base" "$1"
      fi
      ;;
    *) printf '%s' "$1" ;;
  esac
}

mapfile -t picked < <(
  sed -e 's/#.*//' -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' "$list" | grep -v '^$' |
    LC_ALL=C sort -u | awk -v i="$index" -v n="$count" '(NR - 1) % n == i'
)
log "shard $index of $count: ${#picked[@]} repositories"
if [ "${#picked[@]}" -eq 0 ]; then exit 0; fi
extra=()
if [ -n "${JWT2OAUTH_SCAN_ARGS:-}" ]; then read -r -a extra <<<"$JWT2OAUTH_SCAN_ARGS"; fi
if [ -n "${JWT2OAUTH_TODAY:-}" ]; then extra+=(--today "$JWT2OAUTH_TODAY"); fi

list_name="shard-$index.txt"
(
  umask 077
  for entry in "${picked[@]}"; do
    url_of "$entry"
    printf '\n'
  done >"$work/$list_name"
)
before=$(find "$out" -maxdepth 1 -name '*.json' | wc -l)
rc=0
# One run for the whole shard (rules compiled once), one report per
# repository. Run in the work directory: errors name the list as
# shard-N.txt:LINE.
(cd "$work" && "$bin" scan --repos "$list_name" --repos-cache "$cache" --reports-dir "$out" \
  --no-progress --fail-on never "${extra[@]}") || rc=$?
rm -f "${work:?}/$list_name"
written=$(($(find "$out" -maxdepth 1 -name '*.json' | wc -l) - before))
if [ "$rc" -ne 0 ] || [ "$written" -ne "${#picked[@]}" ]; then
  log "jwt2oauth exited $rc and wrote $written of ${#picked[@]} reports"
  exit 1
fi
log "wrote ${#picked[@]} reports to $out"
