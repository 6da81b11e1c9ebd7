//! Developer Console workspace JSON (`aio app use`): each `jwt` credential
//! becomes the equivalent `oauth_server_to_server` one, edited in place:
//! same client id and technical account, `client_secret` becomes the list
//! `client_secrets`, `meta_scopes` becomes `scopes`, `techacct_*` become
//! `technical_account_*`, and `integration_type` becomes
//! `oauth_server_to_server`. When the workspace already holds both (during
//! the migration), the `jwt` object is removed.

use super::jsonspan::{self, Node};
use super::text::{json_list, line_of, splice};
use super::{Attempt, FixCtx};

/// The workspace's credentials array, if this is a workspace JSON.
fn credentials(root: &Node) -> Option<&Node> {
    root.get("project")?
        .get("workspace")?
        .get("details")?
        .get("credentials")
}

/// (client id, scopes) of each `oauth_server_to_server` block of a workspace JSON.
pub fn oauth_blocks(text: &str) -> Vec<(String, Vec<String>)> {
    let Ok(root) = jsonspan::parse(text) else {
        return Vec::new();
    };
    let Some(creds) = credentials(&root) else {
        return Vec::new();
    };
    creds
        .items()
        .iter()
        .filter_map(|c| {
            let o = c.get("oauth_server_to_server")?;
            let id = o
                .get("client_id")
                .and_then(Node::as_str)
                .unwrap_or("")
                .to_string();
            Some((id, o.get("scopes").map(Node::strings).unwrap_or_default()))
        })
        .collect()
}

pub fn fix(ctx: &FixCtx<'_>, text: &str) -> Attempt {
    let Ok(root) = jsonspan::parse(text) else {
        return Attempt::NotApplicable;
    };
    let Some(creds) = credentials(&root) else {
        return Attempt::NotApplicable;
    };
    let key = ctx.template("credential_key");
    let mut edits = Vec::new();
    let mut notes: Vec<(String, String)> = Vec::new();
    let mut converted = 0;
    for cred in creds.items() {
        let Some(jwt_idx) = cred.members().iter().position(|m| m.key == "jwt") else {
            continue;
        };
        let jwt = &cred.members()[jwt_idx].node;
        if !matches!(jwt.value, jsonspan::Value::Object(_)) {
            return Attempt::Unrecognised("the `jwt` credential is not an object".into());
        }
        converted += 1;
        if let Some(it) = cred.get("integration_type") {
            edits.push((
                it.span.clone(),
                format!("\"{}\"", ctx.template("integration_type")),
            ));
        }
        if cred.get(key).is_some() {
            for r in jsonspan::remove_members(cred, &[jwt_idx]) {
                edits.push((r, String::new()));
            }
            continue;
        }
        edits.push((
            cred.members()[jwt_idx].key_span.clone(),
            format!("\"{key}\""),
        ));
        let metascopes = jwt
            .get("meta_scopes")
            .map(Node::strings)
            .unwrap_or_default();
        let client = jwt.get("client_id").and_then(Node::as_str);
        let choice = ctx.scopes.for_client(client, &metascopes);
        for m in jwt.members() {
            let raw = &text[m.node.span.clone()];
            match m.key.as_str() {
                "client_secret" => {
                    edits.push((m.key_span.clone(), "\"client_secrets\"".into()));
                    edits.push((m.node.span.clone(), format!("[{raw}]")));
                }
                "techacct_email" | "techacct_id" => {
                    let new = m.key.replace("techacct", "technical_account");
                    edits.push((m.key_span.clone(), format!("\"{new}\"")));
                }
                "meta_scopes" => {
                    edits.push((m.key_span.clone(), "\"scopes\"".into()));
                    edits.push((m.node.span.clone(), json_list(&choice.scopes)));
                }
                _ => {}
            }
        }
        if jwt.get("meta_scopes").is_none() && !choice.scopes.is_empty() {
            let last = jwt
                .members()
                .last()
                .map_or(jwt.span.start + 1, |m| m.node.span.end);
            let indent = jsonspan::indent_at(text, last);
            let sep = if text[jwt.span.clone()].contains('\n') {
                format!("\n{indent}")
            } else {
                " ".into()
            };
            edits.push((
                last..last,
                format!(",{sep}\"scopes\": {}", json_list(&choice.scopes)),
            ));
        }
        let id = cred
            .get("id")
            .and_then(Node::as_str)
            .unwrap_or("")
            .to_string();
        if let Some(step) = choice.manual_step(&metascopes) {
            notes.push((id.clone(), step));
        }
        notes.push((id, ctx.template("manual").to_string()));
    }
    if converted == 0 {
        return Attempt::NotApplicable;
    }
    let new = splice(text, edits);
    let manual = manual_lines(&new, key, notes);
    Attempt::Rewritten { text: new, manual }
}

/// Places each note on the line of its credential's new block.
fn manual_lines(new: &str, key: &str, notes: Vec<(String, String)>) -> Vec<(u32, String)> {
    let root = jsonspan::parse(new).ok();
    let line_for = |id: &str| {
        root.as_ref()
            .and_then(credentials)
            .and_then(|c| {
                c.items()
                    .iter()
                    .find(|x| x.get("id").and_then(Node::as_str).unwrap_or("") == id)
                    .and_then(|x| x.member(key))
                    .map(|m| line_of(new, m.key_span.start))
            })
            .unwrap_or(1)
    };
    notes
        .into_iter()
        .map(|(id, step)| (line_for(&id), step))
        .collect()
}
