#!/usr/bin/env bash
# Scores a jwt2oauth binary on every labelled set: the dev set (eval/) and
# each held-out round (eval/holdout*/), one line of figures per set.
#
#   eval/score-all.sh [BIN] [CORPORA]
#
# BIN defaults to target/release/jwt2oauth. CORPORA (default /work) holds
# each set materialised from the fetch cache, outside the checkout:
#   CORPORA/evalcorpus       python3 eval/materialise.py CORPORA/evalcorpus
#   CORPORA/holdout-corpus   ... --repos eval/holdout/repos.tsv
#   CORPORA/holdoutN-corpus  ... --repos eval/holdoutN/repos.tsv
# A set whose corpus is missing is listed as such, not skipped silently.
# Each set's full output (with --misses) goes to $OUT (default
# ${TMPDIR:-/tmp}/jwt2oauth-score), one file per set.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(realpath "${1:-target/release/jwt2oauth}")
corpora=${2:-/work}
out=${OUT:-${TMPDIR:-/tmp}/jwt2oauth-score}
mkdir -p "$out"
sets=(dev holdout)
for d in eval/holdout[0-9]*/; do
  d=${d%/}
  sets+=("${d#eval/}")
done
# Numeric order: holdout3 .. holdout12.
mapfile -t sets < <(printf '%s\n' "${sets[@]}" | sort -V)
for s in "${sets[@]}"; do
  if [ "$s" = dev ]; then
    repos=eval/repos.tsv corpus=$corpora/evalcorpus
  else
    repos=eval/$s/repos.tsv corpus=$corpora/$s-corpus
  fi
  if [ ! -d "$corpus" ]; then
    printf '%-10s corpus missing: %s\n' "$s" "$corpus"
    continue
  fi
  python3 eval/score.py "$corpus" --bin "$bin" --repos "$repos" --misses > "$out/$s.txt"
  live_files=$(sed -n 's/^file-level recall, live code : //p' "$out/$s.txt")
  live_sites=$(sed -n 's/^site-level recall, live code : //p' "$out/$s.txt")
  wrong=$(sed -n 's/^files flagged wrongly *: //p' "$out/$s.txt")
  printf '%-10s live files %-16s live sites %-16s wrong %s\n' "$s" "$live_files" "$live_sites" "$wrong"
done
