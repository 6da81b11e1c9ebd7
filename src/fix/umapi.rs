//! Python on umapi-client: `JWTAuth(org_id, client_id, client_secret,
//! tech_acct_id, priv_key_data, ssl_verify, auth_host, auth_endpoint)`
//! becomes `OAuthS2S(client_id=..., client_secret=..., ...)` (umapi-client
//! 3's `umapi_client.auth.OAuthS2S(client_id, client_secret, auth_host,
//! auth_endpoint, ssl_verify)`, which asks for
//! `openid,AdobeID,user_management_sdk` itself). Positional arguments are
//! mapped by JWTAuth's order and written as keywords, since the two
//! constructors order them differently; the org, technical account, key and
//! JWT endpoint arguments go, and a variable that only held the key, set on
//! one line, goes with them. The imported name follows. Anything else
//! (`**kwargs`, `*args`, an unknown keyword) is a manual step.

use std::sync::LazyLock;

use regex::Regex;

use super::code::{Syntax, line_ranges};
use super::template::render;
use super::text::{body, line_of, splice};
use super::{Attempt, FixCtx};

const PY: Syntax = Syntax::Python;

/// JWTAuth's parameters, in order.
const JWT_PARAMS: &[&str] = &[
    "org_id",
    "client_id",
    "client_secret",
    "tech_acct_id",
    "priv_key_data",
    "ssl_verify",
    "auth_host",
    "auth_endpoint",
];
/// Those OAuthS2S takes too.
const KEPT: &[&str] = &["client_id", "client_secret", "auth_host", "ssl_verify"];

static CALL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"((?:[A-Za-z_][\w]*\.)*)JWTAuth\s*\(").expect("static regex"));
static NAME: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\bJWTAuth\b").expect("static regex"));
static IMPORT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*from\s+umapi_client(?:\.auth)?\s+import\s+.*\bJWTAuth\b")
        .expect("static regex")
});

pub fn fix(ctx: &FixCtx<'_>, text: &str) -> Attempt {
    if !ctx.path.ends_with(".py") || !text.contains("JWTAuth") || !text.contains("umapi") {
        return Attempt::NotApplicable;
    }
    rewrite(ctx, text).unwrap_or_else(Attempt::Unrecognised)
}

