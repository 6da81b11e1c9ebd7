#!/usr/bin/env bash
# Merges the shards' per-repository JSON reports into the organisation
# report with `jwt2oauth merge` (credentials linked across repositories):
# OUT_DIR/org.json, org.md, org.html and org.sarif, and the Markdown report
# in $GITHUB_STEP_SUMMARY when set (cut at GitHub's 1 MiB limit).
#
# Usage: merge.sh REPORTS_DIR OUT_DIR [--expect N] [--fail-on SEVERITY]
#   REPORTS_DIR  searched recursively for *.json (one per repository)
#   --expect N   fail (exit 2) unless exactly N reports are found: a shard
#                that died must not make its repositories vanish
#   --fail-on    the gate, as for scan (default low; never to only report)
# Environment: JWT2OAUTH, the binary (default: jwt2oauth on PATH).
# Exit codes: merge's: 0 clean, 1 findings at or above --fail-on, 2 a
#   report that is not a jwt2oauth JSON report (named), none found, or a
#   count other than --expect.
set -euo pipefail

log() { printf 'jwt2oauth merge: %s\n' "$*" >&2; }
usage() { log "usage: merge.sh REPORTS_DIR OUT_DIR [--expect N] [--fail-on SEVERITY]"; exit 2; }

[ $# -ge 2 ] || usage
reports=$1 out=$2
shift 2
expect="" fail_on=low
while [ $# -gt 0 ]; do
  case "$1" in
    --expect) [ $# -ge 2 ] || usage; expect=$2; shift 2 ;;
    --fail-on) [ $# -ge 2 ] || usage; fail_on=$2; shift 2 ;;
    *) usage ;;
  esac
done
bin=${JWT2OAUTH:-jwt2oauth}
[ -d "$reports" ] || { log "$reports is not a directory"; exit 2; }
mapfile -t files < <(find "$reports" -type f -name '*.json' | LC_ALL=C sort)
[ "${#files[@]}" -gt 0 ] || { log "no *.json report under $reports"; exit 2; }
if [ -n "$expect" ] && [ "${#files[@]}" -ne "$expect" ]; then
  log "found ${#files[@]} reports under $reports, expected $expect: a shard's reports are missing"
  exit 2
fi
mkdir -p "$out"
rc=0
"$bin" merge "${files[@]}" --fail-on "$fail_on" --color never \
  --format json -o "$out/org.json" --format markdown -o "$out/org.md" \
  --format html -o "$out/org.html" --format sarif -o "$out/org.sarif" \
  --format terminal -o "$out/org.txt" || rc=$?
if [ "$rc" -ge 2 ]; then exit "$rc"; fi
log "merged ${#files[@]} reports into $out (exit $rc)"
if [ -n "${GITHUB_STEP_SUMMARY:-}" ] && [ -f "$out/org.md" ]; then
  limit=$((1024 * 1024 - 200))
  if [ "$(wc -c <"$out/org.md")" -gt "$limit" ]; then
    head -c "$limit" "$out/org.md" >>"$GITHUB_STEP_SUMMARY"
    printf '\n\n(cut at 1 MiB: the whole report is the org-report artifact)\n' >>"$GITHUB_STEP_SUMMARY"
  else
    cat "$out/org.md" >>"$GITHUB_STEP_SUMMARY"
  fi
fi
exit "$rc"
