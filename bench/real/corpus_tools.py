#!/usr/bin/env python3
"""Real-corpus helpers for bench/real.sh (stdlib only; from ../shared/bench/).

  corpus_tools.py plant CORPUS PLANTED_LIST [N]   plant N (default 50) fake Adobe-JWT snippets
  corpus_tools.py small CORPUS SMALL PLANTED_LIST [MB]  copy a ~MB subset (default 50) + all planted files
  corpus_tools.py deps DEST < cargo-metadata.json  copy a crate's resolved registry dependencies
  corpus_tools.py stats DIR                        print "files bytes" of regular files under DIR

Everything is deterministic (fixed seeds, sorted walks), so a rebuilt corpus
has the same planted files at the same places. The planted "keys" are random
bytes in PEM armour (behind a real-looking DER prefix), not keys; org/client ids are random hex.
"""
import base64
import json
import os
import re
import statistics
import random
import shutil
import sys

SEED = 20240607

PY = '''# Adobe I/O service-account (JWT) integration -- fixture {n}
import time
import jwt  # PyJWT
import requests

IMS_HOST = "https://ims-na1.adobelogin.com"
IMS_EXCHANGE = IMS_HOST + "/ims/exchange/jwt"
ORG_ID = "{org}@AdobeOrg"
TECH_ACCOUNT = "{hexa}@techacct.adobe.com"


def get_access_token(client_id, client_secret):
    with open("config/private.key") as f:
        key = f.read()
    payload = {{
        "exp": int(time.time()) + 300,
        "iss": ORG_ID,
        "sub": TECH_ACCOUNT,
        "aud": IMS_HOST + "/c/" + client_id,
        IMS_HOST + "/s/ent_analytics_bulk_ingest_sdk": True,
    }}
    jwt_token = jwt.encode(payload, key, algorithm="RS256")
    r = requests.post(IMS_EXCHANGE, data={{"client_id": client_id,
                                          "client_secret": client_secret,
                                          "jwt_token": jwt_token}})
    return r.json()["access_token"]
'''

JS = '''// fixture {n}: Adobe service account via JWT (deprecated by Adobe)
const auth = require('@adobe/jwt-auth');
const fs = require('fs');

const config = {{
  clientId: process.env.ADOBE_CLIENT_ID,
  clientSecret: process.env.ADOBE_CLIENT_SECRET,
  technicalAccountId: '{hexa}@techacct.adobe.com',
  orgId: '{org}@AdobeOrg',
  metaScopes: ['ent_analytics_bulk_ingest_sdk'],
  privateKey: fs.readFileSync('./private.key'),
}};

module.exports = async function token() {{
  const {{ access_token }} = await auth(config);
  return access_token;
}};
'''

JSON = '''{{
  "name": "adobe-io-fixture-{n}",
  "version": "1.0.{n}",
  "dependencies": {{
    "@adobe/aio-lib-ims-jwt": "^4.0.0",
    "@adobe/aio-lib-ims": "^7.0.0"
  }},
  "adobe": {{
    "jwt_private_key": "secrets/private.key",
    "meta_scopes": ["ent_analytics_bulk_ingest_sdk"],
    "technical_account": "{hexa}@techacct.adobe.com"
  }}
}}
'''

RS = '''// fixture {n}: legacy Adobe IMS JWT exchange
pub const IMS_EXCHANGE_JWT: &str = "https://ims-na1.adobelogin.com/ims/exchange/jwt";
pub const METASCOPES: &[&str] = &["ent_analytics_bulk_ingest_sdk"];
pub const ORG: &str = "{org}@AdobeOrg";

pub fn form(client_id: &str, client_secret: &str, jwt: &str) -> Vec<(&'static str, String)> {{
    vec![
        ("client_id", client_id.to_string()),
        ("client_secret", client_secret.to_string()),
        ("jwt_token", jwt.to_string()),
    ]
}}
'''

JAVA = '''// fixture {n}
package com.example.adobe;

final class ImsJwtClient {{
    static final String EXCHANGE = "https://ims-na1.adobelogin.com/ims/exchange/jwt";
    static final String TECH_ACCOUNT = "{hexa}@techacct.adobe.com";
    static final String JWT_PRIVATE_KEY = System.getenv("JWT_PRIVATE_KEY");

    String body(String id, String secret, String jwt) {{
        return "client_id=" + id + "&client_secret=" + secret + "&jwt_token=" + jwt;
    }}
}}
'''

