#!/usr/bin/env python3
"""Times `jwt2oauth scan` against ripgrep on a real corpus (see bench/real.sh).

In one run, with a warm page cache (one untimed round first), --runs rounds
of, in an order that rotates every round so that background load hits every
command alike:

  jwt2oauth       scan --no-ignore --format json -o FILE CORPUS   (2 threads)
  jwt2oauth -j1   the same on one thread (the -j2 speed-up)
  rg strong       rg -uuu -c -f bench/strong-signals.txt CORPUS   (12 patterns)
  rg rule pack    rg -uuu -c -f patterns.txt CORPUS   (every keyword and regex
                  of the rules, bench/patterns.py)

Prints medians and minima of wall time, median user and system CPU, peak RSS
(the kernel's maxrss, as /usr/bin/time -v), and the ratios to the 12-pattern
ripgrep run, with the load average at start and end (a shared machine
inflates wall times; compare ratios from one run only).

--check also proves the findings do not depend on how the scan ran: the JSON
reports at -j1 and -j2 must be byte-identical, and with --compare-bin BIN
also that of another build (before/after a change; --compare-bin also times
that build in the same rounds, so a change's cost comes from one run); with the prefilter off
(--no-prefilter: every rule on every file) the findings, suppressed findings
and groups must be (it parses every config file, so `errors` may list
more). --max-ratio R exits 1 when
jwt2oauth's median exceeds R times the 12-pattern ripgrep's.
"""

import argparse
import filecmp
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
TODAY = "2026-12-01"


def run_once(argv, stdout_path):
    with open(stdout_path, "wb") as out:
        t0 = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
    code = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    return wall, usage.ru_utime, usage.ru_stime, usage.ru_maxrss / 1024, code, err


def scan_cmd(args, out, *extra):
    return [args.bin, "scan", "--no-ignore", "--no-progress", "--format", "json",
            "--today", TODAY, "-o", out, *extra, args.corpus]


def tree(path):
    files = size = 0
    for dp, _, fns in os.walk(path):
        for fn in fns:
            p = os.path.join(dp, fn)
            if not os.path.islink(p) and os.path.isfile(p):
                files += 1
                size += os.path.getsize(p)
    return files, size


