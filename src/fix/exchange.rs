//! The hand-rolled exchanges of shell, PowerShell, PHP, Go, Ruby and C#,
//! rewritten the way [`super::node_exchange`] and [`super::java`] rewrite
//! theirs, by one driver that each language's module ([`super::shell`],
//! [`super::powershell`], [`super::php`], [`super::go`], [`super::ruby`],
//! [`super::csharp`]) configures with a [`Lang`].
//!
//! Only one function is touched: the one holding both the signing and the
//! exchange URL. The URL keeps its IMS base and gets `/ims/token/v3`
//! ([`token_path_edit`]); the form's `jwt_token` field becomes
//! `grant_type` and `scope` from the fix's templates, in whichever shape the
//! program wrote it and the language's fix has a template for:
//! `form-member` (a map or hash member: `'jwt_token' => $jwt`,
//! `jwt_token = $jwt`, `"jwt_token": {signed}`, `{ "jwt_token", jwt }`),
//! `form-call` (`form.Set("jwt_token", signed)`), `form-string` (a
//! `...&jwt_token=$jwt` pair inside one interpolated string) or
//! `form-field` (curl's `-F "jwt_token=..."`); the client id and secret
//! stay as written. The statements before the request that build the
//! claims, read the key or sign (and those only they use) go
//! ([`drop_flow`]); the request, the response handling and the return stay,
//! so the function keeps its name, parameters and return shape. Imports
//! nothing uses any more go. Anything else is a manual step.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use super::block::{Stmt, drop_flow, exchange_steps, one_statement, token_path_edit};
use super::code::{Syntax, code_only};
use super::template::render;
use super::text::{body, eol, indent, line_of, splice};
use super::{Attempt, FixCtx};

/// A function of a source text: its name (and where it is), and its body
/// between `open` and `close` (the braces, or for an indented body the
/// header's line end and the start of the line after the body).
#[derive(Debug, Clone)]
pub struct Func {
    pub name: String,
    pub at: usize,
    pub open: usize,
    pub close: usize,
}

/// The functions of `text` whose headers `header` finds, in order: `body`
/// gives a header's name and its body's `open` and `close` (or `None`: not
/// a function); a header inside a string or comment of `syntax` is none.
/// What each language's [`Lang::functions`] is made of.
pub fn functions_by<'t>(
    syntax: Syntax,
    text: &'t str,
    header: &Regex,
    body: impl Fn(&regex::Captures<'t>) -> Option<(regex::Match<'t>, usize, usize)>,
) -> Vec<Func> {
    let opaque = syntax.opaque_ranges(text.as_bytes());
    header
        .captures_iter(text)
        .filter_map(|c| {
            let (name, open, close) = body(&c)?;
            if opaque.iter().any(|r| r.contains(&name.start())) {
                return None;
            }
            Some(Func {
                name: name.as_str().to_string(),
                at: name.start(),
                open,
                close,
            })
        })
        .collect()
}

/// [`functions_by`] for a script (shell, PowerShell): one without any
/// function is one itself, its top level (unnamed).
pub fn script_functions<'t>(
    syntax: Syntax,
    text: &'t str,
    header: &Regex,
    body: impl Fn(&regex::Captures<'t>) -> Option<(regex::Match<'t>, usize, usize)>,
) -> Vec<Func> {
    let mut out = functions_by(syntax, text, header, body);
    if out.is_empty() {
        out.push(Func {
            name: String::new(),
            at: 0,
            open: 0,
            close: text.len(),
        });
    }
    out
}

/// What the driver needs to know of a language.
pub struct Lang {
    /// As manual steps name it.
    pub language: &'static str,
    pub syntax: Syntax,
    /// File name endings (lower case) it applies to.
    pub extensions: &'static [&'static str],
    /// What in a function's body shows it signs the JWT.
    pub signs: &'static [&'static str],
    /// What marks a statement as part of the JWT flow ([`drop_flow`]),
    /// besides [`super::block::FLOW_MARKERS`].
    pub markers: &'static [&'static str],
    /// The separators between a map member's key and value (`=>`, `:`).
    pub arrows: &'static [&'static str],
    /// What separates members (`,`; PowerShell's hashtables `;`).
    pub list_sep: &'static str,
    /// The manual step about the JWT library.
    pub library_step: &'static str,
    /// The functions of a text, in order.
    pub functions: fn(&str) -> Vec<Func>,
    /// A function's statements.
    pub statements: fn(&str, &Func) -> Option<Vec<Stmt>>,
    /// Removes the imports nothing uses any more.
    pub drop_imports: fn(&str) -> String,
}

