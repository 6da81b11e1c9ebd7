#!/usr/bin/env python3
"""Writes the rule pack as a ripgrep pattern file (one regex per line).

ripgrep is given what the rules give jwt2oauth's engine: every keyword (as a
case-insensitive literal, like the prefilter) and every regex a rule matches
with (`regex`, and those nested in `any`/`all`). Regexes under `not` are left
out: they only remove matches, and one of them (`^\\s*(?://|#)`, comment
lines) would make ripgrep print every comment of the corpus.

usage: patterns.py RULES_DIR > patterns.txt
"""

import glob
import os
import re
import sys

import yaml


def escape(literal):
    """Escapes regex metacharacters the way Rust's `regex::escape` does (Python's
    re.escape also escapes spaces and dashes, which older Rust regex rejects)."""
    return re.sub(r"([\\.+*?()|\[\]{}^$#&~-])", r"\\\1", literal)


def regexes(node, out):
    if not isinstance(node, dict):
        return
    if "regex" in node:
        out.append(node["regex"])
    for key in ("any", "all"):
        for child in node.get(key) or []:
            regexes(child, out)


def main():
    rules_dir = sys.argv[1] if len(sys.argv) > 1 else "rules"
    seen, out = set(), []
    for path in sorted(glob.glob(os.path.join(rules_dir, "*.yaml"))):
        with open(path, encoding="utf-8") as f:
            doc = yaml.safe_load(f)
        if not isinstance(doc, dict) or "match" not in doc:
            continue  # deadlines.yaml and other data files
        pats = ["(?i:" + escape(k) + ")" for k in doc.get("keywords") or []]
        regexes(doc["match"], pats)
        for p in pats:
            if p not in seen:
                seen.add(p)
                out.append(p)
    for p in out:
        # ripgrep matches line by line (without -U): a regex that spans lines
        # (a literal `\n` outside `[^\n]`, as in a yarn.lock entry) is an
        # error there. Leave it out; its rule's keywords are still given.
        if re.search(r"\\n", p.replace("[^\\n]", "")):
            print("patterns.py: left out (spans lines): " + p, file=sys.stderr)
            continue
        # ripgrep 13 joins the lines into one alternation: scope each line's
        # flags with a group, and drop group names (they would repeat).
        p = re.sub(r"\(\?P<\w+>", "(", p)
        # ASCII word boundaries: ripgrep 13 (Debian 12's) runs its slow NFA on
        # every file with a non-ASCII byte when a pattern has a Unicode `\b`
        # (255 s instead of 1.3 s on a 1.4 GB tree of third-party code).
        # This makes ripgrep as fast as it can be: the comparison is with
        # ripgrep at its best.
        p = p.replace("\\b", "(?-u:\\b)")
        print("(?:" + p + ")")


if __name__ == "__main__":
    main()
