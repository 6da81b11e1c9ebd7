//! Mutations for the property tests in `tests/fuzz.rs`: start from a real
//! file and flip, insert and delete bytes, truncate, duplicate or swap
//! lines (duplicate keys), put a value of the wrong type after a key, or
//! plant a secret. Include with `#[path = "common/mutate.rs"] mod mutate;`.
#![allow(dead_code)]

use proptest::prelude::*;
use proptest::sample::Index;

/// Fragments that mean something to YAML, JSON, TOML, .env, PEM, regexes
/// and globs, and a few that mean trouble to any parser.
pub const TOKENS: &[&str] = &[
    "\n",
    ":",
    ": ",
    "- ",
    "[",
    "]",
    "{",
    "}",
    ",",
    "\"",
    "'",
    "#",
    "&a ",
    "*a",
    "<<: *a",
    "!!binary ",
    "!!str ",
    "? ",
    "|\n",
    ">-\n",
    "---\n",
    "...\n",
    "\t",
    "~",
    "null",
    "=",
    "[[",
    "]]",
    "\"\"\"",
    "'''",
    "\\",
    "\\u0000",
    "\\x",
    "\u{feff}",
    "\u{0}",
    "é",
    "\u{2028}",
    "\r\n",
    "%YAML 1.1\n",
    "-----BEGIN PRIVATE KEY-----",
    "-----END PRIVATE KEY-----",
    "-----BEGIN CERTIFICATE-----",
    "-----BEGIN RSA PRIVATE KEY-----",
    "MII",
    "export ",
    "(?P<hit>",
    "(",
    ")",
    "*",
    "**",
    "{1000}",
    "\\w{1000}",
    "|",
    "jwt2oauth:ignore[",
    "2026-13-45",
    "99999999999999999999999",
    "1e999",
];

/// Values of the wrong type (or shape) for whatever key they land after.
pub const VALUES: &[&str] = &[
    "[1, 2]",
    "{a: 1}",
    "{ a = 1 }",
    "123",
    "-5",
    "1.5",
    "true",
    "~",
    "null",
    "\"x\"",
    "''",
    "2027-01-31",
    "[]",
    "{}",
    "[[]]",
    "\"\\u0000\"",
    "*a",
    "&a [1]",
    "\"(\"",
    "\"[\"",
    "'**'",
];

/// One edit of a file.
#[derive(Debug, Clone)]
pub enum Mutation {
    /// XOR one byte with a mask.
    Flip(Index, u8),
    /// Insert a token from [`TOKENS`].
    Token(Index, Index),
    /// Insert random bytes.
    Bytes(Index, Vec<u8>),
    /// Delete up to this many bytes.
    Delete(Index, usize),
    /// Cut the file here.
    Truncate(Index),
    /// Copy line i before line j (duplicate keys, repeated sections).
    DuplicateLine(Index, Index),
    /// Swap two lines.
    SwapLines(Index, Index),
    /// Replace what follows the first `:` or `=` of a line with a value from
    /// [`VALUES`].
    WrongValue(Index, Index),
    /// Insert one of the caller's secrets.
    Secret(Index, Index),
}

/// Any one mutation.
pub fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<Index>(), 1u8..=255).prop_map(|(i, m)| Mutation::Flip(i, m)),
        (any::<Index>(), any::<Index>()).prop_map(|(i, t)| Mutation::Token(i, t)),
        (any::<Index>(), prop::collection::vec(any::<u8>(), 1..8))
            .prop_map(|(i, b)| Mutation::Bytes(i, b)),
        (any::<Index>(), 1usize..64).prop_map(|(i, n)| Mutation::Delete(i, n)),
        any::<Index>().prop_map(Mutation::Truncate),
        (any::<Index>(), any::<Index>()).prop_map(|(i, j)| Mutation::DuplicateLine(i, j)),
        (any::<Index>(), any::<Index>()).prop_map(|(i, j)| Mutation::SwapLines(i, j)),
        (any::<Index>(), any::<Index>()).prop_map(|(i, v)| Mutation::WrongValue(i, v)),
        (any::<Index>(), any::<Index>()).prop_map(|(i, s)| Mutation::Secret(i, s)),
    ]
}

/// One to `max` mutations.
pub fn mutations(max: usize) -> impl Strategy<Value = Vec<Mutation>> {
    prop::collection::vec(mutation(), 1..=max)
}

fn lines(b: &[u8]) -> Vec<Vec<u8>> {
    b.split_inclusive(|c| *c == b'\n')
        .map(<[u8]>::to_vec)
        .collect()
}

/// Applies `muts` to `seed`; `secrets` feeds [`Mutation::Secret`].
pub fn apply(seed: &[u8], muts: &[Mutation], secrets: &[String]) -> Vec<u8> {
    let mut b = seed.to_vec();
    for m in muts {
        let at = |i: &Index, len: usize| if len == 0 { 0 } else { i.index(len + 1) };
        match m {
            Mutation::Flip(i, mask) if !b.is_empty() => {
                let k = i.index(b.len());
                b[k] ^= mask;
            }
            Mutation::Flip(..) => {}
            Mutation::Token(i, t) => {
                let k = at(i, b.len());
                let tok = TOKENS[t.index(TOKENS.len())].as_bytes();
                b.splice(k..k, tok.iter().copied());
            }
            Mutation::Bytes(i, bytes) => {
                let k = at(i, b.len());
                b.splice(k..k, bytes.iter().copied());
            }
            Mutation::Delete(i, n) => {
                let k = at(i, b.len());
                let end = (k + n).min(b.len());
                b.drain(k..end);
            }
            Mutation::Truncate(i) => {
                let k = at(i, b.len());
                b.truncate(k);
            }
            Mutation::DuplicateLine(i, j) | Mutation::SwapLines(i, j) => {
                let mut ls = lines(&b);
                if ls.is_empty() {
                    continue;
                }
                let (a, c) = (i.index(ls.len()), j.index(ls.len()));
                if matches!(m, Mutation::SwapLines(..)) {
                    ls.swap(a, c);
                } else {
                    let copy = ls[a].clone();
                    ls.insert(c, copy);
                }
                b = ls.concat();
            }
            Mutation::WrongValue(i, v) => {
                let mut ls = lines(&b);
                if ls.is_empty() {
                    continue;
                }
                let k = i.index(ls.len());
                let line = &mut ls[k];
                if let Some(p) = line.iter().position(|c| matches!(c, b':' | b'=')) {
                    let nl = line.ends_with(b"\n");
                    line.truncate(p + 1);
                    line.push(b' ');
                    line.extend_from_slice(VALUES[v.index(VALUES.len())].as_bytes());
                    if nl {
                        line.push(b'\n');
                    }
                }
                b = ls.concat();
            }
            Mutation::Secret(i, s) if !secrets.is_empty() => {
                let k = at(i, b.len());
                let secret = secrets[s.index(secrets.len())].as_bytes();
                b.splice(k..k, secret.iter().copied());
            }
            Mutation::Secret(..) => {}
        }
    }
    b
}

/// The bytes as text the way the loaders get it (they read UTF-8; invalid
/// bytes are replaced, which keeps the mutation's shape).
pub fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Cases per property: `PROPTEST_CASES`, else 256.
pub fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(256)
}
