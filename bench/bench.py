#!/usr/bin/env python3
"""Times `jwt2oauth scan` against ripgrep on the same files (see bench/run.sh).

For each corpus (generated ones of the given sizes, then any directories
given), after one warm-up run of each tool (so the page cache is warm), runs
both tools --runs times, alternating so that background load hits both alike,
and prints a Markdown table: median and fastest wall time, throughput (MB/s
and files/s over every file in the tree), peak RSS (the kernel's maxrss of the
child, what `/usr/bin/time -v` prints), and jwt2oauth's time as a multiple of
ripgrep's (wall time, and CPU time, which background load on a shared
machine disturbs less). With --jobs it also times each tool with -j 1 and
-j 2.

Comparable work:
  jwt2oauth scan --no-ignore --format json -o FILE --max-filesize 8M DIR
  rg -uu --no-config --max-filesize 8M -f patterns.txt DIR > FILE
Both search every file including hidden ones, ignore no .gitignore (`-uu`
= --no-ignore --hidden; jwt2oauth always reads hidden files), skip binary
files (a NUL byte), skip files over 8 MiB, do not follow symlinks, and write
every result to a file (ripgrep stops at the first match per file when its
output is /dev/null, so neither writes there). ripgrep's patterns are the rule
pack's keywords and regexes (bench/patterns.py).

--max-ratio R exits 1 when jwt2oauth's median exceeds R x ripgrep's on any
corpus (the CI regression check: a ratio, never an absolute time).
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
MAX_FILESIZE = "8M"


def tree_size(path):
    """Files and bytes the walkers see: regular files, symlinks not followed."""
    files = size = 0
    for dirpath, dirnames, filenames in os.walk(path):
        for name in filenames:
            full = os.path.join(dirpath, name)
            try:
                st = os.lstat(full)
            except OSError:
                continue
            if not os.path.islink(full) and os.path.isfile(full):
                files += 1
                size += st.st_size
    return files, size


def run_once(argv, stdout_path):
    """Wall seconds, CPU seconds, peak RSS (KiB), exit code and stderr of one run."""
    with open(stdout_path, "wb") as out:
        t0 = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    cpu = usage.ru_utime + usage.ru_stime
    return elapsed, cpu, usage.ru_maxrss, proc.returncode, err


def commands(args, path, tmp, jobs=None):
    j2o = [args.bin, "scan", "--no-ignore", "--format", "json", "--today", "2026-11-23",
           "--max-filesize", MAX_FILESIZE, "-o", os.path.join(tmp, "j2o.json")]
    rg = [args.rg, "-uu", "--no-config", "--max-filesize", MAX_FILESIZE,
          "-f", args.patterns]
    if jobs:
        j2o += ["-j", str(jobs)]
        rg += ["-j", str(jobs)]
    return {"jwt2oauth": j2o + [path], "rg": rg + [path]}


def measure(args, path, tmp, runs, jobs=None):
    cmds = commands(args, path, tmp, jobs)
    ok = {"jwt2oauth": (0, 1), "rg": (0, 1)}  # 1: findings / no match
    samples = {k: [] for k in cmds}
    for i in range(runs + 1):  # run 0 warms the page cache
        order = list(cmds) if i % 2 == 0 else list(reversed(cmds))
        for tool in order:
            t, cpu, rss, code, err = run_once(cmds[tool], os.path.join(tmp, tool + ".out"))
            if code not in ok[tool]:
                sys.exit(f"bench: {tool} exited {code}: {' '.join(cmds[tool])}\n{err}")
            if i > 0:
                samples[tool].append((t, cpu, rss))
    return samples


def summarize(samples, files, size):
    out = {}
    for tool, s in samples.items():
        times = [t for t, _, _ in s]
        med = statistics.median(times)
        out[tool] = {
            "median": med,
            "min": min(times),
            "cpu": statistics.median(c for _, c, _ in s),
            "mbs": size / 1e6 / med,
            "fps": files / med,
            "rss": max(r for _, _, r in s) / 1024,
        }
    return out


def header(runs):
    print(f"\n(median of {runs} runs, warm cache, {os.cpu_count()} cores; load average "
          f"{os.getloadavg()[0]:.1f} at start)\n")
    print("| corpus | MB | files | tool | median s | min s | CPU s | MB/s | files/s "
          "| peak RSS MB | ratio | CPU ratio |")
    print("|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|")


def row(name, size, files, res):
    ratio = res["jwt2oauth"]["median"] / res["rg"]["median"]
    cpu_ratio = res["jwt2oauth"]["cpu"] / res["rg"]["cpu"]
    for tool in ("jwt2oauth", "rg"):
        r = res[tool]
        print(
            f"| {name} | {size / 1e6:.0f} | {files} | {tool} | {r['median']:.3f} | "
            f"{r['min']:.3f} | {r['cpu']:.2f} | {r['mbs']:.0f} | {r['fps']:.0f} | {r['rss']:.1f} | "
            + (f"{ratio:.2f}x | {cpu_ratio:.2f}x |" if tool == "jwt2oauth" else "| |"),
            flush=True,
        )
    return ratio


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "jwt2oauth"))
    ap.add_argument("--rg", default="rg")
    ap.add_argument("--patterns", required=True)
    ap.add_argument("--sizes", default="1000", help="comma-separated MB; empty for none")
    ap.add_argument("--corpus-dir", default=os.path.join(ROOT, "target", "bench-corpus"))
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--jobs", action="store_true", help="also time -j 1 against -j 2")
    ap.add_argument("--max-ratio", type=float)
    ap.add_argument("dirs", nargs="*", help="more directories to scan (a real checkout)")
    args = ap.parse_args()

    corpora = []
    for s in filter(None, args.sizes.split(",")):
        path = os.path.join(args.corpus_dir, f"{int(s)}mb")
        stamp = os.path.join(args.corpus_dir, f"{int(s)}mb.stamp")
        gen = os.path.join(HERE, "gen_corpus.py")
        # Regenerate when the generator changed since the corpus was made.
        if not (os.path.exists(stamp) and os.path.getmtime(stamp) >= os.path.getmtime(gen)):
            subprocess.run([sys.executable, gen, "--size-mb", s, "--out", path], check=True)
            open(stamp, "w").close()
        corpora.append((f"generated {int(s)} MB", path))
    corpora += [(d, d) for d in args.dirs]
    if not corpora:
        sys.exit("bench: nothing to scan")

    worst = 0.0
    results = []
    with tempfile.TemporaryDirectory(prefix="jwt2oauth-bench-") as tmp:
        header(args.runs)
        for name, path in corpora:
            files, size = tree_size(path)
            res = summarize(measure(args, path, tmp, args.runs), files, size)
            worst = max(worst, row(name, size, files, res))
            results.append((name, files, size, res))
        if len(results) > 1:
            print("\nTime per GB (linear scaling means a flat column):\n")
            print("| corpus | jwt2oauth s/GB | rg s/GB |")
            print("|---|---:|---:|")
            for name, _, size, res in results:
                g = size / 1e9
                j2o, rg = res["jwt2oauth"]["median"] / g, res["rg"]["median"] / g
                print(f"| {name} | {j2o:.2f} | {rg:.2f} |")
        if args.jobs:
            # The largest corpus: the longest run, the least start-up noise.
            name, files, size, _ = max(results, key=lambda r: r[2])
            path = dict(corpora)[name]
            print(f"\nThreads on {name} (median of {args.runs}):\n")
            print("| tool | -j 1 s | -j 2 s | speed-up |")
            print("|---|---:|---:|---:|")
            one = summarize(measure(args, path, tmp, args.runs, jobs=1), files, size)
            two = summarize(measure(args, path, tmp, args.runs, jobs=2), files, size)
            for tool in ("jwt2oauth", "rg"):
                a, b = one[tool]["median"], two[tool]["median"]
                print(f"| {tool} | {a:.3f} | {b:.3f} | {a / b:.2f}x |")
    if args.max_ratio is not None and worst > args.max_ratio:
        sys.exit(f"bench: jwt2oauth took {worst:.2f}x ripgrep's time (limit {args.max_ratio}x)")


if __name__ == "__main__":
    main()
