//! Node on aio-lib-ims: `context.set(name, {...})` with a Service Account
//! (JWT) context (`meta_scopes`, `private_key`) becomes the OAuth
//! Server-to-Server context aio-lib-ims knows: `client_secret` becomes
//! `client_secrets: [...]`, `meta_scopes` becomes `scopes`, and
//! `private_key` and `passphrase` go. `technical_account_email` is required
//! by the OAuth context: when the object has none, a manual step says so.
//! The object is the call's literal or a variable declared with one in the
//! file ([`super::node::config_object`]); anything else is a manual step.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use super::code::Syntax;
use super::node::{STRING_LIT, config_object, members, remove_runs};
use super::template::render;
use super::text::{eol, line_of, splice};
use super::{Attempt, FixCtx};

const JS: Syntax = Syntax::CLike;

static SET: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[^\w$.])(?:[A-Za-z_$][\w$]*\.)?context\.set\s*\(").expect("static regex")
});

pub fn fix(ctx: &FixCtx<'_>, text: &str) -> Attempt {
    if !super::node::is_source(ctx.path)
        || !text.contains("@adobe/aio-lib-ims")
        || !text.contains("context.set")
        || !(text.contains("meta_scopes") || text.contains("private_key"))
    {
        return Attempt::NotApplicable;
    }
    rewrite(ctx, text).unwrap_or_else(Attempt::Unrecognised)
}

fn rewrite(ctx: &FixCtx<'_>, text: &str) -> Result<Attempt, String> {
    let b = text.as_bytes();
    let opaque = JS.opaque_ranges(b);
    let nl = eol(text);
    let mut edits: Vec<(Range<usize>, String)> = Vec::new();
    let mut manual: Vec<(usize, String)> = Vec::new();
    for m in SET.find_iter(text) {
        if opaque.iter().any(|r| r.contains(&(m.end() - 1))) {
            continue;
        }
        let paren = m.end() - 1;
        let close = JS
            .matching(b, paren)
            .ok_or("an unbalanced context.set call")?;
        let args = JS.split_args(&text[paren + 1..close]);
        let [_, value] = args.as_slice() else {
            return Err("a context.set call without (name, object)".into());
        };
        let value_at = paren + 1 + text[paren + 1..close].find(value.trim()).unwrap_or(0);
        let open = match config_object(text, value) {
            Ok(o) => o,
            Err(e) if e.is_empty() => value_at,
            Err(e) => return Err(e),
        };
        let end = JS.matching(b, open).ok_or("an unbalanced context object")?;
        let ms = members(text, open, end)?;
        let has = |k: &str| ms.iter().any(|m| m.key == k);
        if !(has("meta_scopes") || has("private_key")) {
            continue;
        }
        let value_of = |span: &Range<usize>| {
            text[span.clone()]
                .split_once(':')
                .map_or("", |(_, v)| v)
                .trim()
                .to_string()
        };
        let metascopes: Vec<String> = ms
            .iter()
            .filter(|m| m.key == "meta_scopes")
            .flat_map(|m| {
                STRING_LIT
                    .captures_iter(&value_of(&m.span))
                    .map(|c| c[1].to_string())
                    .collect::<Vec<_>>()
            })
            .collect();
        let choice = ctx.scopes.for_metascopes(&metascopes);
        if choice.scopes.is_empty() {
            return Err("meta_scopes is not a list of literals: rerun with --scopes LIST".into());
        }
        let scopes: Vec<String> = choice.scopes.iter().map(|s| format!("'{s}'")).collect();
        let mut remove = Vec::new();
        let multiline = text[open..end].contains('\n');
        for (i, m) in ms.iter().enumerate() {
            match m.key.as_str() {
                "private_key" | "passphrase" => remove.push(i),
                "client_secret" => edits.push((
                    m.span.clone(),
                    render(
                        ctx.template("secrets_member"),
                        &[("value", &value_of(&m.span))],
                    ),
                )),
                "meta_scopes" => {
                    let mut new = String::new();
                    if choice.guessed && multiline {
                        new.push_str(&render(
                            ctx.template("guess_comment"),
                            &[("metascopes", &metascopes.join(", "))],
                        ));
                        new.push_str(nl);
                        new.push_str(super::jsonspan::indent_at(text, m.span.start));
                    }
                    new.push_str(&render(
                        ctx.template("scopes_member"),
                        &[("scopes", &scopes.join(", "))],
                    ));
                    edits.push((m.span.clone(), new));
                    if let Some(step) = choice.manual_step(&metascopes) {
                        manual.push((m.span.start, step));
                    }
                }
                _ => {}
            }
        }
        if !has("meta_scopes") {
            return Err("a JWT context without meta_scopes: rerun with --scopes LIST".into());
        }
        if !has("technical_account_email") {
            manual.push((
                open,
                "add technical_account_email (the OAuth Server-to-Server credential's, from its \
                 credential page) to this aio-lib-ims context"
                    .to_string(),
            ));
        }
        edits.extend(
            remove_runs(&ms, &remove)
                .into_iter()
                .map(|r| (r, String::new())),
        );
    }
    if edits.is_empty() {
        return Ok(Attempt::NotApplicable);
    }
    let manual_lines: Vec<(usize, String)> = manual
        .into_iter()
        .map(|(at, s)| (super::text::moved_offset(&edits, at), s))
        .collect();
    let new = splice(text, edits);
    let mut manual: Vec<(u32, String)> = manual_lines
        .into_iter()
        .map(|(at, s)| (line_of(&new, at), s))
        .collect();
    manual.push((
        new.find("context.set").map_or(1, |o| line_of(&new, o)),
        "aio-lib-ims now uses the OAuth Server-to-Server context: @adobe/aio-lib-ims-jwt is no \
         longer needed"
            .to_string(),
    ));
    Ok(Attempt::Rewritten { text: new, manual })
}
