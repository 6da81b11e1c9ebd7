//! Node/TypeScript: a hand-rolled JWT exchange (claims signed with
//! `jsonwebtoken`'s `sign`, posted with fetch, node-fetch or axios to
//! `/ims/exchange/jwt`) becomes the client_credentials request.
//!
//! Only one function is touched: the one holding both the signing and the
//! exchange URL. The URL keeps its IMS base and gets `/ims/token/v3`; in the
//! form, the `jwt_token` member of the object literal (`new
//! URLSearchParams({...})`, `qs.stringify({...})`) or a
//! `params.append('jwt_token', …)` becomes `grant_type` and `scope`, from
//! the `node-form-member`/`node-form-append` templates, so the client id and
//! secret expressions stay as they are; the statements before the request
//! that build the claims, read the key or sign (and those only they use)
//! go ([`super::block::drop_flow`]); the request, the response handling and
//! the return stay. The `jsonwebtoken` import and an `fs` import nothing
//! uses any more go. Anything else is a manual step.
//!
//! It predates [`super::exchange`]'s driver and does not go through it:
//! the signing it looks for is named by the file (`<name>.sign(`, with the
//! name `jsonwebtoken` is bound to), the scope goes into the templates as
//! a quoted JS string, a shorthand `{ jwt_token }` member is a form too,
//! a comment after the member's value goes with it, and its refusals come
//! in another order (the metascopes before the client id and secret). Each
//! would be a special case of the driver; it shares the driver's pieces
//! instead ([`value_end`], [`scope_note_edit`], [`line_start`]) and
//! [`super::block`]'s flow.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use super::block::{
    drop_flow, exchange_steps, function_body, one_statement, statements, token_path_edit,
};
use super::code::{Syntax, code_only, mentions_ident};
use super::exchange::{line_start, scope_note_edit, value_end};
use super::template::render;
use super::text::{body, eol, indent, line_of, splice};
use super::{Attempt, FixCtx};

const JS: Syntax = Syntax::CLike;

