//! Java: a hand-rolled JWT exchange (claims signed with jjwt, java-jwt or
//! `java.security.Signature`, posted with `java.net.http.HttpClient`,
//! `HttpURLConnection` or OkHttp to `/ims/exchange/jwt`) becomes the
//! client_credentials request.
//!
//! Only one method is touched: the one holding both the signing and the
//! exchange URL. The URL keeps its IMS base and gets `/ims/token/v3`; the
//! form (a `String` concatenation `"client_id=" + … + "&jwt_token=" + …`,
//! or a builder's `.add("jwt_token", …)`) is rebuilt from the
//! `java-form`/`java-form-pair` templates with the program's own client id
//! and secret expressions; the statements before the request that build the
//! claims, read the key or sign (and those only they use) go; the request,
//! the response handling and the return stay, so the method keeps its name,
//! parameters and return type. Imports nothing uses any more go. A method
//! that does anything else with what it drops is not rewritten (manual step).

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use super::block::{
    drop_flow, exchange_steps, function_body, is_assignment, one_statement, statements,
    token_path_edit,
};
use super::code::{Syntax, code_only, mentions_ident};
use super::template::render;
use super::text::{body, eol, indent, line_of, splice};
use super::{Attempt, FixCtx};

const JAVA: Syntax = Syntax::CLike;

static HEADER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?m)^[ \t]*(?:(?:public|protected|private|static|final|synchronized)\s+)*(?:<[^>\n]*>\s+)?([\w$.]+(?:<[^;{}()\n]*>)?(?:\[\])*)\s+([A-Za-z_$][\w$]*)\s*\(",
    )
    .expect("static regex")
});
static THROWS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*(?:throws\s+[\w$.,\s]+?)?\s*\{").expect("static regex"));
static PAIR_CALL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"\.(add|put|param|addFormDataPart)\s*\(\s*"jwt_token"\s*,"#).expect("static regex")
});
static IMPORT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*import\s+(?:static\s+)?([\w.]+?)(?:\.(\*|[A-Za-z_$][\w$]*))\s*;\s*$")
        .expect("static regex")
});

/// What marks a statement as part of the JWT flow.
const MARKERS: &[&str] = &[
    "Jwts.",
    "JWT.create",
    "Algorithm.RSA",
    "Signature.getInstance",
    "initSign",
    "KeyFactory",
    "PKCS8EncodedKeySpec",
    "PrivateKey",
    "signWith",
    "setExpiration",
    "withExpiresAt",
    "currentTimeMillis",
    "Instant.now",
    "\\\"aud\\\"",
    "\\\"exp\\\"",
    "privateKey",
];
/// Imports from these packages go when nothing uses them any more.
const JWT_PACKAGES: &[&str] = &[
    "io.jsonwebtoken",
    "com.auth0.jwt",
    "java.security",
    "javax.crypto",
    "java.util.Base64",
    "java.nio.file",
    "java.time",
    "java.util.Date",
    "org.bouncycastle",
];
const NOT_A_FORM: &str = "the exchange form is neither a String concatenation of \"key=\" literals \
    and values nor a builder's .add(\"jwt_token\", ...)";
/// Java keywords the header regex can take for a name.
const NOT_METHODS: &[&str] = &[
    "if",
    "for",
    "while",
    "switch",
    "catch",
    "synchronized",
    "return",
];

pub fn fix(ctx: &FixCtx<'_>, text: &str) -> Attempt {
    if !ctx.path.ends_with(".java") || !text.contains("/ims/exchange/") {
        return Attempt::NotApplicable;
    }
    rewrite(ctx, text).unwrap_or_else(Attempt::Unrecognised)
}

/// The method holding the exchange and the signing: (name, body braces).
fn exchange_method(text: &str) -> Option<(String, usize, usize)> {
    let b = text.as_bytes();
    let opaque = JAVA.opaque_ranges(b);
    for c in HEADER.captures_iter(text) {
        let (Some(whole), Some(ret), Some(name)) = (c.get(0), c.get(1), c.get(2)) else {
            continue;
        };
        if NOT_METHODS.contains(&name.as_str())
            || matches!(ret.as_str(), "new" | "return" | "else" | "throw")
            || opaque.iter().any(|r| r.contains(&name.start()))
        {
            continue;
        }
        let Some((open, end)) = function_body(text, whole.end() - 1, &THROWS) else {
            continue;
        };
        let body = &text[open..end];
        let signs = ["Jwts.", "JWT.create", "Signature.getInstance", "signWith"]
            .iter()
            .any(|s| body.contains(s));
        if body.contains("/ims/exchange/") && signs {
            return Some((name.as_str().to_string(), open, end));
        }
    }
    None
}

