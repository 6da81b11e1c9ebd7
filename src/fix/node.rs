//! Node/TypeScript on Adobe's JWT library: the `require` (CommonJS) or
//! default `import` (ESM) of it becomes a local async function of the same
//! name (the `javascript`/`typescript` template) that POSTs
//! client_credentials to `<config.ims or production>/ims/token/v3` and
//! returns `{access_token, token_type, expires_in}` (seconds), so callers do
//! not change. Each config object passed to it loses `privateKey` and
//! `passphrase`, and its `metaScopes` become `scopes`.
//!
//! Recognised: one import of the library, bound to a name that is only ever
//! called, with an object literal or a variable holding one declared in the
//! file. Anything else is left alone with a manual step.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use super::code::Syntax;
use super::template::render;
use super::text::{body, ending, eol, splice};
use super::{Attempt, FixCtx};

const JS: Syntax = Syntax::CLike;

const LIBRARY: &str = "@adobe/jwt-auth";

static IMPORT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"^\s*(?:(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*=\s*require\(\s*['"]@adobe/jwt-auth['"]\s*\)|import\s+([A-Za-z_$][\w$]*)\s+from\s+['"]@adobe/jwt-auth['"])\s*;?\s*$"#,
    )
    .expect("static regex")
});
pub static STRING_LIT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"['"`]([A-Za-z0-9_.:/-]+)['"`]"#).expect("static regex"));

/// Whether a path is Node or TypeScript source.
pub fn is_source(path: &str) -> bool {
    [".js", ".cjs", ".mjs", ".ts", ".cts", ".mts", ".jsx", ".tsx"]
        .iter()
        .any(|e| path.ends_with(e))
}

fn is_typescript(path: &str) -> bool {
    [".ts", ".cts", ".mts", ".tsx"]
        .iter()
        .any(|e| path.ends_with(e))
}

/// An object literal's member: its span (without comma) and key.
pub struct Member {
    pub span: Range<usize>,
    pub key: String,
}

/// The members of the object literal whose braces are at `open..=close`.
pub fn members(text: &str, open: usize, close: usize) -> Result<Vec<Member>, String> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let push = |from: usize, to: usize, out: &mut Vec<Member>| -> Result<(), String> {
        let raw = &text[from..to];
        let lead = raw.len() - raw.trim_start().len();
        // Leading comments belong to the gap, not the member.
        let mut s = from + lead;
        while let Some(j) = JS.skip_opaque(b, s).filter(|_| b[s] == b'/') {
            s = j;
            while s < to && b[s].is_ascii_whitespace() {
                s += 1;
            }
        }
        let e = from + raw.trim_end().len();
        if s >= e {
            return Ok(());
        }
        let m = &text[s..e];
        if m.starts_with("...") || m.starts_with('[') {
            return Err("a config object with spread or computed keys".into());
        }
        let key: String = m
            .trim_start_matches(['\'', '"'])
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '$')
            .collect();
        out.push(Member { span: s..e, key });
        Ok(())
    };
    for r in JS.comma_spans(b, open + 1, close) {
        push(r.start, r.end, &mut out)?;
    }
    Ok(out)
}

/// The object literal a call passes: inline, or a variable declared with one.
pub fn config_object(text: &str, arg: &str) -> Result<usize, String> {
    let arg = arg.trim();
    if arg.is_empty() {
        return Err("a call without a config object".into());
    }
    if arg.starts_with('{') {
        return Err(String::new());
    }
    if !arg
        .chars()
        .all(|c| c.is_alphanumeric() || c == '_' || c == '$')
    {
        return Err(format!(
            "a call whose config is `{arg}`, not an object literal in this file"
        ));
    }
    let decl = Regex::new(&format!(
        r"(?:const|let|var)\s+{}\s*(?::[^=]+)?=\s*\{{",
        regex::escape(arg)
    ))
    .map_err(|e| e.to_string())?;
    let m = decl.find(text).ok_or_else(|| {
        format!("the config `{arg}` is not an object literal declared in this file")
    })?;
    Ok(m.end() - 1)
}

pub fn fix(ctx: &FixCtx<'_>, text: &str) -> Attempt {
    if !is_source(ctx.path) || !text.contains(LIBRARY) {
        return Attempt::NotApplicable;
    }
    rewrite(ctx, text).unwrap_or_else(Attempt::Unrecognised)
}

