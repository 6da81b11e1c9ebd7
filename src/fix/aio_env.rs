//! aio IMS contexts in a `.env` file (`AIO_ims_contexts_<ctx>_<field>`, `__`
//! standing for `_` in names): a JWT context (it has `meta__scopes` or
//! `private__key`) gets `client__secrets` (a JSON list), `scopes`, and
//! loses `meta__scopes`, `private__key` and `passphrase` (multi-line quoted
//! values included). `technical__account__email` is kept, or asked for.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;

use super::template::render;
use super::text::{body, eol, lines, replace_body};
use super::{Attempt, FixCtx};

static LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(\s*(?:export\s+)?)(AIO_ims_contexts_((?:[A-Za-z0-9]|__)+)_)([A-Za-z0-9_]+?)(\s*=\s*)(.*)$")
        .expect("static regex")
});

struct Entry {
    line: usize,
    /// Lines the value spans (a quoted value may hold newlines).
    span: usize,
    prefix: String,
    name_prefix: String,
    field: String,
    sep: String,
    value: String,
}

fn unquote(v: &str) -> &str {
    let v = v.trim();
    for q in ['"', '\''] {
        if let Some(inner) = v.strip_prefix(q).and_then(|x| x.strip_suffix(q)) {
            return inner;
        }
    }
    v
}

/// Metascopes from a value: a JSON list or a comma-separated string.
fn list_value(v: &str) -> Vec<String> {
    let v = unquote(v);
    serde_json::from_str::<Vec<String>>(v).unwrap_or_else(|_| {
        v.split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect()
    })
}

fn entries(all: &[&str]) -> Vec<Entry> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < all.len() {
        let b = body(all[i]);
        let Some(c) = LINE.captures(b) else {
            i += 1;
            continue;
        };
        let value = c[6].to_string();
        let mut span = 1;
        let t = value.trim_start();
        if let Some(q) = t.chars().next().filter(|q| *q == '"' || *q == '\'') {
            let closed = |s: &str, first: bool| {
                let s = s.trim_end();
                let s = if first { &s[1.min(s.len())..] } else { s };
                s.ends_with(q)
            };
            if !closed(t, true) {
                while i + span < all.len() && !closed(body(all[i + span]), false) {
                    span += 1;
                }
                span = (span + 1).min(all.len() - i);
            }
        }
        out.push(Entry {
            line: i,
            span,
            prefix: c[1].to_string(),
            name_prefix: c[2].to_string(),
            field: c[4].to_string(),
            sep: c[5].to_string(),
            value,
        });
        i += span;
    }
    out
}

pub fn fix(ctx: &FixCtx<'_>, text: &str) -> Attempt {
    let all = lines(text);
    let found = entries(&all);
    let mut contexts: BTreeMap<&str, Vec<&Entry>> = BTreeMap::new();
    for e in &found {
        contexts.entry(e.name_prefix.as_str()).or_default().push(e);
    }
    let drop: Vec<&str> = ctx.template("drop_fields").split_whitespace().collect();
    let nl = eol(text);
    // Per original line: Some(replacement lines) or None (unchanged).
    let mut replace: BTreeMap<usize, (usize, Vec<String>)> = BTreeMap::new();
    let mut notes: Vec<(usize, String)> = Vec::new();
    for (name_prefix, es) in &contexts {
        let is_jwt = es
            .iter()
            .any(|e| e.field == "meta__scopes" || e.field == "private__key");
        if !is_jwt {
            continue;
        }
        let metascopes: Vec<String> = es
            .iter()
            .filter(|e| e.field == "meta__scopes")
            .flat_map(|e| list_value(&e.value))
            .collect();
        let client = es
            .iter()
            .find(|e| e.field == "client__id")
            .map(|e| unquote(&e.value).to_string());
        let choice = ctx.scopes.for_client(client.as_deref(), &metascopes);
        for e in es {
            let line = all[e.line];
            let set = |field: &str, value: &str| {
                replace_body(
                    line,
                    &format!("{}{name_prefix}{field}{}{value}", e.prefix, e.sep),
                )
            };
            if e.field == "client__secret" {
                let list = serde_json::to_string(&[unquote(&e.value)]).unwrap_or_default();
                replace.insert(e.line, (1, vec![set(ctx.template("secrets_field"), &list)]));
            } else if e.field == "meta__scopes" {
                let list = serde_json::to_string(&choice.scopes).unwrap_or_default();
                let mut new = Vec::new();
                if choice.guessed {
                    let m = metascopes.join(", ");
                    new.push(format!(
                        "{}{}{nl}",
                        e.prefix,
                        render(ctx.template("guess_comment"), &[("metascopes", &m)])
                    ));
                }
                new.push(set(ctx.template("scopes_field"), &list));
                if let Some(step) = choice.manual_step(&metascopes) {
                    notes.push((e.line, step));
                }
                replace.insert(e.line, (1, new));
            } else if drop.contains(&e.field.as_str()) {
                replace.insert(e.line, (e.span, Vec::new()));
            }
        }
        let email = ctx.template("email_field");
        if !es.iter().any(|e| e.field == email) {
            let first = es.first().map_or(0, |e| e.line);
            notes.push((
                first,
                format!("add {name_prefix}{email}= (the credential's technical account email)"),
            ));
        }
    }
    if replace.is_empty() {
        return Attempt::NotApplicable;
    }
    let mut out = String::with_capacity(text.len());
    let mut new_line_of = vec![0u32; all.len() + 1];
    let mut n: u32 = 1;
    let mut i = 0;
    while i < all.len() {
        new_line_of[i] = n;
        match replace.get(&i) {
            Some((span, new)) => {
                for l in new {
                    out.push_str(l);
                }
                n += u32::try_from(new.len()).unwrap_or(0);
                for k in i..(i + span).min(all.len()) {
                    new_line_of[k] = new_line_of[i];
                }
                i += span.max(&1);
            }
            None => {
                out.push_str(all[i]);
                n += 1;
                i += 1;
            }
        }
    }
    // A last line that lost its newline to a removed final entry gets it back.
    if text.ends_with('\n') && !out.is_empty() && !out.ends_with('\n') {
        out.push_str(nl);
    }
    let manual = notes
        .into_iter()
        .map(|(l, s)| (new_line_of.get(l).copied().unwrap_or(1).max(1), s))
        .collect();
    Attempt::Rewritten { text: out, manual }
}