ENV = '''ADOBE_IMS_HOST=ims-na1.adobelogin.com
ADOBE_ORG_ID={org}@AdobeOrg
ADOBE_TECHNICAL_ACCOUNT_ID={hexa}@techacct.adobe.com
ADOBE_METASCOPES=ent_analytics_bulk_ingest_sdk
ADOBE_PRIVATE_KEY_PATH=secrets/private.key
'''


# DER prefixes of a 2048-bit RSA key (PKCS#1) and of a PKCS#8 wrapper, so that
# the armour looks like a real key to secret scanners that check the body; the
# rest is random bytes, so no key can be derived from it.
DER_PREFIX = {
    "RSA PRIVATE KEY": bytes.fromhex("308204a40201000282010100"),
    "PRIVATE KEY": bytes.fromhex("308204be020100300d06092a864886f70d0101010500048204a8308204a40201000282010100"),
}


def pem(rng, label):
    prefix = DER_PREFIX[label]
    raw = prefix + bytes(rng.getrandbits(8) for _ in range(1192 - len(prefix)))
    body = base64.b64encode(raw).decode()
    lines = [body[i:i + 64] for i in range(0, len(body), 64)]
    return "-----BEGIN %s-----\n%s\n-----END %s-----\n" % (label, "\n".join(lines), label)


# (kind, ecosystem the file is planted into, file name pattern, how many)
PLAN = [
    ("py", "python", "adobe_ims_{n}.py", 10),
    ("js", "node", "ims-auth-{n}.js", 10),
    ("json", "node", "adobe-io-{n}.json", 5),
    ("rs", "rust", "ims_jwt_{n}.rs", 8),
    ("java", "any", "ImsJwtClient{n}.java", 5),
    ("env", "any", ".env.adobe{n}", 5),          # hidden file: default rg skips it
    ("pem-rsa", "any", "private.key", 4),
    ("pem-pkcs8", "any", "service-{n}.pem", 3),
]


def sorted_dirs(root):
    out = []
    for dp, dns, _ in os.walk(root):
        dns.sort()
        out.append(dp)
    return out


def plant(corpus, listfile, total=50):
    # idempotent: remove what an earlier planting left, then plant again
    if os.path.exists(listfile):
        with open(listfile) as f:
            for rel in f.read().split():
                try:
                    os.remove(os.path.join(corpus, rel))
                except FileNotFoundError:
                    pass
    rng = random.Random(SEED)
    eco_dirs = {e: sorted_dirs(os.path.join(corpus, e)) for e in ("rust", "python", "node")}
    all_dirs = eco_dirs["rust"] + eco_dirs["python"] + eco_dirs["node"]
    planted = []
    n = 0
    for kind, eco, pattern, count in PLAN:
        for _ in range(count):
            if n >= total:
                break
            n += 1
            # An ecosystem the corpus lacks (the offline CI corpus is Rust
            # only) takes its files anywhere.
            pool = all_dirs if eco == "any" or not eco_dirs[eco] else eco_dirs[eco]
            while True:
                d = rng.choice(pool)
                path = os.path.join(d, pattern.format(n=n))
                if not os.path.exists(path) or path in planted:
                    break
            fmt = dict(n=n, org="%024X" % rng.getrandbits(96), hexa="%024X" % rng.getrandbits(96))
            if kind == "py":
                text = PY.format(**fmt)
            elif kind == "js":
                text = JS.format(**fmt)
            elif kind == "json":
                text = JSON.format(**fmt)
            elif kind == "rs":
                text = RS.format(**fmt)
            elif kind == "java":
                text = JAVA.format(**fmt)
            elif kind == "env":
                text = ENV.format(**fmt)
            elif kind == "pem-rsa":
                text = pem(rng, "RSA PRIVATE KEY")
            else:
                text = pem(rng, "PRIVATE KEY")
            with open(path, "w") as f:
                f.write(text)
            planted.append(path)
    with open(listfile, "w") as f:
        for p in planted:
            f.write(os.path.relpath(p, corpus) + "\n")
    print("planted %d files, list in %s" % (len(planted), listfile))


