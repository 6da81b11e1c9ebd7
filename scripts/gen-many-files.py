#!/usr/bin/env python3
"""Generates a deterministic tree of many small source/config files (default
100,000 files, about 68 MB) with a few planted Adobe JWT exchange URLs, for
measuring jwt2oauth's per-file cost:

    python3 scripts/gen-many-files.py /tmp/bench100k
    hyperfine -i -w 1 -r 7 -N 'target/release/jwt2oauth scan /tmp/bench100k --format json -o /dev/null'

(-i because the planted findings make the scan exit 1.)
"""
import os
import random
import sys

TEMPLATES = {
    "js": "const {a} = require('{b}');\nfunction {c}(x) {{ return x.map(y => y * {n}).filter(Boolean); }}\nmodule.exports = {{ {c} }};\n",
    "py": "import {b}\n\ndef {c}(x):\n    return [y * {n} for y in x if y]\n\nclass {a}:\n    pass\n",
    "java": "package com.example;\npublic class {a} {{\n  public int {c}(int x) {{ return x * {n}; }}\n}}\n",
    "go": "package main\n\nfunc {c}(x int) int {{\n\treturn x * {n}\n}}\n",
    "json": '{{"name": "{a}", "version": "1.{n}.0", "description": "{b} {c}", "client_id": "abc{n}"}}\n',
    "yaml": "name: {a}\nsteps:\n  - run: echo {b}\n  - run: make {c}\nenv:\n  LEVEL: {n}\n",
    "md": "# {a}\n\nSome docs about {b} and {c}. Version {n}.\n",
}
WORDS = ["alpha", "beta", "gamma", "delta", "token", "client", "secret", "user", "session", "config", "server", "handler"]


def main() -> None:
    root = sys.argv[1] if len(sys.argv) > 1 else "bench100k"
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    random.seed(42)
    total = 0
    for i in range(count):
        d = os.path.join(root, f"d{i // 100:04d}")
        os.makedirs(d, exist_ok=True)
        ext = random.choice(list(TEMPLATES))
        body = "".join(
            TEMPLATES[ext].format(
                a=random.choice(WORDS).title() + str(i),
                b=random.choice(WORDS),
                c=random.choice(WORDS) + str(i % 97),
                n=i % 1000,
            )
            for _ in range(random.randint(3, 12))
        )
        if i % 20000 == 7:
            body += "\nURL = 'https://ims-na1.adobelogin.com/ims/exchange/jwt'\n"
        with open(os.path.join(d, f"f{i}.{ext}"), "w") as f:
            f.write(body)
        total += len(body)
    print(f"{count} files, {total / 1e6:.1f} MB in {root}")


if __name__ == "__main__":
    main()
