#!/usr/bin/env python3
"""Deterministic benchmark corpus for jwt2oauth (see bench/run.sh).

Writes SIZE megabytes of files that look like a company's repositories: many
small and medium source files in the rule pack's languages (JS/TS, Python,
Java, C#, Go, Ruby, PHP, shell), config files (JSON, YAML, TOML, .env), a few
large data/log files, minified bundles (megabytes on one line), some binary
files, realistic near-misses for the prefilter keywords (`/c/` URLs, `*_sdk`
names, non-Adobe `private_key` code) and, in a few places, copies of the
labelled positives of fixtures/corpus/ (the planted Adobe JWT findings).

The same --size and --seed always give the same tree (byte for byte, for a
given Python 3 version): file contents come from one seeded PRNG.

usage: gen_corpus.py --size-mb 1000 --out DIR [--seed 6] [--fixtures DIR]
"""

import argparse
import os
import random
import shutil
import sys

WORDS = (
    "account address alpha amount api app archive asset audit auth backend balance batch "
    "beta billing blob bucket buffer build cache campaign cart catalog channel checkout "
    "client cluster config consumer content context count credit customer dashboard data "
    "delta deploy device digest document domain draft email entry event export feature "
    "feed field file filter flag form gateway graph group handler hash header health "
    "history host image import index input invoice item job key label layer ledger limit "
    "list loader locale log manager manifest media message meta metric model module "
    "monitor node notice offer order owner page parser partner payload payment period "
    "policy pool post price product profile project queue quota rate record region "
    "report request resource result retry role route rule sample schema scope search "
    "segment sender service session setting shard signal source stage state status "
    "store stream subscriber summary target task template tenant ticket token topic "
    "trace tracker transfer user value vendor version view visitor widget worker zone"
).split()

# Realistic near-misses: lines that contain a prefilter keyword (so the file
# reaches the regex stage) without being an Adobe JWT finding.
NEAR_MISSES = [
    'fetch("https://cdn.example.com/c/" + assetId)',
    "const AVATAR = `/c/${userId}/avatar.png`;",
    "url = f'https://forum.example.org/c/{category}/latest'",
    "from google.cloud import storage  # gcs_sdk wrapper",
    "import firebase_sdk as fb",
    "ANALYTICS_SDK = 'segment_sdk'",
    "private_key = load_pem_private_key(pem, password=None)",
    "privateKey: fs.readFileSync('./certs/server.key')",
    "key_file = os.environ.get('TLS_PRIVATE_KEY_PATH')",
    "exchange = channel.exchange_declare(exchange='logs', exchange_type='fanout')",
    "redirect('/s/' + shortCode)",
    "jwt_token = jwt.encode(claims, secret, algorithm='HS256')",
    "issuer = 'https://accounts.google.com'  # ims-free path",
    "path = '/ims/static/logo.svg'",
]


def ident(rng):
    n = rng.randint(1, 3)
    return "_".join(rng.choice(WORDS) for _ in range(n))


def camel(rng):
    parts = [rng.choice(WORDS) for _ in range(rng.randint(1, 3))]
    return parts[0] + "".join(p.title() for p in parts[1:])


def sentence(rng):
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 12)))


# Per language: (extensions, line generators). Each generator returns one line
# (without newline) given the PRNG; a pool of pre-made lines per language keeps
# generation fast (random.choices over the pool is C speed).
def py_line(r):
    return r.choice([
        f"    {ident(r)} = {ident(r)}.get('{ident(r)}', {r.randint(0, 999)})",
        f"def {ident(r)}({ident(r)}, {ident(r)}=None):",
        f"    # {sentence(r)}",
        f"    return [{ident(r)} for {ident(r)} in {ident(r)} if {ident(r)}]",
        f"from {ident(r)}.{ident(r)} import {camel(r).title()}",
        f"    logger.info(\"{sentence(r)} %s\", {ident(r)})",
        f"    if {ident(r)} is not None and {ident(r)} > {r.randint(0, 99)}:",
        "",
    ])


def js_line(r):
    return r.choice([
        f"  const {camel(r)} = await {camel(r)}.{camel(r)}({camel(r)});",
        f"export function {camel(r)}({camel(r)}, {camel(r)}) {{",
        f"  // {sentence(r)}",
        f"  if (!{camel(r)}) throw new Error('{sentence(r)}');",
        f"import {{ {camel(r)} }} from './{ident(r)}';",
        f"  return {camel(r)}.map(({camel(r)}) => {camel(r)}.{camel(r)});",
        "}",
        "",
    ])


