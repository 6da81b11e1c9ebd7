//! aio IMS contexts in JSON (`ims.contexts.<ctx>`): a JWT context (it has a
//! `private_key` or `meta_scopes`) becomes an OAuth Server-to-Server one:
//! `client_secret` becomes the list `client_secrets`, `meta_scopes` becomes
//! `scopes`, and `private_key`/`passphrase` go (the key file itself is left
//! for the user to delete).

use super::jsonspan::{self, Node};
use super::text::{json_list, line_of, splice};
use super::{Attempt, FixCtx};

pub fn fix(ctx: &FixCtx<'_>, text: &str) -> Attempt {
    let Ok(root) = jsonspan::parse(text) else {
        return Attempt::NotApplicable;
    };
    let Some(contexts) = root.get("ims").and_then(|i| i.get("contexts")) else {
        return Attempt::NotApplicable;
    };
    let drop: Vec<&str> = ctx.template("drop_fields").split_whitespace().collect();
    let secrets_field = ctx.template("secrets_field");
    let scopes_field = ctx.template("scopes_field");
    let mut edits = Vec::new();
    let mut notes: Vec<(usize, String)> = Vec::new();
    for c in contexts.members() {
        let obj = &c.node;
        let is_jwt = obj.get("private_key").is_some() || obj.get("meta_scopes").is_some();
        if !is_jwt {
            continue;
        }
        let metascopes = obj
            .get("meta_scopes")
            .map(Node::strings)
            .unwrap_or_default();
        let client = obj.get("client_id").and_then(Node::as_str);
        let choice = ctx.scopes.for_client(client, &metascopes);
        let mut removed = Vec::new();
        for (i, m) in obj.members().iter().enumerate() {
            let raw = &text[m.node.span.clone()];
            match m.key.as_str() {
                "client_secret" => {
                    edits.push((m.key_span.clone(), format!("\"{secrets_field}\"")));
                    edits.push((m.node.span.clone(), format!("[{raw}]")));
                }
                "meta_scopes" => {
                    edits.push((m.key_span.clone(), format!("\"{scopes_field}\"")));
                    edits.push((m.node.span.clone(), json_list(&choice.scopes)));
                    if let Some(step) = choice.manual_step(&metascopes) {
                        notes.push((m.key_span.start, step));
                    }
                }
                k if drop.contains(&k) => {
                    removed.push(i);
                    if k == "private_key"
                        && let Some(p) = m.node.as_str().filter(|p| !p.contains("-----BEGIN"))
                    {
                        notes.push((
                            c.key_span.start,
                            format!("delete the key file {p} once the OAuth credential works"),
                        ));
                    }
                }
                _ => {}
            }
        }
        for r in jsonspan::remove_members(obj, &removed) {
            edits.push((r, String::new()));
        }
        if obj.get("technical_account_email").is_none() {
            notes.push((
                c.key_span.start,
                format!(
                    "add technical_account_email to context {} (from the credential page)",
                    c.key
                ),
            ));
        }
    }
    if edits.is_empty() {
        return Attempt::NotApplicable;
    }
    let shift = |offset: usize| -> usize {
        // Lines removed before an offset move its line up.
        let removed_before: usize = edits
            .iter()
            .filter(|(r, _)| r.end <= offset)
            .map(|(r, s)| {
                text[r.clone()]
                    .matches('\n')
                    .count()
                    .saturating_sub(s.matches('\n').count())
            })
            .sum();
        removed_before
    };
    let manual = notes
        .iter()
        .map(|(off, s)| {
            let line = line_of(text, *off) as usize - shift(*off);
            (u32::try_from(line).unwrap_or(1), s.clone())
        })
        .collect();
    Attempt::Rewritten {
        text: splice(text, edits),
        manual,
    }
}
