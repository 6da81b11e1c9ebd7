//! GitLab CI (`.gitlab-ci.yml`, `*.gitlab-ci.yml`) `variables:` blocks
//! (global or a job's) passing the JWT credential, edited line by line as
//! the GitHub workflow fix does:
//! - an entry named like the key, the metascopes or the technical account
//!   (`ADOBE_PRIVATE_KEY: $ADOBE_PRIVATE_KEY`, or the expanded
//!   `NAME: {value: ..., description: ...}` form) that passes a CI/CD
//!   variable goes (a `variables:` left empty goes with it);
//! - a metascopes entry with a literal value becomes the scopes entry of
//!   the same name without `META_` (`META_SCOPES: "ent_..."` →
//!   `SCOPES: "openid,..."`).
//!
//! The CI/CD variables the new credential needs (its client secret and
//! scopes, named like the removed ones) are manual steps: they live in the
//! project's settings, not in the file. References in `script:` lines are
//! left for the rescan to report.

use std::sync::LazyLock;

use regex::Regex;

use super::text::{LineEdits, body, eol, lines, replace_body};
use super::workflow::{direct_children, is_blank_or_comment};
use super::{Attempt, FixCtx};

static ENTRY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"^(\s*)([A-Za-z_][\w-]*)(\s*:\s*)(.*?)\s*$"#).expect("static regex")
});
/// A value that is nothing but a CI/CD variable: `$X`, `${X}`, `"$X"`.
static VAR_REF: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"^["']?\$\{?([A-Za-z_]\w*)\}?["']?$"#).expect("static regex"));

/// Whether a file is GitLab CI configuration.
pub fn is_gitlab_ci(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name == ".gitlab-ci.yml" || name.ends_with(".gitlab-ci.yml")
}

fn value_of(raw: &str) -> &str {
    raw.split(" #").next().unwrap_or(raw).trim()
}