static CALL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"^([A-Za-z_$][\w$.]*)\.(Set|Add|set|add|append)\(\s*['"]jwt_token['"]\s*,[^;]*\)\s*(;?)$"#)
        .expect("static regex")
});
static ARROW: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*(=>|:|=|,)\s*").expect("static regex"));
static CURL_FLAG: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|\s)(-F|--form|-d|--data|--data-urlencode|--data-raw|--data-binary)\s+$")
        .expect("static regex")
});

const NOT_A_FORM: &str = "the exchange form's jwt_token field is in no shape this fix knows \
    (a map member, a form.Set call, a key=value pair inside one string, a curl -F/-d field)";

/// Applies the exchange rewrite of `lang` to a file.
pub fn fix(ctx: &FixCtx<'_>, text: &str, lang: &Lang) -> Attempt {
    let path = ctx.path.to_ascii_lowercase();
    if !lang.extensions.iter().any(|e| path.ends_with(e)) || !text.contains("/ims/exchange/") {
        return Attempt::NotApplicable;
    }
    rewrite(ctx, text, lang).unwrap_or_else(Attempt::Unrecognised)
}

fn rewrite(ctx: &FixCtx<'_>, text: &str, lang: &Lang) -> Result<Attempt, String> {
    let f = (lang.functions)(text)
        .into_iter()
        .find(|f| {
            let body = &text[f.open..f.close];
            body.contains("/ims/exchange/") && lang.signs.iter().any(|s| body.contains(s))
        })
        .ok_or_else(|| {
            format!(
                "the exchange is not one {} function that signs ({}) and posts to /ims/exchange/jwt",
                lang.language,
                lang.signs.join(", ")
            )
        })?;
    // A script's top level (shell, PowerShell) is named by its file.
    let shown = if f.name.is_empty() {
        ctx.path.rsplit('/').next().unwrap_or(ctx.path).to_string()
    } else {
        f.name.clone()
    };
    let stmts = (lang.statements)(text, &f).ok_or("the function body does not parse")?;
    let find_one = |needle: &str, what: &str| one_statement(&stmts, text, needle, what, &shown);
    let url_idx = find_one("/ims/exchange/", "the exchange URL")?;
    let form_idx = find_one("jwt_token", "the jwt_token form field")?;
    let fn_text = &text[f.open..f.close];
    if !(fn_text.contains("client_id") && fn_text.contains("client_secret")) {
        return Err("the exchange form does not send client_id and client_secret".into());
    }
    let metascopes = super::code::metascopes(fn_text);
    let choice = ctx.scopes.for_metascopes(&metascopes);
    if choice.scopes.is_empty() {
        return Err(
            "the metascopes are not literals in the claims: rerun with --scopes LIST".into(),
        );
    }
    let scope = choice.scopes.join(",");
    // Written into string literals of several languages unescaped.
    if let Some(c) = scope
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || "._-:/,".contains(*c)))
    {
        return Err(format!(
            "a scope holds {c:?}, which this fix does not quote: write the request by hand"
        ));
    }
    let mut edits = vec![form_edit(ctx, lang, text, &stmts[form_idx], &scope)?];
    if choice.guessed {
        edits.push(scope_note_edit(
            ctx,
            text,
            stmts[form_idx.min(url_idx)].code.start,
            &metascopes,
        ));
    }
    edits.push(token_path_edit(&stmts[url_idx], text)?);
    drop_flow(
        lang.syntax,
        text,
        &stmts,
        &[url_idx, form_idx],
        &mut edits,
        lang.markers,
    )?;
    let new = (lang.drop_imports)(&splice(text, edits));
    let def_line = (lang.functions)(&new)
        .iter()
        .find(|g| g.name == f.name)
        .map_or(1, |g| line_of(&new, g.at));
    let manual = exchange_steps(
        &new,
        def_line,
        &shown,
        &choice,
        &metascopes,
        lang.library_step,
    );
    Ok(Attempt::Rewritten { text: new, manual })
}

