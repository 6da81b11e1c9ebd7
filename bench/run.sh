#!/usr/bin/env bash
# The scan benchmark: jwt2oauth against ripgrep on generated corpora and on
# any directories given. Installs ripgrep if missing, builds the release
# binary, writes the rule pack as ripgrep patterns, then runs bench/bench.py.
#
#   bench/run.sh                        # 1 GB generated corpus, 5 runs each
#   bench/run.sh --sizes 250,500,1000 --jobs
#   bench/run.sh --sizes '' ~/src/big-checkout
#   bench/run.sh --sizes 50 --runs 1 --max-ratio 2    # what bench/ci.sh runs
#
# Options are bench/bench.py's (--sizes, --runs, --jobs, --max-ratio); the
# generated corpora are cached under target/bench-corpus/.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v rg >/dev/null; then
  echo "bench: installing ripgrep" >&2
  apt-get update -qq && apt-get install -y -qq ripgrep >/dev/null
fi
python3 -c 'import yaml' 2>/dev/null || {
  # pip first: the python3 on PATH may not be Debian's (pyenv), and only pip
  # installs into the interpreter that runs bench.py.
  echo "bench: installing PyYAML" >&2
  python3 -m pip install --quiet --disable-pip-version-check pyyaml 2>/dev/null ||
    { apt-get update -qq && apt-get install -y -qq python3-yaml >/dev/null; }
}
# A binary given with --bin (CI's, built once for the Dockerfile check) is
# timed as it is; otherwise this checkout's release build.
case " $* " in
  *" --bin "*) ;;
  *) cargo build --release --quiet ;;
esac
mkdir -p target/bench-corpus
python3 bench/patterns.py rules > target/bench-corpus/patterns.txt
echo "jwt2oauth $(git rev-parse --short HEAD 2>/dev/null || echo '?'), $(rg --version | sed -n 1p)," \
  "$(nproc) cores, $(uname -r)"
exec python3 bench/bench.py --patterns target/bench-corpus/patterns.txt "$@"