def check(args, tmp):
    """Byte-identical reports whatever the prefilter, threads or build."""
    runs = {
        "-j2": scan_cmd(args, os.path.join(tmp, "c-j2.json"), "-j", "2"),
        "-j1": scan_cmd(args, os.path.join(tmp, "c-j1.json"), "-j", "1"),
        "--no-prefilter": scan_cmd(args, os.path.join(tmp, "c-nopf.json"), "--no-prefilter"),
    }
    if args.compare_bin:
        other = dict(vars(args), bin=args.compare_bin)
        runs["--compare-bin"] = scan_cmd(argparse.Namespace(**other),
                                         os.path.join(tmp, "c-other.json"))
    ok = True
    for name, argv in runs.items():
        wall, _, _, rss, code, err = run_once(argv, os.devnull)
        if code not in (0, 1):
            sys.exit(f"bench: {name} exited {code}\n{err}")
        print(f"check {name}: {wall:.1f} s, peak RSS {rss:.0f} MB", flush=True)
    ref = runs["-j2"][runs["-j2"].index("-o") + 1]
    with open(ref) as f:
        want = json.load(f)
    for name, argv in runs.items():
        path = argv[argv.index("-o") + 1]
        if name != "--no-prefilter":
            same = filecmp.cmp(ref, path, shallow=False)
            print(f"check {name}: {'identical' if same else 'DIFFERENT'} report "
                  f"({len(want['findings'])} findings)")
        else:
            # Without the prefilter every config file is parsed (not only
            # those a structured rule's keyword is in) and every file is
            # checked for inline suppressions: `errors` and `warnings` may
            # list more. Findings, suppressed findings and groups may not.
            with open(path) as f:
                got = json.load(f)
            keys = ("findings", "suppressed", "groups")
            same = all(got[k] == want[k] for k in keys)
            extra = len(got["errors"]) - len(want["errors"])
            print(f"check {name}: {'identical' if same else 'DIFFERENT'} findings, suppressed "
                  f"and groups ({extra:+d} parse errors of config files no keyword selects)")
        ok &= same
    return ok


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "jwt2oauth"))
    ap.add_argument("--rg", default="rg")
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--strong", required=True, help="the 12 strong-signal patterns")
    ap.add_argument("--rule-pack", required=True, help="bench/patterns.py output")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--compare-bin", help="another build: timed too, and with --check compared")
    ap.add_argument("--no-rule-pack", action="store_true",
                    help="leave out the slow rg run over the whole rule pack")
    ap.add_argument("--max-ratio", type=float)
    args = ap.parse_args()

    files, size = tree(args.corpus)
    with tempfile.TemporaryDirectory(prefix="jwt2oauth-real-") as tmp:
        cmds = {
            "jwt2oauth": scan_cmd(args, os.path.join(tmp, "j2o.json"), "-j", "2"),
            "jwt2oauth -j1": scan_cmd(args, os.path.join(tmp, "j2o-j1.json"), "-j", "1"),
            "rg strong": [args.rg, "-uuu", "-j", "2", "-c", "-f", args.strong, args.corpus],
            "rg rule pack": [args.rg, "-uuu", "-j", "2", "-c", "-f", args.rule_pack, args.corpus],
        }
        if args.compare_bin:
            # Timed beside the others in the same rounds: the cost of a
            # change (the other build) from one run on one machine.
            other = argparse.Namespace(**dict(vars(args), bin=args.compare_bin))
            cmds["other build"] = scan_cmd(other, os.path.join(tmp, "other.json"), "-j", "2")
        if args.no_rule_pack:
            del cmds["rg rule pack"]
        ok_codes = {k: (0, 1) for k in cmds}
        samples = {k: [] for k in cmds}
        load0 = os.getloadavg()
        names = list(cmds)
        for i in range(args.runs + 1):  # round 0 warms the page cache
            order = names[i % len(names):] + names[:i % len(names)]
            for name in order:
                r = run_once(cmds[name], os.path.join(tmp, "out.txt"))
                if r[4] not in ok_codes[name]:
                    sys.exit(f"bench: {name} exited {r[4]}: {' '.join(cmds[name])}\n{r[5]}")
                if i > 0:
                    samples[name].append(r)
        load1 = os.getloadavg()
        med = {k: statistics.median(s[0] for s in v) for k, v in samples.items()}
        base = med["rg strong"]
        print(f"\n{args.corpus}: {size / 1e9:.2f} GB, {files} files; median of {args.runs} rounds, "
              f"warm cache, {os.cpu_count()} cores; load average {load0[0]:.2f} at start, "
              f"{load1[0]:.2f} at end\n")
        print("| command | median s | min s | user s | sys s | peak RSS MB | vs rg strong |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        shown = {
            "jwt2oauth": "`jwt2oauth scan --no-ignore --format json -o FILE` (-j2)",
            "jwt2oauth -j1": "the same, `-j1`",
            "rg strong": "`rg -uuu -c -f bench/strong-signals.txt` (12 patterns)",
            "rg rule pack": "`rg -uuu -c -f patterns.txt` (rule pack, bench/patterns.py)",
            "other build": f"`--compare-bin {args.compare_bin}` (-j2)",
        }
        for k, v in samples.items():
            print(f"| {shown[k]} | {med[k]:.3f} | {min(s[0] for s in v):.3f} | "
                  f"{statistics.median(s[1] for s in v):.2f} | {statistics.median(s[2] for s in v):.2f} | "
                  f"{max(s[3] for s in v):.1f} | {med[k] / base:.2f}x |")
        print(f"\njwt2oauth -j1 / -j2: {med['jwt2oauth -j1'] / med['jwt2oauth']:.2f}x speed-up")
        if "other build" in med:
            print(f"this build / other build: {med['jwt2oauth'] / med['other build']:.3f}x wall time")
        ratio = med["jwt2oauth"] / base
        ok = True
        if args.check:
            print()
            ok = check(args, tmp)
    if not ok:
        sys.exit("bench: reports differ")
    if args.max_ratio is not None and ratio > args.max_ratio:
        sys.exit(f"bench: jwt2oauth took {ratio:.2f}x ripgrep's time (limit {args.max_ratio}x)")


if __name__ == "__main__":
    main()
