//! Secret redaction for every output, log and error message.
//!
//! Three entry points:
//! - [`mask`] for a value known to be secret (a client secret, an access token,
//!   a private key): at most a 4-character prefix and the length survive.
//! - [`redact_text`] for free text that may contain secrets (a code frame, a
//!   snippet, an error body from a server): PEM blocks, JWTs, Adobe client
//!   secrets, values of secret-named keys, long base64 runs and lines that are
//!   nothing but base64 (a key body's last line, shown alone) are masked.
//! - [`redact_message`] for error messages that quote values from a user's
//!   file (serde's "invalid type: string \"...\"", "unknown field `...`"):
//!   [`redact_text`], and quoted tokens that look random are masked too.
//!
//! Redaction is conservative: a false positive costs readability, a false
//! negative leaks a credential.

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::Regex;

/// How many leading characters of a secret may be shown.
pub const PREFIX_CHARS: usize = 4;

/// Masks a value known to be secret: `p8e-…[redacted, 36 chars]`.
///
/// Values of 12 characters or fewer show no prefix at all, so a short secret
/// is never mostly revealed.
pub fn mask(secret: &str) -> String {
    let n = secret.chars().count();
    let prefix: String = if n > 12 {
        secret.chars().take(PREFIX_CHARS).collect()
    } else {
        String::new()
    };
    format!("{prefix}…[redacted, {n} chars]")
}

/// A PEM private-key block, possibly on one line with literal `\n` escapes
/// (as in JSON or .env files), possibly cut off before its END line.
static PEM_BLOCK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----)((?:[^-]|-[^-])*?)(-----END [A-Z0-9 ]*PRIVATE KEY-----|$)",
    )
    .expect("static regex")
});

/// A JWT (three base64url segments, the first two starting with `eyJ`),
/// also with a damaged header (a byte of `eyJ` lost or changed): then the
/// payload's `eyJ` anchors it, and the segment before it and the signature
/// go too.
static JWT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:[A-Za-z0-9_-]{4,}\.)?eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}(?:\.[A-Za-z0-9_-]*)?",
    )
    .expect("static regex")
});

/// An Adobe client secret (`p8e-` followed by 20 or more characters).
static ADOBE_SECRET: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"p8e-[A-Za-z0-9_-]{8,}").expect("static regex"));

/// A value assigned to a key whose name says it is secret. Group 1 is the key
/// and separator, group 2 the value.
static SECRET_ASSIGNMENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)((?:client[_-]?secrets?|secret|password|passwd|passphrase|private[_-]?key(?:[_-]?data)?|access[_-]?token|bearer|jwt[_-]?token|encoded[_-]?pkcs8|api[_-]?secret)\w*["']?\s*(?:[:=]|=>|,)\s*\[?\s*["'`]?)([^\s"'`,;\])=]{8,}={0,2})"#,
    )
    .expect("static regex")
});

/// A long run of base64 or base64url characters (a key body, a base64
/// PKCS#8 blob, a JWT's signature cut from its token).
static LONG_BASE64: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[A-Za-z0-9+/_-]{40,}={0,2}").expect("static regex"));

/// A line holding nothing but a run of base64 (in quotes, with a literal
/// `\n` or a `+` of string concatenation around it): a line of a PEM body
/// seen alone, as in a code frame, where the BEGIN line is out of sight.
/// Group 1 is the run; runs of 12 characters or more (padding included)
/// with mixed case, letters and digits, or padding are masked.
static BASE64_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?m)^[ \t"'`]*([A-Za-z0-9+/]{10,}={0,2})(?:\\r)?(?:\\n)?[ \t"'`,;+\\]*\r?$"#)
        .expect("static regex")
});