def java_line(r):
    return r.choice([
        f"    private final {camel(r).title()} {camel(r)};",
        f"    public {camel(r).title()} {camel(r)}({camel(r).title()} {camel(r)}) {{",
        f"        // {sentence(r)}",
        f"        {camel(r)}.{camel(r)}({camel(r)}, {r.randint(0, 9999)});",
        f"import com.{ident(r)}.{camel(r).title()};",
        f"        return {camel(r)} != null ? {camel(r)} : {camel(r).title()}.empty();",
        "    }",
        "",
    ])


def cs_line(r):
    return r.choice([
        f"        public {camel(r).title()} {camel(r).title()} {{ get; set; }}",
        f"        // {sentence(r)}",
        f"        var {camel(r)} = await _{camel(r)}.{camel(r).title()}Async({camel(r)});",
        f"using {camel(r).title()}.{camel(r).title()};",
        "        }",
        "",
    ])


def go_line(r):
    return r.choice([
        f"\t{camel(r)}, err := {camel(r)}.{camel(r).title()}(ctx, {camel(r)})",
        "\tif err != nil {\n\t\treturn nil, err\n\t}",
        f"// {camel(r).title()} {sentence(r)}",
        f"func ({camel(r)[0]} *{camel(r).title()}) {camel(r).title()}() error {{",
        "}",
        "",
    ])


def rb_line(r):
    return r.choice([
        f"  def {ident(r)}({ident(r)})",
        f"    @{ident(r)} ||= {camel(r).title()}.find_by({ident(r)}: {ident(r)})",
        f"    # {sentence(r)}",
        "  end",
        f"require '{ident(r)}'",
        "",
    ])


def php_line(r):
    return r.choice([
        f"    ${camel(r)} = $this->{camel(r)}->{camel(r)}(${camel(r)});",
        f"    public function {camel(r)}(${camel(r)}) {{",
        f"    // {sentence(r)}",
        f"use App\\{camel(r).title()}\\{camel(r).title()};",
        "    }",
        "",
    ])


def sh_line(r):
    return r.choice([
        f"{ident(r).upper()}=\"${{{ident(r).upper()}:-{ident(r)}}}\"",
        f"# {sentence(r)}",
        f"if [ -f \"${ident(r).upper()}\" ]; then",
        f"  {ident(r)} --{ident(r).replace('_', '-')} \"${ident(r).upper()}\"",
        "fi",
        "",
    ])


def json_line(r):
    return f'  "{camel(r)}": "{ident(r)}",'


def yaml_line(r):
    # Flat mappings: any order of these lines is valid YAML.
    return r.choice([
        f"{ident(r)}_{r.randint(0, 10**6)}: {ident(r)}",
        f"{ident(r)}_{r.randint(0, 10**6)}: \"{r.randint(0, 99999)}\"",
        f"# {sentence(r)}",
    ])


def toml_line(r):
    # Comments and uniquely named keys only: any order stays valid TOML.
    return r.choice([
        f"{ident(r)}_{r.randint(0, 10**9)} = \"{ident(r)}\"",
        f"{ident(r)}_{r.randint(0, 10**9)} = {r.randint(0, 9999)}",
        f"# {sentence(r)}",
    ])


def env_line(r):
    return f"{ident(r).upper()}={ident(r)}"


LANGS = [
    # (weight, extensions, line generator)
    (16, ["js", "mjs", "jsx"], js_line),
    (12, ["ts", "tsx"], js_line),
    (16, ["py"], py_line),
    (10, ["java"], java_line),
    (7, ["cs"], cs_line),
    (8, ["go"], go_line),
    (6, ["rb"], rb_line),
    (6, ["php"], php_line),
    (4, ["sh"], sh_line),
    (6, ["json"], json_line),
    (5, ["yaml", "yml"], yaml_line),
    (2, ["toml"], toml_line),
    (2, ["env"], env_line),
]

POOL_LINES = 4000


def build_pools(rng):
    return [[gen(rng) for _ in range(POOL_LINES)] for _, _, gen in LANGS]


def near_miss_line(rng, ext):
    """A near-miss as a line that keeps a config file valid."""
    line = rng.choice(NEAR_MISSES)
    if ext == "json":
        return '  "note": "' + line.replace("\\", "\\\\").replace('"', '\\"') + '",'
    if ext in ("yaml", "yml"):
        return "note: '" + line.replace("'", "''") + "'"
    if ext in ("toml", "env"):
        return "# " + line
    return line


