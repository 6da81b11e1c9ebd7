//! Go: a hand-rolled exchange (claims signed with golang-jwt's
//! `NewWithClaims(...).SignedString` or `rsa.SignPKCS1v15`, posted with
//! net/http to `/ims/exchange/jwt`) becomes the client_credentials request,
//! by [`super::exchange`]: the URL keeps its IMS base (`/ims/token/v3`); the
//! `url.Values` member `"jwt_token": {signed}` or a `form.Set("jwt_token",
//! signed)` becomes `grant_type` and `scope`; the claims, key reading and
//! signing go, each with the `if err != nil { ... }` check right after it;
//! imports nothing uses any more go (Go refuses unused imports).

use std::sync::LazyLock;

use regex::Regex;

use super::block::{Stmt, function_body, statements};
use super::code::{Syntax, code_only};
use super::exchange::{Func, Lang, drop_unused_imports, functions_by};
use super::{Attempt, FixCtx};

const GO: Syntax = Syntax::CLike;

static FUNCTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?m)^func\s+(?:\([^)]*\)\s*)?([A-Za-z_]\w*)\s*(?:\[[^\]\n]*\]\s*)?\(")
        .expect("static regex")
});
/// Between the parameters and the body: the results.
static TO_BODY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*(?:\([^(){}]*\)|[\w.*\[\]]+)?\s*\{").expect("static regex"));
/// An import spec alone on its line: `"path"`, `name "path"`.
static IMPORT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"^\s*(?:import\s+)?(?:([A-Za-z_]\w*|_|\.)\s+)?"([\w./-]+)"\s*$"#)
        .expect("static regex")
});
static ERR_CHECK: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^if\s+err\s*!=\s*nil\s*\{").expect("static regex"));

pub const LANG: Lang = Lang {
    language: "Go",
    syntax: GO,
    extensions: &[".go"],
    signs: &[
        "jwt.NewWithClaims",
        "jwt.New(",
        "SignedString(",
        "rsa.SignPKCS1v15",
    ],
    markers: &[
        "jwt.",
        "SignedString",
        "rsa.SignPKCS1v15",
        "ParseRSAPrivateKeyFromPEM",
        "x509.ParsePKCS",
        "pem.Decode",
        "RS256",
        "privateKey",
    ],
    arrows: &[":"],
    list_sep: ",",
    library_step: "drop github.com/golang-jwt/jwt from go.mod (go mod tidy) once nothing else uses it",
    functions,
    statements: go_statements,
    drop_imports,
};

pub fn fix(ctx: &FixCtx<'_>, text: &str) -> Attempt {
    super::exchange::fix(ctx, text, &LANG)
}

fn functions(text: &str) -> Vec<Func> {
    functions_by(GO, text, &FUNCTION, |c| {
        let (open, close) = function_body(text, c.get(0)?.end() - 1, &TO_BODY)?;
        Some((c.get(1)?, open, close))
    })
}

/// The statements, each with the `if err != nil { ... }` right after it
/// (the check of what it returned goes or stays with it).
fn go_statements(text: &str, f: &Func) -> Option<Vec<Stmt>> {
    let mut out: Vec<Stmt> = Vec::new();
    for s in statements(GO, text, f.open, f.close, true)? {
        match out.last_mut() {
            Some(prev) if ERR_CHECK.is_match(s.text(text)) && prev.text(text).contains("err") => {
                prev.code.end = s.code.end;
                prev.lines.end = s.lines.end;
            }
            _ => out.push(s),
        }
    }
    Some(out)
}

/// The name a Go import binds: its alias, else the path's last element
/// (before a `/vN` major version; `yaml.v3` gives `yaml`).
fn import_name(alias: Option<&str>, path: &str) -> Option<String> {
    if let Some(a) = alias {
        return (a != "_" && a != ".").then(|| a.to_string());
    }
    let mut parts = path.rsplit('/');
    let mut last = parts.next()?;
    if last.len() > 1 && last.starts_with('v') && last[1..].bytes().all(|c| c.is_ascii_digit()) {
        last = parts.next()?;
    }
    let last = last.split('.').next().unwrap_or(last);
    Some(last.trim_start_matches("go-").replace('-', "_"))
}

/// Imports nothing uses any more go, then an import block left with a
/// blank line before its `)` loses it and an empty one goes.
fn drop_imports(text: &str) -> String {
    let out = drop_unused_imports(
        text,
        |l| {
            let c = IMPORT.captures(l)?;
            Some(vec![import_name(c.get(1).map(|m| m.as_str()), &c[2])?])
        },
        |rest, n| {
            let code = code_only(GO, rest);
            Regex::new(&format!(r"\b{}\.", regex::escape(n))).is_ok_and(|re| re.is_match(&code))
        },
    );
    let nl = super::text::eol(text);
    out.replace(&format!("{nl}{nl}){nl}"), &format!("{nl}){nl}"))
        .replace(&format!("import ({nl}){nl}{nl}"), "")
        .replace(&format!("import ({nl}){nl}"), "")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn import_names() {
        assert_eq!(
            import_name(None, "github.com/golang-jwt/jwt/v5").as_deref(),
            Some("jwt")
        );
        assert_eq!(
            import_name(None, "gopkg.in/yaml.v3").as_deref(),
            Some("yaml")
        );
        assert_eq!(import_name(Some("_"), "embed"), None);
        assert_eq!(import_name(None, "net/url").as_deref(), Some("url"));
    }
}