/// Where the line holding byte `at` starts.
pub fn line_start(text: &str, at: usize) -> usize {
    text[..at].rfind('\n').map_or(0, |p| p + 1)
}

/// The fix's `scope_note` (the scopes were guessed from `metascopes`) as a
/// line of its own before the line holding byte `at`, at its indentation.
pub fn scope_note_edit(
    ctx: &FixCtx<'_>,
    text: &str,
    at: usize,
    metascopes: &[String],
) -> (Range<usize>, String) {
    let note = render(
        ctx.template("scope_note"),
        &[("metascopes", &metascopes.join(", "))],
    );
    let at = line_start(text, at);
    let ind = indent(&text[at..]).to_string();
    (at..at, format!("{ind}{note}{}", eol(text)))
}

/// The edit of the form statement `stmt`: its `jwt_token` field becomes
/// `grant_type` and `scope`.
fn form_edit(
    ctx: &FixCtx<'_>,
    lang: &Lang,
    text: &str,
    stmt: &Stmt,
    scope: &str,
) -> Result<(Range<usize>, String), String> {
    let has = |t: &str| ctx.fix.templates.contains_key(t);
    let nl = eol(text);
    let b = text.as_bytes();
    let st = stmt.text(text);
    let ind = indent(&text[line_start(text, stmt.code.start)..]).to_string();
    if has("form-call")
        && let Some(c) = CALL.captures(st.trim())
    {
        let new = render(
            ctx.template("form-call"),
            &[
                ("object", &c[1]),
                ("method", &c[2]),
                ("semicolon", &c[3]),
                ("indent", &ind),
                ("scope", scope),
            ],
        );
        return Ok((stmt.code.clone(), new.trim_end().replace('\n', nl)));
    }
    let opaque = lang.syntax.opaque_ranges(b);
    for (p, _) in st.match_indices("jwt_token") {
        let at = stmt.code.start + p;
        let end = at + "jwt_token".len();
        let in_opaque = opaque.iter().find(|r| r.contains(&at));
        let key = match in_opaque {
            None => {
                let prev = at.checked_sub(1).map(|i| b[i]);
                let starts = prev.is_none_or(|c| b" \t\r\n{([,;".contains(&c));
                starts.then_some((at, end, ""))
            }
            Some(r) if lang.syntax.is_comment_start(b, r.start) => None,
            // A string holding only the key: a quoted member key.
            Some(r) if r.start + 1 == at && r.end == end + 1 => {
                Some((r.start, r.end, &text[r.start..r.start + 1]))
            }
            Some(r) => {
                if let Some(e) = string_edit(ctx, text, r, at, scope)? {
                    return Ok(e);
                }
                None
            }
        };
        let Some((key_start, key_end, q)) = key else {
            continue;
        };
        if !has("form-member") {
            continue;
        }
        let Some(m) = ARROW.find(&text[key_end..]) else {
            continue;
        };
        let arrow = m.as_str();
        if !lang.arrows.contains(&arrow.trim()) {
            continue;
        }
        // `{ "jwt_token", jwt }` (a C# collection initializer's pair).
        if arrow.trim() == "," && !text[..key_start].trim_end().ends_with('{') {
            continue;
        }
        let sep = lang.list_sep.as_bytes().first().copied().unwrap_or(b',');
        let value_end = value_end(lang.syntax, sep, true, b, key_end + m.end());
        let value_end = key_start + text[key_start..value_end].trim_end().len();
        // A pair in braces stands where its `{` does.
        let lead = if arrow.trim() == "," {
            text[..key_start].trim_end().len() - 1
        } else {
            key_start
        };
        let ls = line_start(text, lead);
        let own_line = text[ls..lead].trim().is_empty();
        let sep = match (own_line, lang.list_sep) {
            (true, ",") => format!(",{nl}{}", indent(&text[ls..])),
            (true, _) => format!("{nl}{}", indent(&text[ls..])),
            (false, s) => format!("{s} "),
        };
        let new = render(
            ctx.template("form-member"),
            &[("q", q), ("arrow", arrow), ("sep", &sep), ("scope", scope)],
        );
        return Ok((key_start..value_end, new));
    }
    Err(NOT_A_FORM.into())
}

