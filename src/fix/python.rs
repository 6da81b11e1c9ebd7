//! Python: a hand-rolled JWT exchange (claims signed with PyJWT's
//! `jwt.encode`, posted with requests/httpx or urllib to
//! `/ims/exchange/jwt`) becomes the client_credentials request.
//!
//! Only one function is touched: the one holding both the signing and the
//! exchange URL. Its statements before the POST that build the claims, read
//! the key or sign (and any that use what those define) go; the POST call's
//! arguments are rewritten from the `python-requests`/`python-urllib`
//! template with the program's own IMS base expression (`IMS + "..."`,
//! `f"{ims}..."` or a literal), client id and secret expressions and other
//! keyword arguments (timeout, ...); everything after the POST (what the
//! function does with the response, its return) stays. `import jwt` and
//! unused `cryptography` imports go. A function that does anything else with
//! what it drops is not rewritten (manual step).

use std::collections::BTreeSet;
use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use super::code::{Syntax, line_ranges};
use super::template::render;
use super::text::{eol, line_of, splice};
use super::{Attempt, FixCtx};

const PY: Syntax = Syntax::Python;

static DEF: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*(?:async\s+)?def\s+(\w+)\s*\(").expect("static regex"));
static CALL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"([A-Za-z_][\w.]*\.post|(?:urllib\.request\.)?Request)\s*\(").expect("static regex")
});
static BASE_CONCAT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?s)^\s*(.+?)\s*\+\s*(["'])/ims/exchange/(?:v1/)?jwt/?["']\s*$"#)
        .expect("static regex")
});
static BASE_FSTRING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?s)^\s*f(["'])(.*?)/ims/exchange/(?:v1/)?jwt/?["']\s*$"#).expect("static regex")
});
static BASE_LITERAL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?s)^\s*(["'])(https?://[^"']*?)/ims/exchange/(?:v1/)?jwt/?["']\s*$"#)
        .expect("static regex")
});
static ASSIGNED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?m)^\s*([A-Za-z_]\w*)\s*(?::[^=\n]+)?=[^=]|\bas\s+([A-Za-z_]\w*)|\bfor\s+([A-Za-z_]\w*)\s+in\b")
        .expect("static regex")
});

/// What marks a statement as part of the JWT flow.
const MARKERS: &[&str] = &[
    "jwt.",
    "jwt_token",
    "/ims/exchange/",
    "/c/",
    "/s/",
    "\"aud\"",
    "'aud'",
    "\"iss\"",
    "'iss'",
    "\"exp\"",
    "'exp'",
    "open(",
    "private_key",
    "load_pem",
    "serialization.",
    "time.time()",
    "datetime.",
];
/// Keyword arguments of the POST that the template replaces.
const REPLACED_KWARGS: &[&str] = &["data", "json", "files", "headers", "params", "method"];

/// A statement of the function body: its byte range (whole lines).
struct Stmt {
    range: Range<usize>,
}

/// The function holding the exchange: (def line index, body statements).
fn exchange_function(text: &str, lines: &[Range<usize>]) -> Option<(usize, String, Vec<Stmt>)> {
    for (i, r) in lines.iter().enumerate() {
        let Some(c) = DEF.captures(&text[r.clone()]) else {
            continue;
        };
        let (header_end, end) = super::block::indented_body(PY, text, lines, i)?;
        let body_range = lines.get(header_end + 1).map_or(text.len(), |l| l.start)
            ..lines.get(end).map_or(text.len(), |l| l.start);
        let body_text = &text[body_range.clone()];
        if !(body_text.contains("/ims/exchange/") && body_text.contains("jwt.encode(")) {
            continue;
        }
        // Statements: whole lines, from the first line's start.
        let stmts = super::block::line_statements(PY, text, lines, header_end + 1, end, &[])?
            .into_iter()
            .map(|s| Stmt {
                range: text[..s.code.start].rfind('\n').map_or(0, |p| p + 1)..s.lines.end,
            })
            .collect();
        return Some((i, c[1].to_string(), stmts));
    }
    None
}

fn names_assigned(s: &str) -> Vec<String> {
    ASSIGNED
        .captures_iter(s)
        .filter_map(|c| {
            c.get(1)
                .or(c.get(2))
                .or(c.get(3))
                .map(|m| m.as_str().to_string())
        })
        .collect()
}

/// Whether `s` uses the name (not as an attribute, nor as a string prefix
/// such as the `f` of `f"..."`).
fn mentions(s: &str, name: &str) -> bool {
    let Ok(re) = Regex::new(&format!(r"(?:^|[^\w.]){}\b", regex::escape(name))) else {
        return false;
    };
    re.find_iter(s)
        .any(|m| !matches!(s.as_bytes().get(m.end()), Some(b'"' | b'\'')))
}

