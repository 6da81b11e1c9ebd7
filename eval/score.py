#!/usr/bin/env python3
"""Score jwt2oauth on the hand-labelled real repositories.

    eval/score.py CORPUS [--bin target/release/jwt2oauth] [--misses]

CORPUS is the directory eval/materialise.py wrote (one folder per
repository). Each repository is scanned on its own (`scan .` from its
folder, JSON, --no-config). Within each repository's labelled `scope`:

- a positive file is one with a label whose site is not `oauth` or
  `aem-service`; it is found when the scan has any finding in it;
- a file flagged wrongly has a finding that counts for the gate (not
  `oauth-s2s`, severity not `info`) and no positive label (this covers
  every file of a trap repository, and AEM Developer Console service
  credentials, which are not deprecated and must stay outside the gate);
- a site (label row) is found when a finding of its file, or one of the
  finding's `related` sites, spans a line within 3 lines of it;
- lock files (package-lock.json, yarn.lock, poetry.lock, composer.lock, ...)
  are neutral: neither positive nor flagged wrongly, in every set. The
  held-out labellers did not label them, the dev labels did, and jwt2oauth
  reports a lock only when its manifest has no finding of the same rule
  (the lock is regenerated when the manifest changes); `--misses` still
  lists the dev set's lock rows it skips.

Prints file-level recall (all kinds, and live code alone), site-level
recall, files flagged wrongly, per repository; --misses lists every miss.
"""
import argparse
import collections
import json
import os
import subprocess
import sys

NOT_JWT = {"oauth", "aem-service"}
LOCKS = {"package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml",
         "poetry.lock", "uv.lock", "Pipfile.lock", "composer.lock", "Gemfile.lock",
         "go.sum", "packages.lock.json", "Cargo.lock", "Podfile.lock"}


def is_lock(path):
    return os.path.basename(path) in LOCKS
NEAR = 3


def tsv(path):
    with open(path) as f:
        header = f.readline().rstrip("\n").split("\t")
        return [dict(zip(header, l.rstrip("\n").split("\t"))) for l in f if l.strip()]


def in_scope(path, scope):
    dirs = [s.strip().strip("/") for s in scope.split(",") if s.strip()]
    return any(d in ("", ".") or path == d or path.startswith(d + "/") for d in dirs)


def scan(binary, folder):
    out = subprocess.run(
        [binary, "scan", ".", "--format", "json", "--no-config", "--no-progress",
         "--today", "2026-12-01", "--fail-on", "never"],
        cwd=folder, capture_output=True)
    try:
        return json.loads(out.stdout)
    except json.JSONDecodeError:
        sys.exit(f"{folder}: jwt2oauth printed no JSON (exit {out.returncode}):\n"
                 f"{out.stderr.decode(errors='replace')[:2000]}")


def spans(f):
    yield f["line"], f.get("end_line", f["line"])
    for r in f.get("related", []) or []:
        yield r["line"], r.get("end_line", r["line"])


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus")
    ap.add_argument("--bin", default=os.path.join(here, "..", "target", "release", "jwt2oauth"))
    ap.add_argument("--misses", action="store_true", help="list every missed file and site")
    ap.add_argument("--repos", default=os.path.join(here, "repos.tsv"),
                    help="the repositories (default eval/repos.tsv; eval/holdout/repos.tsv for the held-out set)")
    ap.add_argument("--labels", help="their labels (default: labels.tsv beside --repos)")
    a = ap.parse_args()
    binary = os.path.abspath(a.bin)
    repos = tsv(a.repos)
    labels = collections.defaultdict(list)
    for l in tsv(a.labels or os.path.join(os.path.dirname(os.path.abspath(a.repos)), "labels.tsv")):
        labels[l["repo"]].append(l)

    tot = collections.Counter()
    kinds = collections.defaultdict(collections.Counter)
    miss_files, miss_sites, wrong, skipped_locks = [], [], [], []
    print(f"{'repository':58} {'role':9} {'files':>9} {'sites':>9} {'wrong':>5}")
    for r in repos:
        folder = os.path.join(a.corpus, r["repo"].replace("/", "+"))
        if not os.path.isdir(folder):
            sys.exit(f"{folder}: not materialised (run eval/materialise.py {a.corpus})")
        report = scan(binary, folder)
        by_file = collections.defaultdict(list)
        for f in report["findings"]:
            p = f["path"][2:] if f["path"].startswith("./") else f["path"]
            if in_scope(p, r["scope"]):
                by_file[p].append(f)
        rows = [l for l in labels[r["repo"]] if in_scope(l["path"], r["scope"])]
        positive = {}
        for l in rows:
            if l["site"] not in NOT_JWT and not is_lock(l["path"]):
                positive.setdefault(l["path"], l["kind"])
        found = {p for p in positive if by_file.get(p)}
        for p, kind in positive.items():
            kinds[kind]["files"] += 1
            kinds[kind]["found"] += p in found
            if p not in found:
                miss_files.append((r["repo"], p, kind))
        skipped_locks += [l for l in rows if l["site"] not in NOT_JWT and is_lock(l["path"])]
        sites = [l for l in rows if l["site"] not in NOT_JWT and not is_lock(l["path"])]
        hit = 0
        for l in sites:
            n = int(l["line"])
            ok = any(lo - NEAR <= n <= hi + NEAR
                     for f in by_file.get(l["path"], []) for lo, hi in spans(f))
            hit += ok
            kinds[l["kind"]]["sites"] += 1
            kinds[l["kind"]]["sites_found"] += ok
            if not ok:
                miss_sites.append((r["repo"], l["path"], n, l["site"], l["kind"], l["note"]))
        bad = sorted(p for p, fs in by_file.items() if p not in positive and not is_lock(p) and any(
            f["category"] != "oauth-s2s" and f["severity"] != "info" for f in fs))
        wrong += [(r["repo"], p, sorted({f["rule_id"] for f in by_file[p]})) for p in bad]
        tot.update(files=len(positive), found=len(found), sites=len(sites), sites_found=hit,
                   wrong=len(bad))
        print(f"{r['repo']:58} {r['role']:9} {len(found):>4}/{len(positive):<4} "
              f"{hit:>4}/{len(sites):<4} {len(bad):>5}")

    def ratio(x, y):
        return f"{x / y:.3f} ({x}/{y})" if y else "n/a"
    live = kinds["live"]
    print()
    print(f"file-level recall, all kinds : {ratio(tot['found'], tot['files'])}")
    print(f"file-level recall, live code : {ratio(live['found'], live['files'])}")
    for k in sorted(kinds):
        if k != "live":
            print(f"file-level recall, {k:9} : {ratio(kinds[k]['found'], kinds[k]['files'])}")
    print(f"site-level recall, all kinds : {ratio(tot['sites_found'], tot['sites'])}")
    print(f"site-level recall, live code : {ratio(live['sites_found'], live['sites'])}")
    print(f"files flagged wrongly        : {tot['wrong']}")
    for repo, p, rules in wrong:
        print(f"  WRONG {repo}: {p} {rules}")
    if skipped_locks:
        print(f"lock-file label rows left out  : {len(skipped_locks)}")
    if a.misses:
        for l in skipped_locks:
            print(f"  LOCK (neutral) {l['repo']}: {l['path']}:{l['line']} {l['note']}")
        for repo, p, kind in miss_files:
            print(f"  MISSED FILE {repo}: {p} ({kind})")
        for repo, p, n, site, kind, note in miss_sites:
            print(f"  MISSED SITE {repo}: {p}:{n} {site} ({kind}) {note}")


if __name__ == "__main__":
    main()