/// A `jwt_token=...` inside the string `r`: a pair among others
/// (`form-string`) or curl's one-field argument (`form-field`).
fn string_edit(
    ctx: &FixCtx<'_>,
    text: &str,
    r: &Range<usize>,
    at: usize,
    scope: &str,
) -> Result<Option<(Range<usize>, String)>, String> {
    let b = text.as_bytes();
    let quote = b[r.start];
    if !matches!(quote, b'"' | b'\'') || b.get(at + 9) != Some(&b'=') || r.end < r.start + 2 {
        return Ok(None);
    }
    let content = &text[r.start + 1..r.end - 1];
    let first = at == r.start + 1;
    let has = |t: &str| ctx.fix.templates.contains_key(t);
    if first && !content.contains('&') && has("form-field") {
        let Some(flag) = CURL_FLAG.captures(&text[..r.start]) else {
            return Ok(None);
        };
        let f = flag.get(1).ok_or(NOT_A_FORM)?;
        let new = render(
            ctx.template("form-field"),
            &[("flag", f.as_str()), ("scope", scope)],
        );
        return Ok(Some((f.start()..r.end, new)));
    }
    if !(first || b[at - 1] == b'&') || !has("form-string") {
        return Ok(None);
    }
    let value_end = text[at..r.end - 1].find('&').map_or(r.end - 1, |p| at + p);
    if value_end == at + 10 {
        return Err(
            "the jwt_token value is concatenated outside its string: write the form as one string"
                .into(),
        );
    }
    let new = render(ctx.template("form-string"), &[("scope", scope)]);
    Ok(Some((at..value_end, new)))
}

/// The end of a map member's value starting at `from`: the separator `sep`
/// or closing bracket after it, outside brackets (a line end too where
/// members are separated by `;` or line ends), or where
/// `comment_ends_it`, a comment after it.
pub fn value_end(syntax: Syntax, sep: u8, comment_ends_it: bool, b: &[u8], from: usize) -> usize {
    let (mut i, mut depth) = (from, 0usize);
    while i < b.len() {
        if let Some(j) = syntax.skip_opaque(b, i) {
            if comment_ends_it && syntax.is_comment_start(b, i) && depth == 0 {
                return i;
            }
            i = j;
            continue;
        }
        match b[i] {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' if depth == 0 => return i,
            b')' | b']' | b'}' => depth -= 1,
            c if depth == 0 && c == sep => return i,
            b'\n' if depth == 0 && sep == b';' => return i,
            _ => {}
        }
        i += 1;
    }
    b.len()
}

/// Removes the lines `bound` reads as imports (the names each binds) when
/// `mentions(rest, name)` finds none of their names in the rest of the
/// text; an import group left empty takes one of its blank lines along.
pub fn drop_unused_imports(
    text: &str,
    bound: impl Fn(&str) -> Option<Vec<String>>,
    mentions: impl Fn(&str, &str) -> bool,
) -> String {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let mut out = String::with_capacity(text.len());
    let mut skip_blank = false;
    for (i, l) in lines.iter().enumerate() {
        if skip_blank && body(l).trim().is_empty() {
            skip_blank = false;
            continue;
        }
        skip_blank = false;
        let Some(names) = bound(body(l)) else {
            out.push_str(l);
            continue;
        };
        let rest: String = lines
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != i)
            .map(|(_, l)| *l)
            .collect();
        if names.iter().any(|n| mentions(&rest, n)) {
            out.push_str(l);
        } else {
            skip_blank = out.is_empty() || out.ends_with("\n\n") || out.ends_with("\n\r\n");
        }
    }
    out
}

/// [`drop_unused_imports`] where a name counts only in code (not in
/// strings or comments) of `syntax`, as an identifier.
pub fn drop_unused_imports_in(
    syntax: Syntax,
    text: &str,
    bound: impl Fn(&str) -> Option<Vec<String>>,
) -> String {
    drop_unused_imports(text, bound, |rest, n| {
        super::code::mentions_ident(&code_only(syntax, rest), n)
    })
}