def map_small(rel):
    # secretlint hard-codes **/node_modules/** as ignored; rename the component
    # in the small corpus so that every tool sees the same files there.
    return os.path.join(*["npm_modules" if c == "node_modules" else c for c in rel.split(os.sep)])


def tree_size(path):
    total = 0
    for dp, _, fns in os.walk(path):
        for fn in fns:
            p = os.path.join(dp, fn)
            if os.path.isfile(p) and not os.path.islink(p):
                total += os.path.getsize(p)
    return total


def units(corpus):
    """Package-sized units per ecosystem: vendored crates, site-packages
    entries, node_modules packages (scoped ones one level down)."""
    out = {}
    for eco in ("rust", "python"):
        d = os.path.join(corpus, eco)
        out[eco] = [os.path.join(eco, e) for e in sorted(os.listdir(d))] if os.path.isdir(d) else []
    nm = os.path.join(corpus, "node", "node_modules")
    node = []
    for d in sorted(os.listdir(nm)) if os.path.isdir(nm) else []:
        if d.startswith("."):
            continue
        if d.startswith("@"):
            node += [os.path.join("node", "node_modules", d, s) for s in sorted(os.listdir(os.path.join(nm, d)))]
        else:
            node.append(os.path.join("node", "node_modules", d))
    out["node"] = node
    return out


def small(corpus, dest, listfile, mb=50):
    rng = random.Random(SEED + 1)
    present = [e for e, us in units(corpus).items() if us]
    budget = mb * 1024 * 1024 // max(1, len(present))
    max_unit = 4 * 1024 * 1024
    if os.path.exists(dest):
        shutil.rmtree(dest)
    os.makedirs(dest)
    for eco, us in sorted(units(corpus).items()):
        us = list(us)
        rng.shuffle(us)
        used = 0
        for u in us:
            src = os.path.join(corpus, u)
            if not os.path.isdir(src):
                continue
            sz = tree_size(src)
            if sz > max_unit or used + sz > budget:
                continue
            used += sz
            for dp, dns, fns in os.walk(src):
                dns[:] = [d for d in dns if d != "node_modules"]  # nested deps: skip
                for fn in fns:
                    p = os.path.join(dp, fn)
                    if os.path.islink(p) or not os.path.isfile(p):
                        continue
                    q = os.path.join(dest, map_small(os.path.relpath(p, corpus)))
                    os.makedirs(os.path.dirname(q), exist_ok=True)
                    shutil.copyfile(p, q)
            if used > budget * 0.97:
                break
    with open(listfile) as f:
        for rel in f.read().split():
            q = os.path.join(dest, map_small(rel))
            os.makedirs(os.path.dirname(q), exist_ok=True)
            shutil.copyfile(os.path.join(corpus, rel), q)
    print("small corpus at %s" % dest)


def stats(path):
    files = 0
    total = 0
    for dp, _, fns in os.walk(path):
        for fn in fns:
            p = os.path.join(dp, fn)
            if os.path.islink(p) or not os.path.isfile(p):
                continue
            files += 1
            total += os.path.getsize(p)
    print(files, total)


def deps(dest):
    """Copies the registry sources of the packages in `cargo metadata` JSON
    (stdin) into DEST/<name>-<version>: a crate's own resolved dependencies,
    offline, pinned by its Cargo.lock."""
    meta = json.load(sys.stdin)
    used = {n["id"] for n in meta["resolve"]["nodes"]}
    n = 0
    for p in sorted(meta["packages"], key=lambda p: (p["name"], p["version"])):
        if p["id"] not in used or not (p.get("source") or "").startswith("registry"):
            continue
        src = os.path.dirname(p["manifest_path"])
        shutil.copytree(src, os.path.join(dest, "%s-%s" % (p["name"], p["version"])), symlinks=True)
        n += 1
    print("copied %d crates into %s" % (n, dest))


def main():
    cmd = sys.argv[1] if len(sys.argv) > 1 else ""
    if cmd == "plant":
        plant(sys.argv[2], sys.argv[3], int(sys.argv[4]) if len(sys.argv) > 4 else 50)
    elif cmd == "small":
        small(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]) if len(sys.argv) > 5 else 50)
    elif cmd == "deps":
        deps(sys.argv[2])
    elif cmd == "stats":
        stats(sys.argv[2])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
