#!/usr/bin/env bash
# The CI regression check, twice: jwt2oauth against ripgrep on the generated
# 50 MB corpus (bench/run.sh: a warm-up run of each, then three alternating
# runs, against the rule pack as ripgrep patterns) and on a small real corpus
# (bench/real.sh --ci: this crate's own ~370 dependencies, 280 MB of real
# third-party code from cargo's registry sources as Cargo.lock pins them, no
# network; against `rg -uuu -c -f bench/strong-signals.txt`, with the
# findings-identical check: -j1/-j2 and the prefilter off). Each fails if
# jwt2oauth's median took more than twice ripgrep's. A ratio from one
# benchmark run on one machine, never an absolute time, so a slow CI runner
# cannot fail it. About 45 s once the release binary is built (.ci/run
# builds it anyway); the corpora are cached under target/.
set -euo pipefail
cd "$(dirname "$0")/.."
bench/run.sh --sizes 50 --runs 3 --max-ratio 2 "$@"
exec bench/real.sh --ci --runs 3 --check --max-ratio 2