/// The expression after `"key":` in a dict literal of `s`.
fn dict_value(s: &str, key: &str) -> Option<String> {
    let re = Regex::new(&format!(r#"["']{}["']\s*:\s*"#, regex::escape(key))).ok()?;
    let m = re.find(s)?;
    let rest = &s[m.end()..];
    let b = rest.as_bytes();
    let (mut i, mut depth) = (0, 0usize);
    while i < b.len() {
        if let Some(j) = PY.skip_opaque(b, i).filter(|_| b[i] != b'#') {
            i = j;
            continue;
        }
        match b[i] {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' if depth == 0 => break,
            b')' | b']' | b'}' => depth -= 1,
            b',' | b'\n' if depth == 0 => break,
            _ => {}
        }
        i += 1;
    }
    let v = rest[..i].trim();
    (!v.is_empty()).then(|| v.to_string())
}

pub fn fix(ctx: &FixCtx<'_>, text: &str) -> Attempt {
    if !ctx.path.ends_with(".py") || !text.contains("/ims/exchange/") {
        return Attempt::NotApplicable;
    }
    rewrite(ctx, text).unwrap_or_else(Attempt::Unrecognised)
}

fn rewrite(ctx: &FixCtx<'_>, text: &str) -> Result<Attempt, String> {
    let lines = line_ranges(text);
    let (_, name, stmts) = exchange_function(text, &lines)
        .ok_or("the exchange is not one function that signs with jwt.encode and posts to /ims/exchange/jwt")?;
    let b = text.as_bytes();
    let send_idx = stmts
        .iter()
        .position(|s| {
            let t = &text[s.range.clone()];
            t.contains("/ims/exchange/") && CALL.is_match(t)
        })
        .ok_or("the exchange URL is not an argument of the POST call")?;
    let send = &stmts[send_idx];
    let send_text = &text[send.range.clone()];
    let call = CALL
        .captures_iter(send_text)
        .find(|c| {
            let open = send.range.start + c.get(0).map_or(0, |m| m.end()) - 1;
            PY.matching(b, open)
                .is_some_and(|close| text[open..close].contains("/ims/exchange/"))
        })
        .ok_or("the exchange URL is not an argument of the POST call")?;
    let callee = call[1].to_string();
    let call_start = send.range.start + call.get(0).map_or(0, |m| m.start());
    let open = send.range.start + call.get(0).map_or(0, |m| m.end()) - 1;
    let close = PY.matching(b, open).ok_or("an unbalanced POST call")?;
    let args = PY.split_args(&text[open + 1..close]);
    let url = args.first().ok_or("a POST without a URL")?;
    let q = if url.contains('\'') && !url.contains('"') {
        "'"
    } else {
        "\""
    };
    let token_url = if let Some(c) = BASE_CONCAT.captures(url) {
        format!("{} + {q}/ims/token/v3{q}", c[1].trim())
    } else if let Some(c) = BASE_FSTRING.captures(url) {
        format!("f{}{}/ims/token/v3{}", &c[1], &c[2], &c[1])
    } else if let Some(c) = BASE_LITERAL.captures(url) {
        format!("{}{}/ims/token/v3{}", &c[1], &c[2], &c[1])
    } else {
        return Err(format!(
            "the exchange URL `{}` is not BASE + \"/ims/exchange/jwt\", an f-string or a literal",
            url.trim()
        ));
    };
    let fn_text =
        &text[stmts.first().map_or(0, |s| s.range.start)..stmts.last().map_or(0, |s| s.range.end)];
    let client_id =
        dict_value(fn_text, "client_id").ok_or("no \"client_id\" in the exchange form")?;
    let client_secret =
        dict_value(fn_text, "client_secret").ok_or("no \"client_secret\" in the exchange form")?;
    let mut extra = Vec::new();
    for a in args.iter().skip(1) {
        let kw = a.trim().split('=').next().unwrap_or("").trim();
        if !a.contains('=') {
            return Err("the POST call has more than one positional argument".into());
        }
        if !REPLACED_KWARGS.contains(&kw) {
            extra.push(format!("{},", a.trim()));
        }
    }
    let metascopes = super::code::metascopes(fn_text);
    let choice = ctx.scopes.for_metascopes(&metascopes);
    if choice.scopes.is_empty() {
        return Err(
            "the metascopes are not literals in the claims: rerun with --scopes LIST".into(),
        );
    }

    // Statements before the POST: drop the JWT flow and what depends on it.
    let mut dropped: BTreeSet<usize> = BTreeSet::new();
    let mut dropped_names: Vec<String> = Vec::new();
    for (i, s) in stmts.iter().enumerate().take(send_idx) {
        let t = &text[s.range.clone()];
        let docstring = i == 0 && t.trim_start().starts_with(['"', '\'']);
        if docstring {
            continue;
        }
        if MARKERS.iter().any(|m| t.contains(m)) || dropped_names.iter().any(|n| mentions(t, n)) {
            dropped.insert(i);
            dropped_names.extend(names_assigned(t));
        }
    }
    let indent = super::text::indent(&text[send.range.clone()]).to_string();
    let template = if callee.ends_with("Request") {
        "python-urllib"
    } else {
        "python-requests"
    };
    let scope = serde_json::to_string(&choice.scopes.join(",")).unwrap_or_default();
    let scope_note = if choice.guessed {
        render(
            ctx.template("scope_note"),
            &[("metascopes", &metascopes.join(", "))],
        )
    } else {
        String::new()
    };
    let extra_args = extra.join(&format!("\n{indent}    "));
    let mut new_call = render(
        ctx.template(template),
        &[
            ("callee", &callee),
            ("indent", &indent),
            ("token_url", &token_url),
            ("client_id", &client_id),
            ("client_secret", &client_secret),
            ("scope", &scope),
            ("scope_note", &scope_note),
            ("extra_args", &extra_args),
        ],
    );
    if new_call.ends_with('\n') {
        new_call.pop();
    }
    let nl = eol(text);
    if nl == "\r\n" {
        new_call = new_call.replace('\n', "\r\n");
    }
    // What stays must not use what went.
    let kept_after: String = stmts[send_idx + 1..]
        .iter()
        .map(|s| &text[s.range.clone()])
        .chain([
            &text[send.range.start..call_start],
            &text[close + 1..send.range.end],
            client_id.as_str(),
            client_secret.as_str(),
            token_url.as_str(),
        ])
        .chain(
            stmts
                .iter()
                .enumerate()
                .take(send_idx)
                .filter(|(i, _)| !dropped.contains(i))
                .map(|(_, s)| &text[s.range.clone()]),
        )
        .collect::<Vec<_>>()
        .join("\n");
    if let Some(n) = dropped_names.iter().find(|n| mentions(&kept_after, n)) {
        return Err(format!(
            "`{n}` (part of the JWT flow) is used after the exchange"
        ));
    }
    let mut edits: Vec<(Range<usize>, String)> = dropped
        .iter()
        .map(|&i| (stmts[i].range.clone(), String::new()))
        .collect();
    edits.push((call_start..close + 1, new_call));
    let new = drop_unused_imports(&splice(text, edits));
    let def_line = new
        .lines()
        .position(|l| DEF.captures(l).is_some_and(|c| c[1] == *name))
        .map_or(1, |p| u32::try_from(p + 1).unwrap_or(1));
    let mut manual = Vec::new();
    if let Some(step) = choice.manual_step(&metascopes) {
        let at = new
            .find("\"scope\":")
            .map_or(def_line, |o| line_of(&new, o));
        manual.push((at, step));
    }
    manual.push((
        def_line,
        format!(
            "`{name}` now requests an OAuth Server-to-Server token (client_credentials): expires_in \
             in its response is in seconds (the JWT exchange gave milliseconds)"
        ),
    ));
    Ok(Attempt::Rewritten { text: new, manual })
}

/// Removes `import jwt` / `from jwt import ...` and `cryptography` imports
/// whose names the file no longer uses.
fn drop_unused_imports(text: &str) -> String {
    static IMPORT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^\s*(?:import\s+(jwt)(?:\s+as\s+(\w+))?|from\s+(jwt|cryptography[\w.]*)\s+import\s+([\w, ]+))\s*$")
            .expect("static regex")
    });
    let bound = |l: &str| {
        let c = IMPORT.captures(l)?;
        Some(match (c.get(1), c.get(2), c.get(4)) {
            (Some(m), alias, _) => vec![alias.unwrap_or(m).as_str().to_string()],
            (None, _, Some(list)) => list
                .as_str()
                .split(',')
                .map(|n| n.split_whitespace().last().unwrap_or("").to_string())
                .filter(|n| !n.is_empty())
                .collect(),
            _ => Vec::new(),
        })
    };
    super::exchange::drop_unused_imports(text, bound, mentions)
}