fn rewrite(ctx: &FixCtx<'_>, text: &str) -> Result<Attempt, String> {
    let b = text.as_bytes();
    let opaque = PY.opaque_ranges(b);
    let mut edits = Vec::new();
    let mut dropped_values: Vec<String> = Vec::new();
    let class = ctx.template("class").trim().to_string();
    for c in CALL.captures_iter(text) {
        let (Some(whole), Some(qual)) = (c.get(0), c.get(1)) else {
            continue;
        };
        if opaque.iter().any(|r| r.contains(&whole.start())) {
            continue;
        }
        let open = whole.end() - 1;
        let close = PY.matching(b, open).ok_or("an unbalanced JWTAuth call")?;
        let inner = &text[open + 1..close];
        let mut kept: Vec<(String, String)> = Vec::new();
        let mut seen_keyword = false;
        for (n, arg) in PY.split_args(inner).into_iter().enumerate() {
            let arg = arg.trim();
            if arg.starts_with('*') {
                return Err("JWTAuth is called with *args or **kwargs".into());
            }
            let (name, value) = match arg.split_once('=') {
                Some((k, v))
                    if k.trim().chars().all(|ch| ch.is_alphanumeric() || ch == '_')
                        && !v.starts_with('=') =>
                {
                    seen_keyword = true;
                    (k.trim().to_string(), v.trim().to_string())
                }
                _ if seen_keyword => return Err("a positional argument after a keyword".into()),
                _ => (
                    JWT_PARAMS
                        .get(n)
                        .ok_or("JWTAuth has more positional arguments than it takes")?
                        .to_string(),
                    arg.to_string(),
                ),
            };
            if !JWT_PARAMS.contains(&name.as_str()) {
                return Err(format!("JWTAuth's keyword `{name}` is not umapi-client's"));
            }
            if KEPT.contains(&name.as_str()) {
                kept.push((name, value));
            } else {
                dropped_values.push(value);
            }
        }
        for need in ["client_id", "client_secret"] {
            if !kept.iter().any(|(k, _)| k == need) {
                return Err(format!("JWTAuth is called without {need}"));
            }
        }
        let multiline = inner.contains('\n');
        let args = if multiline {
            let first = inner.trim_start_matches([' ', '\t', '\r', '\n']);
            let at = close - inner.len() + (inner.len() - first.len());
            let indent = super::text::indent(&text[text[..at].rfind('\n').map_or(0, |p| p + 1)..]);
            let close_indent =
                super::text::indent(&text[text[..close].rfind('\n').map_or(0, |p| p + 1)..]);
            let nl = super::text::eol(text);
            let lines: Vec<String> = kept
                .iter()
                .map(|(k, v)| format!("{nl}{indent}{k}={v},"))
                .collect();
            format!("{}{nl}{close_indent}", lines.concat())
        } else {
            kept.iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        edits.push((
            whole.start()..close + 1,
            render(
                ctx.template("call"),
                &[("qualifier", qual.as_str()), ("args", &args)],
            ),
        ));
    }
    if edits.is_empty() {
        return Ok(Attempt::NotApplicable);
    }
    // Imports of the name.
    let lines = line_ranges(text);
    for r in &lines {
        let l = &text[r.clone()];
        if IMPORT.is_match(body(l)) {
            let new = NAME.replace_all(l, class.as_str()).into_owned();
            edits.push((r.clone(), new));
        }
    }
    // A variable that only held a dropped argument, set on one line.
    for v in &dropped_values {
        if !v.chars().all(|c| c.is_alphanumeric() || c == '_') || v.is_empty() {
            continue;
        }
        let assign =
            Regex::new(&format!(r"^\s*{}\s*=[^=]", regex::escape(v))).map_err(|e| e.to_string())?;
        let uses = Regex::new(&format!(r"\b{}\b", regex::escape(v))).map_err(|e| e.to_string())?;
        let sets: Vec<&std::ops::Range<usize>> = lines
            .iter()
            .filter(|r| assign.is_match(&text[(*r).clone()]))
            .collect();
        let total = uses.find_iter(text).count();
        if let [only] = sets.as_slice() {
            let line = &text[(*only).clone()];
            let balanced = PY.split_args(line).len() == 1
                && line.matches('(').count() == line.matches(')').count();
            // Set once, used once (in the dropped argument): it goes.
            let overlaps = edits
                .iter()
                .any(|(r, _): &(std::ops::Range<usize>, String)| {
                    r.start < only.end && only.start < r.end
                });
            if balanced && !overlaps && total == uses.find_iter(line).count() + 1 {
                // Between blank lines, it takes one of them along.
                let mut gone = (*only).clone();
                let before_blank =
                    text[..gone.start].ends_with("\n\n") || text[..gone.start].ends_with("\n\r\n");
                if let Some(next) = lines.iter().find(|r| r.start == gone.end)
                    && before_blank
                    && body(&text[next.clone()]).trim().is_empty()
                {
                    gone.end = next.end;
                }
                edits.push((gone, String::new()));
            }
        }
    }
    let new = splice(text, edits);
    let at = new
        .find(&format!("{class}("))
        .map_or(1, |o| line_of(&new, o));
    Ok(Attempt::Rewritten {
        text: new,
        manual: vec![(
            at,
            format!(
                "umapi-client's {class} needs umapi-client 3 or later (raise the pin in \
                 requirements) and the OAuth Server-to-Server credential's client id and secret; \
                 it asks for the scopes openid,AdobeID,user_management_sdk itself"
            ),
        )],
    })
}
