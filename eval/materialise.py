#!/usr/bin/env python3
"""Materialise the labelled real repositories from the fetch cache.

For every repository in eval/repos.tsv, reads the bare snapshot that the
search tool's `fetch` verb left in the mirror directory (default
/work/.mirror/OWNER+NAME/repo) and writes the labelled commit's files to
OUT/OWNER+NAME/ (outside the checkout: nothing fetched is committed here).
Blobs the snapshot lacks (files of 4 MiB or more) are skipped and listed.

    eval/materialise.py OUT [--mirror DIR]

A repository with no snapshot is listed at the end: fetch it
(`github:OWNER/NAME`) in a session that has the search tool, then run again.
"""
import argparse
import os
import subprocess
import sys


def repos(path):
    with open(path) as f:
        header = f.readline().rstrip("\n").split("\t")
        for line in f:
            if line.strip():
                yield dict(zip(header, line.rstrip("\n").split("\t")))


def materialise(git_dir, commit, out):
    tree = subprocess.run(
        ["git", "--git-dir", git_dir, "ls-tree", "-r", "-z", commit],
        check=True, capture_output=True).stdout
    entries = []
    for rec in tree.split(b"\0"):
        if not rec:
            continue
        meta, path = rec.split(b"\t", 1)
        mode, kind, oid = meta.split()
        if kind == b"blob" and mode != b"120000":
            entries.append((oid.decode(), path.decode("utf-8", "surrogateescape")))
    cat = subprocess.Popen(["git", "--git-dir", git_dir, "cat-file", "--batch"],
                           stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    missing = []
    for oid, path in entries:
        cat.stdin.write(oid.encode() + b"\n")
        cat.stdin.flush()
        head = cat.stdout.readline().split()
        if len(head) < 3 or head[1] == b"missing":
            missing.append(path)
            continue
        data = cat.stdout.read(int(head[2]))
        cat.stdout.read(1)
        dest = os.path.join(out, path)
        os.makedirs(os.path.dirname(dest) or out, exist_ok=True)
        with open(dest, "wb") as f:
            f.write(data)
    cat.stdin.close()
    cat.wait()
    return len(entries), missing


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--mirror", default="/work/.mirror")
    ap.add_argument("--repos", default=os.path.join(here, "repos.tsv"))
    a = ap.parse_args()
    absent = []
    for r in repos(a.repos):
        slug = r["repo"].replace("/", "+")
        git_dir = os.path.join(a.mirror, slug, "repo")
        if os.path.isdir(os.path.join(git_dir, ".git")):
            git_dir = os.path.join(git_dir, ".git")
        out = os.path.join(a.out, slug)
        if not os.path.isdir(git_dir):
            absent.append(r["repo"])
            continue
        if os.path.isdir(out):
            continue
        n, missing = materialise(git_dir, r["commit"], out)
        print(f"{r['repo']}: {n} files" + (f", {len(missing)} missing blobs: {missing[:3]}" if missing else ""))
    if absent:
        print("no snapshot (fetch github:OWNER/NAME first):", " ".join(absent), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