static JWT_IMPORT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"^\s*(?:(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*=\s*require\(\s*['"]jsonwebtoken['"]\s*\)|import\s+(?:\*\s+as\s+)?([A-Za-z_$][\w$]*)\s+from\s+['"]jsonwebtoken['"])\s*;?\s*$"#,
    )
    .expect("static regex")
});
/// Imports that go when nothing uses their names any more.
static DROPPABLE_IMPORT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"^\s*(?:(?:const|let|var)\s+(\{[^}]*\}|[A-Za-z_$][\w$]*)\s*=\s*require\(\s*['"](?:jsonwebtoken|(?:node:)?fs(?:/promises)?)['"]\s*\)|import\s+(?:\*\s+as\s+)?(\{[^}]*\}|[A-Za-z_$][\w$]*)\s+from\s+['"](?:jsonwebtoken|(?:node:)?fs(?:/promises)?)['"])\s*;?\s*$"#,
    )
    .expect("static regex")
});
static FUNCTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?m)(?:^|[^\w$.])(?:async\s+)?function\s*\*?\s*([A-Za-z_$][\w$]*)\s*\(|(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*(?::[^=\n]+)?=\s*(?:async\s+)?(?:function\s*)?\(|^[ \t]*(?:(?:public|private|protected|static|async)\s+)*([A-Za-z_$][\w$]*)\s*\(",
    )
    .expect("static regex")
});
/// What may stand between a function's `)` and its `{`: a TypeScript return
/// type, an arrow.
static TO_BODY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*(?::\s*[^{};=]+?)?\s*(?:=>\s*)?\{").expect("static regex"));
static MEMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?:^|[{,\s])((['"]?)jwt_token(['"]?)\s*(:)?)"#).expect("static regex")
});
static APPEND: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"^([A-Za-z_$][\w$.]*)\.(append|set)\(\s*['"]jwt_token['"]\s*,[^;]*\)\s*(;?)$"#)
        .expect("static regex")
});

const NOT_METHODS: &[&str] = &[
    "if", "for", "while", "switch", "catch", "function", "return",
];
const NOT_A_FORM: &str = "the exchange form is neither an object literal with a jwt_token member \
    nor a params.append('jwt_token', ...)";

pub fn fix(ctx: &FixCtx<'_>, text: &str) -> Attempt {
    if !super::node::is_source(ctx.path)
        || !text.contains("/ims/exchange/")
        || !text.contains("jsonwebtoken")
    {
        return Attempt::NotApplicable;
    }
    rewrite(ctx, text).unwrap_or_else(Attempt::Unrecognised)
}

/// The function holding the exchange and `<jwt>.sign(`: (name, body braces).
fn exchange_function(text: &str, jwt: &str) -> Option<(String, usize, usize)> {
    let b = text.as_bytes();
    let opaque = JS.opaque_ranges(b);
    let sign = format!("{jwt}.sign(");
    for c in FUNCTION.captures_iter(text) {
        let (Some(whole), Some(name)) = (c.get(0), c.get(1).or(c.get(2)).or(c.get(3))) else {
            continue;
        };
        if NOT_METHODS.contains(&name.as_str()) || opaque.iter().any(|r| r.contains(&name.start()))
        {
            continue;
        }
        let Some((open, end)) = function_body(text, whole.end() - 1, &TO_BODY) else {
            continue;
        };
        let body = &text[open..end];
        if body.contains("/ims/exchange/") && body.contains(&sign) {
            return Some((name.as_str().to_string(), open, end));
        }
    }
    None
}

fn rewrite(ctx: &FixCtx<'_>, text: &str) -> Result<Attempt, String> {
    let jwt = text
        .split_inclusive('\n')
        .find_map(|l| {
            JWT_IMPORT
                .captures(body(l))
                .and_then(|c| c.get(1).or(c.get(2)).map(|m| m.as_str().to_string()))
        })
        .ok_or("jsonwebtoken is imported other than as `const jwt = require(...)` or `import jwt from ...`")?;
    let (name, open, close) = exchange_function(text, &jwt).ok_or(format!(
        "the exchange is not one function that signs with {jwt}.sign and posts to /ims/exchange/jwt"
    ))?;
    let stmts =
        statements(JS, text, open, close, true).ok_or("the function body does not parse")?;
    let find_one = |needle: &str, what: &str| one_statement(&stmts, text, needle, what, &name);
    let url_idx = find_one("/ims/exchange/", "the exchange URL")?;
    let form_idx = find_one("jwt_token", "the jwt_token form field")?;
    let metascopes = super::code::metascopes(&text[open..close]);
    let choice = ctx.scopes.for_metascopes(&metascopes);
    if choice.scopes.is_empty() {
        return Err(
            "the metascopes are not literals in the claims: rerun with --scopes LIST".into(),
        );
    }
    let scope = format!("'{}'", choice.scopes.join(",").replace('\'', "\\'"));
    let form = &stmts[form_idx];
    let form_text = form.text(text);
    let nl = eol(text);
    let fn_text = &text[open..close];
    if !(fn_text.contains("client_secret") && fn_text.contains("client_id")) {
        return Err("the exchange form does not send client_id and client_secret".into());
    }
    let line_start = |at: usize| line_start(text, at);
    let stmt_indent = indent(&text[line_start(form.code.start)..]).to_string();
    let mut edits: Vec<(Range<usize>, String)> = Vec::new();
    let plain = code_only(JS, form_text);
    if let Some(c) = APPEND.captures(form_text.trim()) {
        edits.push((
            form.code.clone(),
            render(
                ctx.template("node-form-append"),
                &[
                    ("object", &c[1]),
                    ("method", &c[2]),
                    ("semicolon", &c[3]),
                    ("indent", &stmt_indent),
                    ("scope", &scope),
                ],
            )
            .trim_end()
            .replace('\n', nl),
        ));
    } else if let Some(c) = MEMBER.captures_iter(form_text).find(|c| {
        // A member key: code (not inside a string), quoted only with a colon.
        c.get(1)
            .is_some_and(|m| plain.as_bytes().get(m.start()) == form_text.as_bytes().get(m.start()))
    }) {
        let m = c.get(1).ok_or(NOT_A_FORM)?;
        if c[2] != c[3] || (!c[2].is_empty() && c.get(4).is_none()) {
            return Err(NOT_A_FORM.into());
        }
        let start = form.code.start + m.start();
        let end = if c.get(4).is_some() {
            // A comment after the value goes with it.
            value_end(JS, b',', false, text.as_bytes(), form.code.start + m.end())
        } else {
            form.code.start + m.end()
        };
        let value_text = text[start..end].trim_end();
        let end = start + value_text.len();
        let own_line = text[line_start(start)..start].trim().is_empty();
        let sep = if own_line {
            format!("{nl}{}", indent(&text[line_start(start)..]))
        } else {
            " ".to_string()
        };
        edits.push((
            start..end,
            render(
                ctx.template("node-form-member"),
                &[("sep", &sep), ("scope", &scope)],
            ),
        ));
    } else {
        return Err(NOT_A_FORM.into());
    }
    if choice.guessed {
        edits.push(scope_note_edit(
            ctx,
            text,
            stmts[form_idx.min(url_idx)].code.start,
            &metascopes,
        ));
    }
    let url = &stmts[url_idx];
    edits.push(token_path_edit(url, text)?);
    let sign = format!("{jwt}.sign(");
    let markers: Vec<&str> = [
        sign.as_str(),
        "readFileSync",
        "readFile(",
        "privateKey",
        "Date.now",
    ]
    .to_vec();
    drop_flow(JS, text, &stmts, &[url_idx, form_idx], &mut edits, &markers)?;
    let new = drop_unused_imports(&splice(text, edits));
    let def_line = FUNCTION
        .captures_iter(&new)
        .filter_map(|c| c.get(1).or(c.get(2)).or(c.get(3)))
        .find(|m| m.as_str() == name)
        .map_or(1, |m| line_of(&new, m.start()));
    let manual = exchange_steps(
        &new,
        def_line,
        &name,
        &choice,
        &metascopes,
        "drop jsonwebtoken from package.json once nothing else uses it",
    );
    Ok(Attempt::Rewritten { text: new, manual })
}

/// Removes `jsonwebtoken` and `fs` imports whose names nothing uses.
fn drop_unused_imports(text: &str) -> String {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let mut out = String::with_capacity(text.len());
    for (i, l) in lines.iter().enumerate() {
        let Some(c) = DROPPABLE_IMPORT.captures(body(l)) else {
            out.push_str(l);
            continue;
        };
        let bound = c.get(1).or(c.get(2)).map_or("", |m| m.as_str());
        let names: Vec<&str> = bound
            .trim_matches(['{', '}'])
            .split(',')
            .map(|n| n.rsplit(':').next().unwrap_or(n).trim())
            .map(|n| n.rsplit(" as ").next().unwrap_or(n).trim())
            .filter(|n| !n.is_empty())
            .collect();
        let rest: String = lines
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != i)
            .map(|(_, l)| *l)
            .collect();
        let rest = code_only(JS, &rest);
        if names.iter().any(|n| mentions_ident(&rest, n)) {
            out.push_str(l);
        }
    }
    out
}
