#!/usr/bin/env bash
# Scans one shard of an organisation's repositories (a CI matrix job, or a
# laptop): picks every COUNT-th entry of the sorted list, starting at INDEX,
# and writes OUT_DIR/<owner>__<name>.json for each with
# `jwt2oauth scan --repos` (a shallow clone with gix). A repository that
# cannot be cloned still gets its report, whose `errors` say why (the gate
# reads "incomplete"): no repository is dropped silently.
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
#   JWT2OAUTH_REPOS_CACHE where clones go (default: a temporary directory);
#                         each clone is deleted after its scan unless
#                         JWT2OAUTH_KEEP_CLONES=1
#   JWT2OAUTH_SCAN_ARGS   extra `jwt2oauth scan` arguments (split on spaces)
#   JWT2OAUTH_TODAY       --today YYYY-MM-DD (reproducible reports, tests)
# Exit codes: 0 every picked repository has a report (clean, findings or
#   clone errors); 1 a scan ended without a report (a usage or config error:
#   listed on stderr, the other repositories are still scanned); 2 usage.
set -euo pipefail

log() { printf 'jwt2oauth shard: %s\n' "$*" >&2; }
usage() { log "usage: shard.sh LIST INDEX COUNT [OUT_DIR]"; exit 2; }

if [ $# -lt 3 ] || [ $# -gt 4 ]; then usage; fi
list=$1 index=$2 count=$3 out=${4:-reports}
case "$index$count" in *[!0-9]*) usage ;; esac
if [ "$count" -lt 1 ] || [ "$index" -ge "$count" ]; then usage; fi
[ -r "$list" ] || { log "cannot read $list"; exit 2; }
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
    *://* | *@*:* | /* | ./* | ../*) printf '%s' "$1" ;;
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

# owner__name of an entry: its last two path components, without .git or
# credentials, made safe for a file name.
report_name() {
  local e=${1%/}
  e=${e%.git}
  e=${e##*@}                 # user:token@host/... and git@host:...
  e=${e//:/\/}
  local name=${e##*/} rest=${e%/*} owner
  owner=${rest##*/}
  [ "$rest" = "$e" ] && owner=
  local n="${owner:+${owner}__}$name"
  printf '%s' "${n//[^A-Za-z0-9._-]/_}"
}

mapfile -t picked < <(
  sed -e 's/#.*//' -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' "$list" | grep -v '^$' |
    LC_ALL=C sort -u | awk -v i="$index" -v n="$count" '(NR - 1) % n == i'
)
log "shard $index of $count: ${#picked[@]} repositories"
extra=()
if [ -n "${JWT2OAUTH_SCAN_ARGS:-}" ]; then read -r -a extra <<<"$JWT2OAUTH_SCAN_ARGS"; fi
if [ -n "${JWT2OAUTH_TODAY:-}" ]; then extra+=(--today "$JWT2OAUTH_TODAY"); fi

failed=0
for entry in "${picked[@]}"; do
  name=$(report_name "$entry")
  report="$out/$name.json"
  n=2
  while [ -e "$report" ]; do report="$out/$name~$n.json"; n=$((n + 1)); done
  one="$name.txt"
  (umask 077 && url_of "$entry" >"$work/$one" && printf '\n' >>"$work/$one")
  rc=0
  (cd "$work" && "$bin" scan --repos "$one" --repos-cache "$cache/$name" --no-progress \
    --fail-on never --format json -o "$report" "${extra[@]}") || rc=$?
  rm -f "${work:?}/$one"
  if [ "${JWT2OAUTH_KEEP_CLONES:-0}" != 1 ]; then rm -rf "${cache:?}/$name"; fi
  if [ "$rc" -ne 0 ] || [ ! -s "$report" ]; then
    log "no report for $name (jwt2oauth exit $rc)"
    rm -f "$report"
    failed=$((failed + 1))
  fi
done
if [ "$failed" -gt 0 ]; then
  log "$failed of ${#picked[@]} repositories have no report"
  exit 1
fi
log "wrote ${#picked[@]} reports to $out"
