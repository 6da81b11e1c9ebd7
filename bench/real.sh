#!/usr/bin/env bash
# The real-code benchmark: jwt2oauth against ripgrep on ~3 GB of third-party
# code from the package registries (issue 14, docs/performance.md).
#
#   bench/real.sh                    # build $CORPUS if missing, then time (5 runs)
#   bench/real.sh --runs 3 --check   # also: findings identical with the prefilter
#                                    # off and at -j1/-j2 (slow: every rule on every file)
#   bench/real.sh --ci --max-ratio 2 # the CI subset (offline, see below)
#
# The corpus ($CORPUS, default ${TMPDIR:-/tmp}/jwt2oauth-real-corpus; keep it
# outside the checkout, it is ~3 GB / 139,000 files) is built as
# ../shared/bench/peers.sh does: the crates of bench/real/corpus-crates.txt
# with `cargo vendor` (one tiny project per crate, a private CARGO_HOME), the
# packages of corpus-pip.txt with `pip install --target`, those of
# corpus-npm.txt with `npm install --ignore-scripts`, and 50 planted Adobe
# JWT files (bench/real/corpus_tools.py plant: fixed seed, fake keys). A
# corpus built by peers.sh (its stamp file) is used as it is.
#
# --ci builds a small real corpus without the network instead: this crate's
# own dependencies for this platform, copied from cargo's registry sources
# as `cargo metadata --offline` resolves them from Cargo.lock (pinned, so the
# same files on every machine of a platform; CI has them since it built and
# tested the crate; `cargo vendor --offline` would want the Windows-only
# crates too, which are never downloaded here): about 370 crates, 280 MB,
# 13,000 files, and the 50 planted files, in target/bench-real-ci/. Not a
# 50 MB cut: jwt2oauth's start-up (compiling 41 rules, ~50 ms) would be
# most of a 60 ms ripgrep run, and the guard would measure that.
#
# Other options go to bench/real.py (--runs, --check, --max-ratio, --compare-bin).
set -euo pipefail
cd "$(dirname "$0")/.."
here=$PWD/bench/real
ci=0
args=()
for a in "$@"; do
  case "$a" in
    --ci) ci=1 ;;
    *) args+=("$a") ;;
  esac
done

if ! command -v rg >/dev/null; then
  echo "bench: installing ripgrep" >&2
  apt-get update -qq && apt-get install -y -qq ripgrep >/dev/null
fi
python3 -c 'import yaml' 2>/dev/null || {
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

stamp=.perf-corpus-stamp
if [ "$ci" = 1 ]; then
  corpus=$PWD/target/bench-real-ci/corpus
  if [ ! -f "$corpus/$stamp" ]; then
    work=$PWD/target/bench-real-ci
    rm -rf "$work" && mkdir -p "$work/full"
    echo "bench: this crate's dependencies (cargo metadata --offline, Cargo.lock)" >&2
    mkdir -p "$work/full/rust"
    cargo metadata --offline --format-version 1 \
        --filter-platform "$(rustc -vV | sed -n 's/^host: //p')" |
      python3 "$here/corpus_tools.py" deps "$work/full/rust" >&2
    python3 "$here/corpus_tools.py" plant "$work/full" "$work/planted.txt" 50 >&2
    mv "$work/full" "$corpus"
    : > "$corpus/$stamp"
  fi
else
  corpus=${CORPUS:-${TMPDIR:-/tmp}/jwt2oauth-real-corpus}
  corpus=${corpus%/}
  case "$(realpath -m "$corpus")/" in
    "$PWD"/*) echo "bench: put CORPUS outside the checkout ($corpus)" >&2; exit 2 ;;
  esac
  if [ ! -f "$corpus/$stamp" ]; then
    work=$corpus-work
    mkdir -p "$corpus" "$work"
    if [ ! -d "$corpus/rust" ]; then
      echo "bench: cargo vendor (bench/real/corpus-crates.txt)" >&2
      export CARGO_HOME=$work/cargo-home   # the user's ~/.cargo stays untouched
      first="" sync=()
      while IFS= read -r line; do
        case "$line" in ''|'#'*) continue ;; esac
        name=${line%% =*}
        d=$work/rust-projects/p_$name
        mkdir -p "$d/src"
        printf '[package]\nname = "p_%s"\nversion = "0.0.0"\nedition = "2021"\n\n[dependencies]\n%s\n' \
          "${name//-/_}" "$line" > "$d/Cargo.toml"
        echo 'fn main() {}' > "$d/src/main.rs"
        if (cd "$d" && cargo generate-lockfile -q 2>"$d/err.log"); then
          if [ -z "$first" ]; then first=$d/Cargo.toml; else sync+=(-s "$d/Cargo.toml"); fi
        else
          echo "bench: WARN crate $name did not resolve: $(tail -1 "$d/err.log")" >&2
        fi
      done < "$here/corpus-crates.txt"
      cargo vendor -q --versioned-dirs --manifest-path "$first" "${sync[@]}" "$corpus/rust" >/dev/null
      unset CARGO_HOME
    fi
    if [ ! -d "$corpus/python" ]; then
      echo "bench: pip install --target (bench/real/corpus-pip.txt)" >&2
      python3 -m pip install -q --no-compile --no-warn-conflicts --disable-pip-version-check \
        --target "$corpus/python" -r "$here/corpus-pip.txt"
    fi
    if [ ! -d "$corpus/node/node_modules" ]; then
      echo "bench: npm install --ignore-scripts (bench/real/corpus-npm.txt)" >&2
      mkdir -p "$corpus/node"
      (cd "$corpus/node" && { [ -f package.json ] || npm init -y >/dev/null 2>&1; } &&
        npm install --no-audit --no-fund --ignore-scripts --legacy-peer-deps -s \
          $(grep -v '^#' "$here/corpus-npm.txt") >/dev/null)
    fi
    python3 "$here/corpus_tools.py" plant "$corpus" "$work/planted.txt" 50 >&2
    : > "$corpus/$stamp"
  fi
fi

mkdir -p target/bench-corpus
python3 bench/patterns.py rules > target/bench-corpus/patterns.txt
echo "jwt2oauth $(git rev-parse --short HEAD 2>/dev/null || echo '?'), $(rg --version | sed -n 1p)," \
  "$(nproc) cores, $(uname -r)"
exec python3 bench/real.py --corpus "$corpus" --strong bench/strong-signals.txt \
  --rule-pack target/bench-corpus/patterns.txt "${args[@]}"
