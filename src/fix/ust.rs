//! User Sync Tool (`connector-umapi.yml`): the `enterprise:` connection on
//! JWT (`tech_acct_id`, `priv_key_path`/`priv_key_data`) gets
//! `authentication_method: oauth` and loses the key and technical-account
//! entries (block scalars included); `org_id`, `client_id` and
//! `client_secret` stay, as UST's OAuth connection uses them.

use std::sync::LazyLock;

use regex::Regex;

use super::text::{LineEdits, body, eol, lines, width};
use super::{Attempt, FixCtx};

static ENTRY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"^\s*([A-Za-z_][\w-]*)\s*:\s*(.*?)\s*$"#).expect("static regex"));

fn blank(line: &str) -> bool {
    let t = body(line).trim();
    t.is_empty() || t.starts_with('#')
}

pub fn fix(ctx: &FixCtx<'_>, text: &str) -> Attempt {
    if !(ctx.path.ends_with(".yml") || ctx.path.ends_with(".yaml")) {
        return Attempt::NotApplicable;
    }
    let all = lines(text);
    let Some(ent) = all.iter().position(|l| {
        width(l) == 0
            && ENTRY
                .captures(body(l))
                .is_some_and(|e| &e[1] == "enterprise" && e[2].is_empty())
    }) else {
        return Attempt::NotApplicable;
    };
    let mut kids = Vec::new();
    for (i, l) in all.iter().enumerate().skip(ent + 1) {
        if blank(l) {
            continue;
        }
        if width(l) == 0 {
            break;
        }
        kids.push(i);
    }
    let Some(col) = kids.first().map(|&k| width(all[k])) else {
        return Attempt::NotApplicable;
    };
    let drop: Vec<&str> = ctx.template("drop_keys").split_whitespace().collect();
    let entries: Vec<(usize, String, String)> = kids
        .iter()
        .filter(|&&k| width(all[k]) == col)
        .filter_map(|&k| {
            let e = ENTRY.captures(body(all[k]))?;
            Some((k, e[1].to_string(), e[2].to_string()))
        })
        .collect();
    if entries.iter().any(|(_, k, _)| k == "authentication_method")
        || !entries.iter().any(|(_, k, _)| drop.contains(&k.as_str()))
    {
        return Attempt::NotApplicable;
    }
    let mut edits = LineEdits::default();
    let mut notes = Vec::new();
    for (k, name, value) in &entries {
        if !drop.contains(&name.as_str()) {
            continue;
        }
        edits.remove.insert(*k);
        // Continuation lines of a block scalar or nested value.
        for &c in kids.iter().filter(|&&c| c > *k) {
            if width(all[c]) <= col {
                break;
            }
            edits.remove.insert(c);
        }
        if name == "priv_key_path" {
            let p = value.trim_matches(['"', '\'']);
            notes.push((
                *k,
                format!("delete the key file {p} once the OAuth connection works"),
            ));
        }
    }
    let nl = eol(text);
    edits.insert_after.insert(
        ent,
        vec![format!("{}{}{nl}", " ".repeat(col), ctx.template("line"))],
    );
    notes.push((
        ent,
        "check that client_secret is the OAuth Server-to-Server credential's (same client id) and \
         that User Sync Tool is 2.9 or later (OAuth support)"
            .to_string(),
    ));
    edits.rewritten(&all, notes)
}