/// A quoted token in an error message (group 2), with its quotes.
static QUOTED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"(["'`])([A-Za-z0-9+/=_-]{16,})(["'`])"#).expect("static regex"));

/// Redacts every secret-looking part of `text`. Returns the input unchanged
/// (borrowed) when nothing needed masking.
pub fn redact_text(text: &str) -> Cow<'_, str> {
    let mut out = Cow::Borrowed(text);
    out = replace_all(out, &PEM_BLOCK, |c| {
        let body = c.get(2).map_or("", |m| m.as_str());
        let end = c.get(3).map_or("", |m| m.as_str());
        format!("{}{}{}", &c[1], mask_body(body), end)
    });
    out = replace_all(out, &JWT, |c| mask(&c[0]));
    out = replace_all(out, &ADOBE_SECRET, |c| mask(&c[0]));
    out = replace_all(out, &SECRET_ASSIGNMENT, |c| {
        let value = &c[2];
        // `private-key, private-key-reference`: a list of names (an error
        // listing categories), not a key and its value. Only after a comma:
        // `password = correct-horse-battery` is still masked.
        let listed = c[1]
            .trim_end_matches(|ch: char| ch.is_whitespace() || "[\"'`".contains(ch))
            .ends_with(',')
            && is_kebab_word(value);
        if value.contains("…[redacted") || looks_like_reference(value) || listed {
            c[0].to_string()
        } else {
            format!("{}{}", &c[1], mask(value))
        }
    });
    out = replace_all(out, &LONG_BASE64, |c| {
        let run = &c[0];
        // With `_` or `-`, masked only with mixed case and a digit, so long
        // snake_case and kebab-case names stay readable.
        let name_like = (run.contains('_') || run.contains('-'))
            && !(mixes_case(run) && run.bytes().any(|b| b.is_ascii_digit()));
        if looks_like_path(run) || name_like {
            run.to_string()
        } else {
            mask(run)
        }
    });
    out = replace_all(out, &BASE64_LINE, |c| {
        let run = &c[1];
        // A path made of words is kept only when it is long (40 or more
        // characters): a random run of 12 to 39 looks like one too often
        // (`eTzfpxbtNpj/`, a key body's last line: 1 in 400 at 12 characters).
        // Mixed case, or letters with digits (lowercase ones unless the run
        // is a path of words: `/ims/token/v3`), or `=` padding: a random
        // 12-character line lacks all of them with odds of about 1 in 20,000
        // (`K0A00D00BA==` has no lowercase letter).
        // Hex ids (a client id, an org id, a commit) are no key: a random
        // 12-character base64 run is all hex 1 in 360,000 times.
        let digits =
            run.bytes().any(|b| b.is_ascii_digit()) && !run.bytes().all(|b| b.is_ascii_hexdigit());
        let keyish = mixes_case(run)
            || run.ends_with('=')
            || (digits && run.bytes().any(|b| b.is_ascii_uppercase()))
            || (digits && run.bytes().any(|b| b.is_ascii_lowercase()) && !looks_like_path(run));
        if run.len() >= 12 && keyish && !(run.len() >= 40 && looks_like_path(run)) {
            c[0].replacen(run, &mask(run), 1)
        } else {
            c[0].to_string()
        }
    });
    out
}

/// Redacts an error message that may quote a value read from a user's file:
/// everything [`redact_text`] masks, plus quoted tokens of 16 or more
/// characters from a secret's alphabet (base64, base64url, hex) with both
/// letters and digits. Identifiers, paths and globs keep their quotes' content.
pub fn redact_message(message: &str) -> Cow<'_, str> {
    let out = redact_text(message);
    replace_all(out, &QUOTED, |c| {
        let token = &c[2];
        let letters = token.chars().any(|ch| ch.is_ascii_alphabetic());
        let digits = token.chars().any(|ch| ch.is_ascii_digit());
        if letters && digits {
            format!("{}{}{}", &c[1], mask(token), &c[3])
        } else {
            c[0].to_string()
        }
    })
}

