//! Ruby: a hand-rolled exchange (claims signed with ruby-jwt's
//! `JWT.encode` or `OpenSSL::PKey::RSA#sign`, posted with Net::HTTP to
//! `/ims/exchange/jwt`) becomes the client_credentials request, by
//! [`super::exchange`]: the URL keeps its IMS base (`/ims/token/v3`); the
//! form hash's `'jwt_token' => jwt` (or `jwt_token: jwt`) member, or the
//! pair of a `"...&jwt_token=#{jwt}"` string, becomes `grant_type` and
//! `scope`; the claims, key reading and signing go, and `require 'jwt'`
//! (`'openssl'`, `'base64'`) when nothing uses them any more. The body is a
//! `def name ... end` method's, by its indentation.

use std::sync::LazyLock;

use regex::Regex;

use super::block::{Stmt, indented_body, line_statements};
use super::code::{Syntax, line_ranges};
use super::exchange::{Func, Lang, drop_unused_imports_in};
use super::{Attempt, FixCtx};

const RB: Syntax = Syntax::Ruby;

static DEF: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[ \t]*def\s+(?:self\.)?([A-Za-z_]\w*[!?]?)").expect("static regex")
});
static REQUIRE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"^\s*require\s*\(?\s*['"](jwt|openssl|base64)['"]\s*\)?\s*$"#)
        .expect("static regex")
});

const CLOSERS: &[&str] = &["end", "else", "elsif", "rescue", "ensure", "when", "}", ")"];

pub const LANG: Lang = Lang {
    language: "Ruby",
    syntax: RB,
    extensions: &[".rb"],
    signs: &["JWT.encode", "OpenSSL::PKey::RSA"],
    markers: &["JWT.encode", "OpenSSL::PKey", "OpenSSL::Digest", "RS256"],
    arrows: &["=>", ":"],
    list_sep: ",",
    library_step: "drop the jwt gem from the Gemfile once nothing else uses it",
    functions,
    statements,
    drop_imports,
};

pub fn fix(ctx: &FixCtx<'_>, text: &str) -> Attempt {
    super::exchange::fix(ctx, text, &LANG)
}

/// The methods: `open` is the header's line end, `close` the start of the
/// `end` line.
fn functions(text: &str) -> Vec<Func> {
    let lines = line_ranges(text);
    let mut out = Vec::new();
    for (i, r) in lines.iter().enumerate() {
        let Some(c) = DEF.captures(&text[r.clone()]) else {
            continue;
        };
        let (Some(name), Some((header_end, end))) = (c.get(1), indented_body(RB, text, &lines, i))
        else {
            continue;
        };
        let Some(header) = lines.get(header_end) else {
            continue;
        };
        out.push(Func {
            name: name.as_str().to_string(),
            at: r.start + name.start(),
            open: header.end.saturating_sub(1),
            close: lines.get(end).map_or(text.len(), |l| l.start),
        });
    }
    out
}

fn statements(text: &str, f: &Func) -> Option<Vec<Stmt>> {
    let lines = line_ranges(text);
    let from = lines.iter().position(|l| l.contains(&f.open))? + 1;
    let to = lines
        .iter()
        .position(|l| l.start == f.close)
        .unwrap_or(lines.len());
    line_statements(RB, text, &lines, from, to, CLOSERS)
}

fn drop_imports(text: &str) -> String {
    drop_unused_imports_in(RB, text, |l| {
        let c = REQUIRE.captures(l)?;
        Some(vec![
            match &c[1] {
                "jwt" => "JWT",
                "openssl" => "OpenSSL",
                _ => "Base64",
            }
            .to_string(),
        ])
    })
}