/// The `key=value` pairs of a form built by `String` concatenation:
/// (key, value expression).
fn concat_pairs(expr: &str) -> Result<Vec<(String, String)>, String> {
    let plain = code_only(JAVA, expr);
    if plain.len() != expr.len() {
        return Err("the form is not valid UTF-8 text".into());
    }
    let pb = plain.as_bytes();
    // Operands split on `+` outside brackets (`plain` blanks strings, so a
    // `+` in a literal is not seen).
    let mut operands = Vec::new();
    let (mut depth, mut start) = (0usize, 0);
    for (i, &c) in pb.iter().enumerate() {
        match c {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            b'+' if depth == 0 => {
                operands.push(expr[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    operands.push(expr[start..].trim());
    let mut pairs: Vec<(String, String)> = Vec::new();
    let mut open: Option<(String, Vec<&str>)> = None;
    let flush = |open: &mut Option<(String, Vec<&str>)>, pairs: &mut Vec<(String, String)>| {
        if let Some((k, parts)) = open.take() {
            pairs.push((k, parts.join(" + ")));
        }
    };
    for op in operands {
        let literal = op.len() >= 2
            && op.starts_with('"')
            && op.ends_with('"')
            && !op[1..op.len() - 1].contains('"');
        if !literal {
            match &mut open {
                Some((_, parts)) => parts.push(op),
                None => return Err(NOT_A_FORM.into()),
            }
            continue;
        }
        let inner = &op[1..op.len() - 1];
        for (n, seg) in inner.split('&').enumerate() {
            if n > 0 || seg.contains('=') {
                flush(&mut open, &mut pairs);
            }
            if seg.is_empty() {
                continue;
            }
            match seg.split_once('=') {
                Some((k, "")) => open = Some((k.to_string(), Vec::new())),
                Some((k, v)) => pairs.push((k.to_string(), format!("\"{v}\""))),
                None => match &mut open {
                    Some((_, parts)) => parts.push(op),
                    None => return Err(NOT_A_FORM.into()),
                },
            }
        }
    }
    flush(&mut open, &mut pairs);
    Ok(pairs)
}

fn rewrite(ctx: &FixCtx<'_>, text: &str) -> Result<Attempt, String> {
    let (name, open, close) = exchange_method(text).ok_or(
        "the exchange is not one method that signs (jjwt, java-jwt or Signature) and posts to /ims/exchange/jwt",
    )?;
    let stmts =
        statements(JAVA, text, open, close, false).ok_or("the method body does not parse")?;
    let find_one = |needle: &str, what: &str| one_statement(&stmts, text, needle, what, &name);
    let url_idx = find_one("/ims/exchange/", "the exchange URL")?;
    let form_idx = find_one("jwt_token", "the jwt_token form field")?;
    let method_text = &text[open..close];
    let metascopes = super::code::metascopes(method_text);
    let choice = ctx.scopes.for_metascopes(&metascopes);
    if choice.scopes.is_empty() {
        return Err(
            "the metascopes are not literals in the claims: rerun with --scopes LIST".into(),
        );
    }
    let scope = serde_json::to_string(&choice.scopes.join(",")).unwrap_or_default();
    let form = &stmts[form_idx];
    let form_text = form.text(text);
    let first_line = &text[text[..form.code.start].rfind('\n').map_or(0, |p| p + 1)..];
    let ind = indent(first_line).to_string();
    let mut edits: Vec<(Range<usize>, String)> = Vec::new();
    // The form.
    if let Some(m) = PAIR_CALL.find(form_text) {
        let dot = form.code.start + m.start();
        let paren = form.code.start + m.start() + m.as_str().find('(').unwrap_or(0);
        let end = JAVA
            .matching(text.as_bytes(), paren)
            .ok_or("an unbalanced form call")?;
        let call = text[dot + 1..paren].trim().to_string();
        let own_line = text[..dot]
            .rsplit('\n')
            .next()
            .is_some_and(|l| l.trim().is_empty());
        let sep = if own_line {
            format!(
                "{}{}",
                eol(text),
                indent(&text[text[..dot].rfind('\n').map_or(0, |p| p + 1)..])
            )
        } else {
            String::new()
        };
        if !method_text.contains("\"client_secret\"") {
            return Err("no \"client_secret\" field in the exchange form".into());
        }
        edits.push((
            dot..end + 1,
            render(
                ctx.template("java-form-pair"),
                &[("call", &call), ("sep", &sep), ("scope", &scope)],
            ),
        ));
    } else {
        if form_idx == url_idx {
            return Err(
                "the form is built inside the request: declare it as a String first".into(),
            );
        }
        let eq = (0..form_text.len())
            .find(|&i| form_text.as_bytes()[i] == b'=' && is_assignment(form_text.as_bytes(), i))
            .ok_or("the jwt_token form is not a String variable")?;
        let expr_start = form.code.start + eq + 1;
        let expr_end = form.code.end - 1;
        let pairs = concat_pairs(&text[expr_start..expr_end])?;
        let get = |k: &str| {
            pairs
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.clone())
        };
        let client_id = get("client_id").ok_or("no client_id in the exchange form")?;
        let client_secret = get("client_secret").ok_or("no client_secret in the exchange form")?;
        if let Some((k, _)) = pairs
            .iter()
            .find(|(k, _)| !["client_id", "client_secret", "jwt_token"].contains(&k.as_str()))
        {
            return Err(format!(
                "the exchange form has a field `{k}` this fix does not know"
            ));
        }
        let mut new = render(
            ctx.template("java-form"),
            &[
                ("indent", &ind),
                ("client_id", &client_id),
                ("client_secret", &client_secret),
                ("scope", &scope),
            ],
        );
        while new.ends_with('\n') {
            new.pop();
        }
        edits.push((expr_start..expr_end, format!(" {new}")));
    }
    if choice.guessed {
        let note = render(
            ctx.template("scope_note"),
            &[("metascopes", &metascopes.join(", "))],
        );
        let at = text[..form.code.start].rfind('\n').map_or(0, |p| p + 1);
        edits.push((at..at, format!("{ind}{note}{}", eol(text))));
    }
    // The URL.
    let url = &stmts[url_idx];
    edits.push(token_path_edit(url, text)?);

    // The statements before the request: drop the JWT flow, what depends on
    // it, and what only it used.
    drop_flow(
        JAVA,
        text,
        &stmts,
        &[url_idx, form_idx],
        &mut edits,
        MARKERS,
    )?;
    let new = drop_unused_imports(&splice(text, edits));
    let def_line = HEADER
        .captures_iter(&new)
        .find(|c| c.get(2).is_some_and(|m| m.as_str() == name))
        .and_then(|c| c.get(2))
        .map_or(1, |m| line_of(&new, m.start()));
    let manual = exchange_steps(
        &new,
        def_line,
        &name,
        &choice,
        &metascopes,
        "drop the JWT library (jjwt, java-jwt) from the build once nothing else uses it",
    );
    Ok(Attempt::Rewritten { text: new, manual })
}

/// Removes imports from JWT and key-handling packages that nothing uses
/// any more (the JWT libraries' wildcards always: their last use went).
fn drop_unused_imports(text: &str) -> String {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let code: String = lines
        .iter()
        .filter(|l| !IMPORT.is_match(body(l)))
        .copied()
        .collect();
    let code = code_only(JAVA, &code);
    let mut out = String::with_capacity(text.len());
    let mut removed_after_blank = false;
    for l in &lines {
        let Some(c) = IMPORT.captures(body(l)) else {
            if removed_after_blank && body(l).trim().is_empty() {
                removed_after_blank = false;
                continue;
            }
            removed_after_blank = false;
            out.push_str(l);
            continue;
        };
        let full = format!("{}.{}", &c[1], &c[2]);
        let ours = JWT_PACKAGES
            .iter()
            .any(|p| full == *p || full.starts_with(&format!("{p}.")));
        let unused = match &c[2] {
            "*" => full.starts_with("io.jsonwebtoken") || full.starts_with("com.auth0.jwt"),
            simple => !mentions_ident(&code, simple),
        };
        if ours && unused {
            let group_gone = out.is_empty() || out.ends_with("\n\n") || out.ends_with("\n\r\n");
            removed_after_blank = group_gone;
        } else {
            removed_after_blank = false;
            out.push_str(l);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concat_forms_give_their_pairs() {
        let p = concat_pairs(
            r#""client_id=" + enc(ID) + "&client_secret=" + SECRET + "&jwt_token=" + jwt"#,
        )
        .unwrap_or_default();
        assert_eq!(
            p,
            [
                ("client_id".to_string(), "enc(ID)".to_string()),
                ("client_secret".into(), "SECRET".into()),
                ("jwt_token".into(), "jwt".into())
            ]
        );
        assert!(concat_pairs("form").is_err());
    }
}