/// Whether a base64 run has both upper- and lowercase letters, as key
/// material does (a random 12-character run lacks one with probability
/// 0.4%). Paths, MIME types and URLs (`application/json`, `/ims/token/v3`)
/// are lowercase and stay readable.
fn mixes_case(run: &str) -> bool {
    run.bytes().any(|b| b.is_ascii_lowercase()) && run.bytes().any(|b| b.is_ascii_uppercase())
}

/// Whether a run of base64 characters is a path made of words
/// (`com/adobe/aem/guides/wknd/core/models/HelloWorldModel`): it has a `/`,
/// no `+`, and every segment is a lowercase word or a CamelCase name (or
/// such words joined by `-` or `_`: `node-aio-ims-helpers`),
/// optionally ending in digits. A segment of random base64 is that regular
/// with odds under 1 in 1,000 per 8 characters, and a 40-character run needs
/// every segment to be.
fn looks_like_path(run: &str) -> bool {
    static WORD: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"^(?:[a-z][a-z0-9]*|[A-Z]?[a-z]+(?:[A-Z][a-z]+)*[0-9]*|[A-Z]{2,8})(?:[-_](?:[a-z][a-z0-9]*|[A-Z]?[a-z]+(?:[A-Z][a-z]+)*[0-9]*|[A-Z]{2,8}))*$",
        )
            .expect("static regex")
    });
    let run = run.trim_end_matches('=');
    run.contains('/')
        && !run.contains('+')
        && run
            .split('/')
            .all(|seg| seg.is_empty() || WORD.is_match(seg))
}

/// PEM bodies are masked whole, keeping the escapes' shape out of the output.
fn mask_body(body: &str) -> String {
    if body.trim().is_empty() {
        body.to_string()
    } else {
        format!("…[redacted, {} chars]", body.chars().count())
    }
}

/// Values that name where a secret is kept rather than being one: environment
/// variable references, template placeholders, file paths, function calls.
fn looks_like_reference(value: &str) -> bool {
    let v = value.trim();
    is_identifier(v)
        || v.starts_with("-----")
        || v.starts_with('$')
        || v.starts_with('{')
        || v.starts_with('<')
        || v.starts_with("process.env")
        || v.starts_with("os.environ")
        || v.starts_with("os.getenv")
        || v.starts_with("System.getenv")
        || v.starts_with("Environment.")
        || v.starts_with("config.")
        || v.starts_with("self.")
        || v.starts_with("this.")
        || v.ends_with(".key")
        || v.ends_with(".pem")
        || v.contains('(')
        || v.contains('/')
}

/// A code identifier (`jwt_token`, `getJwtToken`, `self.key`) rather than a
/// literal: letters, digits, `_`, `$` and `.`, and either an `_`/`.` or no
/// digit at all. Real secrets (hex, base64, UUIDs, `p8e-...`) have digits and
/// no underscores, or characters outside this set.
fn is_identifier(v: &str) -> bool {
    let mut chars = v.chars();
    let starts_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$');
    let all_ok = v
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '$' | '.'));
    let has_digit = v.chars().any(|c| c.is_ascii_digit());
    starts_ok && all_ok && (v.contains('_') || v.contains('.') || !has_digit)
}

/// A kebab-case name made of lowercase words (`private-key-reference`, a
/// rule id or category): no digits, so not a UUID, hex or `p8e-` secret.
fn is_kebab_word(v: &str) -> bool {
    v.contains('-')
        && v.split('-')
            .all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase()))
}

fn replace_all<'a>(
    input: Cow<'a, str>,
    re: &Regex,
    f: impl Fn(&regex::Captures<'_>) -> String,
) -> Cow<'a, str> {
    if !re.is_match(&input) {
        return input;
    }
    Cow::Owned(
        re.replace_all(&input, |c: &regex::Captures<'_>| f(c))
            .into_owned(),
    )
}

#[cfg(test)]
#[path = "redact_tests.rs"]
mod tests;
