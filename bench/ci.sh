#!/usr/bin/env bash
# The CI regression check: generates the small (50 MB) corpus, scans it with
# jwt2oauth and with ripgrep (a warm-up run of each, then three alternating
# runs) and fails if jwt2oauth's median took more than twice ripgrep's. A
# ratio from one benchmark run on one machine, never an absolute time, so a
# slow CI runner cannot fail it. About 5 s once the release binary is built
# (.ci/run builds it anyway) and the corpus is generated (2 s, then cached in
# target/bench-corpus/).
set -euo pipefail
cd "$(dirname "$0")/.."
exec bench/run.sh --sizes 50 --runs 3 --max-ratio 2 "$@"