pub fn fix(ctx: &FixCtx<'_>, text: &str) -> Attempt {
    if !is_gitlab_ci(ctx.path) {
        return Attempt::NotApplicable;
    }
    let (Ok(pattern), Ok(exclude), Ok(meta)) = (
        Regex::new(ctx.template("name_pattern")),
        Regex::new(ctx.template("exclude_pattern")),
        Regex::new(ctx.template("metascope_pattern")),
    ) else {
        return Attempt::Unrecognised("a pattern of the fix is not a regex".into());
    };
    let all = lines(text);
    let nl = eol(text);
    let mut edits = LineEdits::default();
    let mut notes: Vec<(usize, String)> = Vec::new();
    // Per block that lost entries: where, the names' prefix, whether it
    // passes a client secret; and whether the file passes scopes anywhere
    // (global variables reach every job).
    let mut asks: Vec<(usize, String, bool)> = Vec::new();
    let mut scopes_given = false;
    for (i, l) in all.iter().enumerate() {
        let Some(e) = ENTRY.captures(body(l)) else {
            continue;
        };
        if &e[2] != "variables" || !value_of(&e[4]).is_empty() {
            continue;
        }
        let Some((direct, kids)) = direct_children(&all, i) else {
            continue;
        };
        let names: Vec<String> = direct
            .iter()
            .filter_map(|&k| ENTRY.captures(body(all[k])).map(|c| c[2].to_string()))
            .collect();
        let mut removed = 0;
        let mut asked: Option<(usize, String)> = None;
        let mut converted = false;
        for (n, &k) in direct.iter().enumerate() {
            let Some(c) = ENTRY.captures(body(all[k])) else {
                continue;
            };
            let name = &c[2];
            if !pattern.is_match(name) || exclude.is_match(name) {
                continue;
            }
            // The entry's own lines: an expanded `value:`/`description:` form.
            let end = direct.get(n + 1).copied().unwrap_or_else(|| {
                kids.iter()
                    .copied()
                    .rfind(|&x| x > k)
                    .map_or(k + 1, |x| x + 1)
            });
            let own: Vec<usize> = (k..end).collect();
            let mut value = value_of(&c[4]).to_string();
            if value.is_empty() {
                let v = own.iter().skip(1).find_map(|&x| {
                    let c = ENTRY.captures(body(all[x]))?;
                    (&c[2] == "value").then(|| value_of(&c[4]).to_string())
                });
                match v {
                    Some(v) => value = v,
                    None => continue,
                }
            }
            let reference = VAR_REF.captures(&value).map(|r| r[1].to_string());
            let is_meta = meta.is_match(name) && name.to_ascii_uppercase().contains("SCOPE");
            let prefix = meta
                .find(name)
                .or_else(|| pattern.find(name))
                .map_or("", |m| &name[..m.start()])
                .to_string();
            if let (true, None, 1) = (is_meta, &reference, own.len()) {
                // A literal metascope list: the scopes take its place.
                let metascopes: Vec<String> = value
                    .trim_matches(['"', '\''])
                    .split([',', ' '])
                    .filter(|s| !s.is_empty())
                    .map(|s| s.rsplit('/').next().unwrap_or(s).to_string())
                    .collect();
                let choice = ctx.scopes.for_client(None, &metascopes);
                let new_name = meta.replace(name, "").into_owned();
                let pad = &c[1];
                let mut new = Vec::new();
                if choice.guessed && !choice.scopes.is_empty() {
                    new.push(format!("{pad}{}{nl}", ctx.template("guess_comment")));
                }
                new.push(replace_body(
                    all[k],
                    &format!("{pad}{new_name}{}\"{}\"", &c[3], choice.scopes.join(",")),
                ));
                edits.remove.insert(k);
                edits.insert_after.insert(k, new);
                if let Some(step) = choice.manual_step(&metascopes) {
                    notes.push((k, step));
                }
                converted = true;
                continue;
            }
            let Some(var) = reference else {
                // A literal key or account in the file: not this fix's shape.
                continue;
            };
            for &x in &own {
                edits.remove.insert(x);
            }
            removed += 1;
            let what = if is_meta {
                "; code that read it needs the scopes instead"
            } else {
                ""
            };
            notes.push((
                k,
                format!(
                    "the job no longer gets {name} (the JWT credential's): delete the CI/CD variable \
                     {var} once nothing uses it{what}"
                ),
            ));
            if asked.is_none() {
                asked = Some((k, prefix.replace("JWT_", "")));
            }
        }
        if let Some((k, prefix)) = asked {
            let has = |needle: &str| {
                names
                    .iter()
                    .any(|n| !meta.is_match(n) && n.to_ascii_uppercase().contains(needle))
            };
            asks.push((k, prefix, has("CLIENT_SECRET")));
        }
        scopes_given |= converted
            || names
                .iter()
                .any(|n| !meta.is_match(n) && n.to_ascii_uppercase().contains("SCOPES"));
        if removed == direct.len() && removed > 0 {
            edits.remove.insert(i);
        }
    }
    let choice = ctx.scopes.for_metascopes(&[]);
    let scopes = if choice.scopes.is_empty() {
        "the new credential's scopes, comma-separated, from its Scopes tab".to_string()
    } else {
        format!("the new credential's scopes: {}", choice.scopes.join(","))
    };
    for (k, prefix, has_secret) in asks {
        if !scopes_given {
            notes.push((
                k,
                format!(
                    "add CI/CD variable {prefix}{} ({scopes})",
                    ctx.template("scopes_variable")
                ),
            ));
        }
        notes.push((
            k,
            if has_secret {
                "check that the client secret variable here holds the OAuth Server-to-Server \
                 credential's secret (same client id)"
                    .to_string()
            } else {
                format!(
                    "add CI/CD variable {prefix}{} (masked: the new credential's client secret)",
                    ctx.template("secret_variable")
                )
            },
        ));
    }
    if edits.is_empty() {
        return Attempt::NotApplicable;
    }
    // Blank or comment lines inside a removed entry's own lines stay.
    edits.remove.retain(|&x| !is_blank_or_comment(all[x]));
    edits.rewritten(&all, notes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fix::testing::rewritten;

    fn run(path: &str, text: &str, flag: &[&str]) -> Attempt {
        crate::fix::testing::run(
            include_str!("../../rules/fixes/gitlab-ci-jwt-variables.yaml"),
            fix,
            path,
            text,
            flag,
        )
    }

    #[test]
    fn job_variables_lose_the_key_and_account_and_ask_for_the_new_ones() {
        let t = "job:\r\n  variables:\r\n    ADOBE_PRIVATE_KEY: $ADOBE_PRIVATE_KEY\r\n    ADOBE_TECH_ACCT_ID:\r\n      value: ${TA}\r\n      description: sub\r\n  script:\r\n    - run\r\n";
        let (out, manual) = rewritten(run(".gitlab-ci.yml", t, &["openid"]));
        assert_eq!(out, "job:\r\n  script:\r\n    - run\r\n");
        let steps: Vec<&str> = manual.iter().map(|(_, s)| s.as_str()).collect();
        assert!(
            steps.iter().any(|s| s.starts_with(
                "add CI/CD variable ADOBE_SCOPES (the new credential's scopes: openid)"
            )),
            "{steps:?}"
        );
        assert!(
            steps
                .iter()
                .any(|s| s.starts_with("add CI/CD variable ADOBE_CLIENT_SECRET (masked")),
            "{steps:?}"
        );
        assert!(
            steps
                .iter()
                .any(|s| s.contains("delete the CI/CD variable TA ")),
            "{steps:?}"
        );
        assert!(matches!(
            run(".gitlab-ci.yml", &out, &[]),
            Attempt::NotApplicable
        ));
    }

    #[test]
    fn a_literal_metascope_becomes_the_scopes_and_a_client_secret_is_checked() {
        let t = "variables:\n  CLIENT_SECRET: $ADOBE_SECRET\n  META_SCOPES: \"ent_user_sdk\"\n  PRIVATE_KEY: ${ADOBE_KEY}\n";
        let (out, manual) = rewritten(run("ci/export.gitlab-ci.yml", t, &[]));
        assert_eq!(
            out,
            "variables:\n  CLIENT_SECRET: $ADOBE_SECRET\n  # jwt2oauth: scopes guessed from Adobe's observed mapping (Adobe publishes none): check them against the credential's Scopes tab\n  SCOPES: \"openid,AdobeID,user_management_sdk\"\n"
        );
        let steps: Vec<&str> = manual.iter().map(|(_, s)| s.as_str()).collect();
        assert!(
            !steps.iter().any(|s| s.starts_with("add CI/CD variable")),
            "{steps:?}"
        );
        assert!(
            steps
                .iter()
                .any(|s| s.starts_with("check that the client secret")),
            "{steps:?}"
        );
        assert!(steps.iter().any(|s| s.contains("Scopes tab")), "{steps:?}");
    }

    #[test]
    fn must_not_match_other_variables_and_files() {
        for (path, t) in [
            // Other systems' keys.
            (
                ".gitlab-ci.yml",
                "variables:\n  SSH_PRIVATE_KEY: $SSH_PRIVATE_KEY\n  DEPLOY_PRIVATE_KEY: $K\n",
            ),
            // Already OAuth.
            (
                ".gitlab-ci.yml",
                "variables:\n  ADOBE_CLIENT_SECRET: $S\n  ADOBE_SCOPES: openid\n",
            ),
            // A script reference: left for the rescan (a manual step).
            (
                ".gitlab-ci.yml",
                "job:\n  script:\n    - python x.py --metascopes \"$META_SCOPES\"\n",
            ),
            // A key written into the file is not passed from a variable.
            (
                ".gitlab-ci.yml",
                "variables:\n  ADOBE_PRIVATE_KEY: \"-----BEGIN PRIVATE KEY-----\"\n",
            ),
            // Not GitLab CI.
            (
                ".github/workflows/x.yml",
                "variables:\n  ADOBE_PRIVATE_KEY: $K\n",
            ),
        ] {
            assert!(
                matches!(run(path, t, &[]), Attempt::NotApplicable),
                "{path}: {t}"
            );
        }
    }
}
