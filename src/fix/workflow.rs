//! GitHub Actions workflows, edited line by line so that comments, quoting
//! and indentation stay:
//! - `adobe/aio-apps-action` with `command: auth` (JWT, needs `KEY`) becomes
//!   `command: oauth_sts`, loses `KEY` and gains `TECHNICALACCOUNTEMAIL` and
//!   `SCOPES` from secrets named like the step's others (`CLIENTID_PROD`
//!   gives `TECHNICALACCOUNTEMAIL_PROD`); adding those secrets is a manual step.
//! - `env:` entries passing `*PRIVATE_KEY*` or `*META_SCOPES*` secrets or
//!   variables are removed (and an `env:` left empty with them).

use std::sync::LazyLock;

use regex::Regex;

use super::template::render;
use super::text::{LineEdits, body, eol, lines, width};
use super::{Attempt, FixCtx};

static USES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"^(\s*)(-\s+)?uses:\s*['"]?adobe/aio-apps-action(?:@[^\s'"]*)?['"]?\s*(?:#.*)?$"#)
        .expect("static regex")
});
static ENTRY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"^\s*(?:-\s+)?([A-Za-z_][\w-]*)\s*:\s*(.*?)\s*$"#).expect("static regex")
});
static SECRET_REF: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\$\{\{\s*(secrets|vars)\.([A-Za-z_]\w*)\s*\}\}$").expect("static regex")
});

/// Whether a file is a GitHub Actions workflow.
pub fn is_workflow(path: &str) -> bool {
    (path.contains(".github/workflows/") || path.starts_with(".github/workflows"))
        && (path.ends_with(".yml") || path.ends_with(".yaml"))
}

pub(super) fn is_blank_or_comment(line: &str) -> bool {
    let t = body(line).trim();
    t.is_empty() || t.starts_with('#')
}

fn unquote(v: &str) -> &str {
    let v = v.split(" #").next().unwrap_or(v).trim();
    v.trim_matches(['"', '\''])
}

/// The lines of a mapping's children: after `at`, while indented deeper
/// than `col` (blank lines and comments included).
pub(super) fn children(all: &[&str], at: usize, col: usize) -> Vec<usize> {
    let mut out = Vec::new();
    for (i, l) in all.iter().enumerate().skip(at + 1) {
        if is_blank_or_comment(l) {
            continue;
        }
        if width(l) <= col {
            break;
        }
        out.push(i);
    }
    out
}

/// The direct children of the mapping at line `at` (the lines of its first
/// child's indentation), with every child line (nested ones too); `None`
/// when it has none.
pub(super) fn direct_children(all: &[&str], at: usize) -> Option<(Vec<usize>, Vec<usize>)> {
    let kids = children(all, at, width(all[at]));
    let kid_col = width(all[*kids.first()?]);
    let direct = kids
        .iter()
        .copied()
        .filter(|&k| width(all[k]) == kid_col)
        .collect();
    Some((direct, kids))
}