def source_text(rng, pool, size, near_miss_rate, ext):
    """About `size` bytes of lines from `pool`, with near-misses sprinkled in.
    Config files stay valid (JSON is one object; YAML and TOML flat)."""
    avg = max(1, sum(len(x) for x in pool[:200]) // 200 + 1)
    lines = rng.choices(pool, k=max(1, size // avg))
    if rng.random() < near_miss_rate:
        for _ in range(rng.randint(1, 3)):
            lines[rng.randrange(len(lines))] = near_miss_line(rng, ext)
    if ext in ("json", "yaml", "yml", "toml", "env"):
        # Pool lines repeat: drop repeats so that no key is defined twice.
        lines = list(dict.fromkeys(lines))
    if ext == "json":
        return "{\n" + "\n".join(lines) + '\n  "end": true\n}\n'
    return "\n".join(lines) + "\n"


def minified(rng, size):
    """A bundle: megabytes on a handful of lines, as webpack emits."""
    pool = [
        f"function {camel(rng)}(e,t){{return e.{camel(rng)}(t)||{rng.randint(0, 99)}}}"
        for _ in range(500)
    ] + [f'var {camel(rng)}="{sentence(rng)}";' for _ in range(500)]
    parts = rng.choices(pool, k=size // 40)
    return "!function(){" + "".join(parts) + "}();\n//# sourceMappingURL=app.min.js.map\n"


def log_text(rng, size):
    lvl = ["INFO", "DEBUG", "WARN", "ERROR"]
    lines = [
        f"2026-11-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00Z "
        f"{rng.choice(lvl)} [{ident(rng)}] {sentence(rng)} id={rng.randint(0, 10**9)}"
        for _ in range(3000)
    ]
    out = rng.choices(lines, k=size // 90)
    return "\n".join(out) + "\n"


def binary(rng, size):
    head = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
    return head + rng.randbytes(size)


def planted_files(fixtures):
    """The labelled positives (and negatives) of fixtures/corpus, as (relpath, bytes)."""
    out = []
    for dirpath, dirnames, filenames in os.walk(fixtures):
        dirnames.sort()
        for name in sorted(filenames):
            if name in (".ignore", "EXPECTED.tsv"):
                continue
            full = os.path.join(dirpath, name)
            with open(full, "rb") as f:
                out.append((os.path.relpath(full, fixtures), f.read()))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size-mb", type=int, default=1000)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=6)
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--fixtures", default=os.path.join(here, "..", "fixtures", "corpus"))
    args = ap.parse_args()

    rng = random.Random(args.seed)
    target = args.size_mb * 1_000_000
    if os.path.exists(args.out):
        shutil.rmtree(args.out)
    os.makedirs(args.out)
    pools = build_pools(rng)
    weights = [w for w, _, _ in LANGS]
    planted = planted_files(args.fixtures)
    # Planted copies: about one per 100 MB, at least two.
    plant_every = max(1, target // max(2, args.size_mb // 100))

    written = files = 0
    repo = 0
    next_plant = plant_every // 2
    plants = 0
    while written < target:
        repo += 1
        root = os.path.join(args.out, f"repo-{repo:04d}")
        # Each repository: 200-600 files spread over a few directories.
        nfiles = rng.randint(200, 600)
        dirs = ["src", "src/" + ident(rng), "lib", "test", "config", ".github/workflows", "scripts"]
        for d in dirs:
            os.makedirs(os.path.join(root, d), exist_ok=True)
        for i in range(nfiles):
            if written >= target:
                break
            roll = rng.random()
            d = os.path.join(root, rng.choice(dirs))
            if roll < 0.0003:
                name, data = f"app.{i}.min.js", minified(rng, rng.randint(1, 4) << 20).encode()
            elif roll < 0.0006:
                name, data = f"{ident(rng)}.log", log_text(rng, rng.randint(2, 6) << 20).encode()
            elif roll < 0.008:
                name, data = f"{ident(rng)}.png", binary(rng, rng.randint(4, 200) << 10)
            else:
                li = rng.choices(range(len(LANGS)), weights=weights)[0]
                _, exts, _ = LANGS[li]
                ext = rng.choice(exts)
                name = f".{ident(rng)}.env" if ext == "env" else f"{ident(rng)}_{i}.{ext}"
                # Log-normal sizes: median ~6 KB, a tail into hundreds of KB.
                size = int(min(600_000, max(200, rng.lognormvariate(8.7, 1.0))))
                data = source_text(rng, pools[li], size, 0.04, ext).encode()
            with open(os.path.join(d, name), "wb") as f:
                f.write(data)
            written += len(data)
            files += 1
            if written >= next_plant and planted:
                plants += 1
                next_plant += plant_every
                for rel, data in planted:
                    p = os.path.join(root, "legacy", f"import-{plants}", rel)
                    os.makedirs(os.path.dirname(p), exist_ok=True)
                    with open(p, "wb") as f:
                        f.write(data)
                    written += len(data)
                    files += 1
    print(
        f"corpus: {args.out}: {files} files, {written / 1e6:.0f} MB, {repo} repositories, "
        f"{plants} planted copies of fixtures/corpus",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