fn rewrite(ctx: &FixCtx<'_>, text: &str) -> Result<Attempt, String> {
    if text.matches(LIBRARY).count() != 1 {
        return Err("the library is named more than once".into());
    }
    let mut offset = 0;
    let mut import: Option<(Range<usize>, String)> = None;
    for line in text.split_inclusive('\n') {
        if let Some(c) = IMPORT.captures(body(line)) {
            let name = c
                .get(1)
                .or(c.get(2))
                .map(|m| m.as_str().to_string())
                .unwrap_or_default();
            import = Some((offset..offset + line.len(), name));
        }
        offset += line.len();
    }
    let (import_span, name) = import.ok_or(
        "an import of the library other than `const x = require(...)` or `import x from ...`",
    )?;
    let b = text.as_bytes();
    let uses = Regex::new(&format!(r"(?:^|[^\w$.]){}\b", regex::escape(&name)))
        .map_err(|e| e.to_string())?;
    let opaque = JS.opaque_ranges(b);
    let mut objects: Vec<usize> = Vec::new();
    for m in uses.find_iter(text) {
        let at = m.end();
        let inside = |x: usize| opaque.iter().any(|r| r.contains(&x));
        if import_span.contains(&m.start()) || import_span.contains(&(at - 1)) || inside(at - 1) {
            continue;
        }
        let rest = &text[at..];
        let paren = at + (rest.len() - rest.trim_start().len());
        if b.get(paren) != Some(&b'(') {
            return Err(format!("`{name}` is used other than by calling it"));
        }
        let close = JS.matching(b, paren).ok_or("an unbalanced call")?;
        let arg = &text[paren + 1..close];
        let open = match config_object(text, arg) {
            Ok(o) => o,
            Err(e) if e.is_empty() => paren + 1 + (arg.len() - arg.trim_start().len()),
            Err(e) => return Err(e),
        };
        if !objects.contains(&open) {
            objects.push(open);
        }
    }
    if objects.is_empty() {
        return Err(format!("`{name}` is never called"));
    }
    let mut edits: Vec<(Range<usize>, String)> = Vec::new();
    let mut notes_at: Vec<(usize, String)> = Vec::new();
    let nl = eol(text);
    for open in objects {
        let close = JS.matching(b, open).ok_or("an unbalanced config object")?;
        let ms = members(text, open, close)?;
        let metascopes: Vec<String> = ms
            .iter()
            .filter(|m| m.key == "metaScopes")
            .flat_map(|m| {
                let value = text[m.span.clone()].split_once(':').map_or("", |(_, v)| v);
                STRING_LIT
                    .captures_iter(value)
                    .map(|c| c[1].to_string())
                    .collect::<Vec<_>>()
            })
            .collect();
        let choice = ctx.scopes.for_metascopes(&metascopes);
        if choice.scopes.is_empty() {
            return Err("metaScopes is not a list of literals: rerun with --scopes LIST".into());
        }
        let scopes: Vec<String> = choice.scopes.iter().map(|s| format!("'{s}'")).collect();
        let scopes_member = render(
            ctx.template("scopes_member"),
            &[("scopes", &scopes.join(", "))],
        );
        let multiline = text[open..close].contains('\n');
        let mut remove = Vec::new();
        let mut has_meta = false;
        for (i, m) in ms.iter().enumerate() {
            match m.key.as_str() {
                "privateKey" | "passphrase" => remove.push(i),
                "metaScopes" => {
                    has_meta = true;
                    let mut new = String::new();
                    if choice.guessed && multiline {
                        let indent = super::jsonspan::indent_at(text, m.span.start);
                        let m = metascopes.join(", ");
                        new.push_str(&render(
                            ctx.template("guess_comment"),
                            &[("metascopes", &m)],
                        ));
                        new.push_str(nl);
                        new.push_str(indent);
                    }
                    new.push_str(&scopes_member);
                    edits.push((m.span.clone(), new));
                    if let Some(step) = choice.manual_step(&metascopes) {
                        notes_at.push((m.span.start, step));
                    }
                }
                _ => {}
            }
        }
        if !has_meta {
            return Err("a config object without metaScopes".into());
        }
        edits.extend(
            remove_runs(&ms, &remove)
                .into_iter()
                .map(|r| (r, String::new())),
        );
    }
    let template = if is_typescript(ctx.path) {
        "typescript"
    } else {
        "javascript"
    };
    let mut function = render(ctx.template(template), &[("name", &name)]);
    if nl == "\r\n" {
        function = function.replace('\n', "\r\n");
    }
    let line_end = ending(&text[import_span.clone()]);
    if line_end.is_empty() && function.ends_with(nl) {
        function.truncate(function.len() - nl.len());
    }
    edits.push((import_span.clone(), function));
    let new = splice(text, edits.clone());
    // Offsets move by what the edits before them added or removed.
    let moved = |at: usize| super::text::moved_offset(&edits, at);
    let mut manual: Vec<(u32, String)> = notes_at
        .into_iter()
        .map(|(at, s)| (super::text::line_of(&new, moved(at)), s))
        .collect();
    manual.push((
        super::text::line_of(&new, import_span.start),
        format!(
            "`{name}` now makes one OAuth Server-to-Server request: check callers that relied on \
             expires_in in milliseconds (it is seconds now)"
        ),
    ));
    Ok(Attempt::Rewritten { text: new, manual })
}

/// Removal ranges for members at `remove`, with their commas (as for JSON).
pub fn remove_runs(ms: &[Member], remove: &[usize]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < ms.len() {
        if !remove.contains(&i) {
            i += 1;
            continue;
        }
        let mut j = i;
        while j + 1 < ms.len() && remove.contains(&(j + 1)) {
            j += 1;
        }
        if let Some(next) = ms.get(j + 1) {
            out.push(ms[i].span.start..next.span.start);
        } else if i > 0 {
            out.push(ms[i - 1].span.end..ms[j].span.end);
        } else {
            out.push(ms[i].span.start..ms[j].span.end);
        }
        i = j + 1;
    }
    out
}