pub fn fix_apps_action(ctx: &FixCtx<'_>, text: &str) -> Attempt {
    if !is_workflow(ctx.path) {
        return Attempt::NotApplicable;
    }
    let all = lines(text);
    let nl = eol(text);
    let mut edits = LineEdits::default();
    let mut notes: Vec<(usize, String)> = Vec::new();
    let drop: Vec<&str> = ctx.template("drop_inputs").split_whitespace().collect();
    for (i, l) in all.iter().enumerate() {
        let Some(c) = USES.captures(body(l)) else {
            continue;
        };
        let key_col = c[1].len() + c.get(2).map_or(0, |m| m.as_str().len());
        // The step's keys: lines at key_col until the step ends.
        let mut step_start = i;
        if c.get(2).is_none() {
            while step_start > 0 {
                step_start -= 1;
                let s = all[step_start];
                if is_blank_or_comment(s) {
                    continue;
                }
                if width(s) + 2 == key_col && body(s).trim_start().starts_with('-') {
                    break;
                }
                if width(s) < key_col {
                    return Attempt::Unrecognised(
                        "aio-apps-action step in an unknown layout".into(),
                    );
                }
            }
        }
        let step: Vec<usize> = std::iter::once(step_start)
            .chain(children(&all, step_start, key_col.saturating_sub(1)))
            .collect();
        let Some(with) = step.iter().copied().find(|&s| {
            width(all[s]) == key_col
                && ENTRY
                    .captures(body(all[s]))
                    .is_some_and(|e| &e[1] == "with")
        }) else {
            continue;
        };
        let inputs = children(&all, with, key_col);
        let Some(entry_col) = inputs.first().map(|&k| width(all[k])) else {
            continue;
        };
        let inputs: Vec<(usize, String, String)> = inputs
            .into_iter()
            .filter(|&k| width(all[k]) == entry_col)
            .filter_map(|k| {
                let e = ENTRY.captures(body(all[k]))?;
                Some((k, e[1].to_string(), e[2].to_string()))
            })
            .collect();
        let Some((cmd_line, _, cmd)) = inputs.iter().find(|(_, k, _)| k == "command") else {
            continue;
        };
        if unquote(cmd) != "auth" {
            continue;
        }
        let new_cmd = body(all[*cmd_line]).replacen(cmd.as_str(), ctx.template("command"), 1);
        edits.replace.insert(
            *cmd_line,
            format!("{new_cmd}{}", super::text::ending(all[*cmd_line])),
        );
        let suffix = inputs
            .iter()
            .find_map(|(_, k, v)| {
                let r = SECRET_REF.captures(unquote(v))?;
                r[2].strip_prefix(k.as_str()).map(str::to_string)
            })
            .unwrap_or_default();
        for (k, name, value) in &inputs {
            if drop.contains(&name.as_str()) {
                edits.remove.insert(*k);
                if let Some(r) = SECRET_REF.captures(unquote(value)) {
                    notes.push((
                        *k,
                        format!(
                            "delete repository secret {} once the oauth_sts deploy works (it holds the JWT private key)",
                            &r[2]
                        ),
                    ));
                }
            }
        }
        let pad = " ".repeat(entry_col);
        let last = inputs.iter().map(|(k, _, _)| *k).max().unwrap_or(with);
        let mut added = Vec::new();
        for (input, template) in [
            ("TECHNICALACCOUNTEMAIL", "email_input"),
            ("SCOPES", "scopes_input"),
        ] {
            if inputs.iter().any(|(_, k, _)| k == input) {
                continue;
            }
            let line = render(ctx.template(template), &[("suffix", &suffix)]);
            added.push(format!("{pad}{line}{nl}"));
            let what = if input == "SCOPES" {
                let choice = ctx.scopes.for_metascopes(&[]);
                if choice.scopes.is_empty() {
                    "the new credential's scopes, comma-separated, from its Scopes tab".to_string()
                } else {
                    format!("the new credential's scopes: {}", choice.scopes.join(","))
                }
            } else {
                "the new credential's technical account email".to_string()
            };
            notes.push((
                last,
                format!("add repository secret {input}{suffix} ({what})"),
            ));
        }
        edits.insert_after.insert(last, added);
    }
    if edits.is_empty() {
        return Attempt::NotApplicable;
    }
    edits.rewritten(&all, notes)
}

pub fn fix_env(ctx: &FixCtx<'_>, text: &str) -> Attempt {
    if !is_workflow(ctx.path) {
        return Attempt::NotApplicable;
    }
    let Ok(pattern) = Regex::new(ctx.template("name_pattern")) else {
        return Attempt::Unrecognised("the fix's name_pattern is not a regex".into());
    };
    let all = lines(text);
    let mut edits = LineEdits::default();
    let mut notes: Vec<(usize, String)> = Vec::new();
    for (i, l) in all.iter().enumerate() {
        let Some(e) = ENTRY.captures(body(l)) else {
            continue;
        };
        if &e[1] != "env" || !unquote(&e[2]).is_empty() {
            continue;
        }
        let Some((direct, kids)) = direct_children(&all, i) else {
            continue;
        };
        let mut removed = 0;
        for &k in &direct {
            let Some(c) = ENTRY.captures(body(all[k])) else {
                continue;
            };
            let Some(r) = SECRET_REF.captures(unquote(&c[2])) else {
                continue;
            };
            if !pattern.is_match(&c[1]) {
                continue;
            }
            edits.remove.insert(k);
            removed += 1;
            let kind = if &r[1] == "secrets" {
                "secret"
            } else {
                "variable"
            };
            notes.push((
                k,
                format!(
                    "the job no longer gets {} (the JWT credential's): delete the repository {kind} {} once nothing uses it{}",
                    &c[1],
                    &r[2],
                    if c[1].to_ascii_uppercase().contains("META") {
                        "; code that read it needs SCOPES instead"
                    } else {
                        ""
                    }
                ),
            ));
        }
        if removed == direct.len() && removed > 0 && kids.len() == direct.len() {
            edits.remove.insert(i);
        }
    }
    if edits.is_empty() {
        return Attempt::NotApplicable;
    }
    edits.rewritten(&all, notes)
}
