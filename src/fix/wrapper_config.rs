//! Config files of the Python API wrappers aanalytics2, cjapy and aepp
//! (`importConfigFile("config.json")`). Their JWT form is a top-level
//! object with `org_id`, `client_id` (or `api_key`), `secret`, `tech_id` and
//! `pathToKey`; the OAuth Server-to-Server form has `scopes` (a
//! comma-separated string, which all three read; aanalytics2 reads only a
//! string) instead of `tech_id` and `pathToKey`, and each wrapper picks
//! OAuth when `scopes` is present. So: the first key member (or a
//! metascopes member) becomes `"scopes": "..."` in place, the other JWT-only
//! members go, and every other byte stays. aepp matches keys without regard
//! to case, so this does too.
//!
//! The wrappers hard-code their metascope, so when the scopes are guessed
//! the fix's `wrappers` template says which wrapper a file belongs to (by a
//! key it has or its file name) and which metascope that wrapper signed for.

use super::jsonspan::{self, Member, Node};
use super::text::{line_of, splice};
use super::{Attempt, FixCtx};

/// One line of the `wrappers` template: `<wrapper> <metascope> [key:K|name:S]...`
/// (a line without hints is the default).
struct Wrapper<'a> {
    name: &'a str,
    metascope: &'a str,
    keys: Vec<&'a str>,
    names: Vec<&'a str>,
}

fn wrappers(template: &str) -> Vec<Wrapper<'_>> {
    template
        .lines()
        .filter_map(|l| {
            let mut words = l.split_whitespace();
            let name = words.next()?;
            let metascope = words.next()?;
            let (mut keys, mut names) = (Vec::new(), Vec::new());
            for w in words {
                if let Some(k) = w.strip_prefix("key:") {
                    keys.push(k);
                } else if let Some(n) = w.strip_prefix("name:") {
                    names.push(n);
                }
            }
            Some(Wrapper {
                name,
                metascope,
                keys,
                names,
            })
        })
        .collect()
}

fn find<'a>(obj: &'a Node, key: &str) -> Option<&'a Member> {
    obj.members()
        .iter()
        .find(|m| m.key.eq_ignore_ascii_case(key))
}

fn has(obj: &Node, keys: &[&str]) -> bool {
    keys.iter().any(|k| find(obj, k).is_some())
}

/// The wrapper a config belongs to: the first whose key or file-name hint
/// matches, else the first without hints.
fn wrapper_of<'a>(all: &'a [Wrapper<'a>], obj: &Node, path: &str) -> Option<&'a Wrapper<'a>> {
    let file = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    all.iter()
        .find(|w| has(obj, &w.keys) || w.names.iter().any(|n| file.contains(n)))
        .or_else(|| all.iter().find(|w| w.keys.is_empty() && w.names.is_empty()))
}

pub fn fix(ctx: &FixCtx<'_>, text: &str) -> Attempt {
    let Ok(obj) = jsonspan::parse(text) else {
        return Attempt::NotApplicable;
    };
    let markers: Vec<&str> = ctx.template("marker_fields").split_whitespace().collect();
    let key_fields: Vec<&str> = ctx.template("key_fields").split_whitespace().collect();
    let meta_fields: Vec<&str> = ctx
        .template("metascope_fields")
        .split_whitespace()
        .collect();
    let drop: Vec<&str> = ctx.template("drop_fields").split_whitespace().collect();
    let scopes_field = ctx.template("scopes_field");
    // The wrappers' shape: a top-level object naming the org and the client,
    // with a technical account and a key (or, left over, beside `scopes`).
    let is_wrapper = has(&obj, &["org_id"])
        && has(&obj, &["client_id", "api_key"])
        && has(&obj, &markers)
        && has(&obj, &key_fields);
    if !is_wrapper {
        return Attempt::NotApplicable;
    }
    let ms = obj.members();
    let is = |m: &Member, list: &[&str]| list.iter().any(|k| m.key.eq_ignore_ascii_case(k));
    let already = find(&obj, scopes_field);
    // The member rewritten in place into `scopes`: metascopes if the file
    // has them, else the key (so the new member sits where the key was).
    let target = if already.is_some() {
        None
    } else {
        ms.iter()
            .position(|m| is(m, &meta_fields))
            .or_else(|| ms.iter().position(|m| is(m, &key_fields)))
    };
    let mut metascopes: Vec<String> = ms
        .iter()
        .filter(|m| is(m, &meta_fields))
        .flat_map(|m| m.node.strings())
        .collect();
    let all_wrappers = wrappers(ctx.template("wrappers"));
    let wrapper = wrapper_of(&all_wrappers, &obj, ctx.path);
    let assumed = metascopes.is_empty();
    if assumed && let Some(w) = wrapper {
        metascopes.push(w.metascope.to_string());
    }
    let client = find(&obj, "client_id")
        .or_else(|| find(&obj, "api_key"))
        .and_then(|m| m.node.as_str());
    let choice = ctx.scopes.for_client(client, &metascopes);
    let mut edits = Vec::new();
    let mut notes: Vec<(usize, String)> = Vec::new();
    let mut removed = Vec::new();
    for (i, m) in ms.iter().enumerate() {
        if Some(i) == target {
            let value = serde_json::to_string(&choice.scopes.join(",")).unwrap_or_default();
            edits.push((m.key_span.clone(), format!("\"{scopes_field}\"")));
            edits.push((m.node.span.clone(), value));
            if let Some(step) = choice.manual_step(&metascopes) {
                let why = match wrapper {
                    Some(w) if assumed && choice.guessed => format!(
                        " ({}: the metascope {} signs for; the file was taken for {}'s config)",
                        w.metascope, w.name, w.name
                    ),
                    _ => String::new(),
                };
                notes.push((m.key_span.start, format!("{step}{why}")));
            }
        } else if is(m, &drop) {
            removed.push(i);
        }
        if is(m, &key_fields)
            && let Some(p) = m.node.as_str().filter(|p| !p.contains("-----BEGIN"))
        {
            notes.push((
                m.key_span.start,
                format!("delete the key file {p} once the OAuth credential works"),
            ));
        }
    }
    for r in jsonspan::remove_members(&obj, &removed) {
        edits.push((r, String::new()));
    }
    notes.push((
        obj.span.start,
        format!(
            "check that `secret` is the OAuth Server-to-Server credential's client secret (same \
             client id) and that the wrapper is a release that reads `{scopes_field}` \
             (aanalytics2 0.4.0 or later; a current cjapy or aepp)"
        ),
    ));
    // Line numbers in the new text: lines removed before an offset move it up.
    let lines_removed_before = |offset: usize| -> usize {
        edits
            .iter()
            .filter(|(r, _)| r.end <= offset)
            .map(|(r, s): &(std::ops::Range<usize>, String)| {
                text[r.clone()]
                    .matches('\n')
                    .count()
                    .saturating_sub(s.matches('\n').count())
            })
            .sum()
    };
    let manual = notes
        .iter()
        .map(|(off, s)| {
            let line = (line_of(text, *off) as usize).saturating_sub(lines_removed_before(*off));
            (u32::try_from(line.max(1)).unwrap_or(1), s.clone())
        })
        .collect();
    Attempt::Rewritten {
        text: splice(text, edits),
        manual,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fix::testing::rewritten;

    fn run(path: &str, text: &str, flag: &[&str]) -> Attempt {
        crate::fix::testing::run(
            include_str!("../../rules/fixes/python-wrapper-config-oauth.yaml"),
            fix,
            path,
            text,
            flag,
        )
    }

    #[test]
    fn jwt_form_becomes_the_oauth_form_in_place() {
        let t = "{\r\n    \"org_id\": \"O@AdobeOrg\",\r\n    \"client_id\": \"c\",\r\n    \"tech_id\": \"T@techacct.adobe.com\",\r\n    \"secret\": \"s\",\r\n    \"pathToKey\": \"./private.key\"\r\n}";
        let (out, manual) = rewritten(run("config_analytics.json", t, &["openid", "AdobeID"]));
        assert_eq!(
            out,
            "{\r\n    \"org_id\": \"O@AdobeOrg\",\r\n    \"client_id\": \"c\",\r\n    \"secret\": \"s\",\r\n    \"scopes\": \"openid,AdobeID\"\r\n}"
        );
        assert!(
            manual
                .iter()
                .any(|(l, s)| *l == 5 && s.contains("./private.key"))
        );
        // Idempotent: the OAuth form is not this fix's any more.
        assert!(matches!(
            run("config_analytics.json", &out, &["openid"]),
            Attempt::NotApplicable
        ));
    }

    #[test]
    fn guesses_scopes_from_the_wrapper_and_says_so() {
        let aep = r#"{"org_id": "O@AdobeOrg", "client_id": "c", "secret": "s", "sandbox-name": "prod", "TECH_ID": "T@techacct.adobe.com", "PathToKey": "k.key"}"#;
        let (out, manual) = rewritten(run("conf.json", aep, &[]));
        assert!(
            out.contains(r#""scopes": "openid,session,AdobeID,read_organizations,additional_info.projectedProductContext""#),
            "{out}"
        );
        assert!(!out.to_ascii_lowercase().contains("tech_id"), "{out}");
        assert!(
            manual
                .iter()
                .any(|(_, s)| s.contains("Scopes tab") && s.contains("taken for aepp's config")),
            "{manual:?}"
        );
        // cjapy's metascope has no observed mapping: empty scopes, and a step.
        let cja =
            r#"{"org_id": "O", "client_id": "c", "secret": "s", "tech_id": "T", "pathToKey": "k"}"#;
        let (out, manual) = rewritten(run("config_cja.json", cja, &[]));
        assert!(out.contains(r#""scopes": """#), "{out}");
        assert!(manual.iter().any(|(_, s)| s.contains("ent_cja_sdk")));
        // A metascopes member of the file's own wins and becomes `scopes`.
        let meta = r#"{"org_id": "O", "api_key": "c", "secret": "s", "tech_id": "T", "meta_scopes": ["ent_user_sdk"], "private_key": "k.key"}"#;
        let (out, _) = rewritten(run("x.json", meta, &[]));
        assert_eq!(
            out,
            r#"{"org_id": "O", "api_key": "c", "secret": "s", "scopes": "openid,AdobeID,user_management_sdk"}"#
        );
    }

    #[test]
    fn must_not_match_other_json() {
        for (path, t) in [
            // Already OAuth.
            (
                "config_analytics.json",
                r#"{"org_id": "O", "client_id": "c", "secret": "s", "scopes": "openid"}"#,
            ),
            // A technical account without a key (OAuth Server-to-Server has one).
            (
                "c.json",
                r#"{"org_id": "O", "client_id": "c", "tech_id": "T", "secret": "s"}"#,
            ),
            // The wrapper keys nested (an aio context, say): not the wrapper's file.
            (
                "c.json",
                r#"{"ims": {"org_id": "O", "client_id": "c", "tech_id": "T", "pathToKey": "k"}}"#,
            ),
            // No org or client: someone else's tech_id.
            ("c.json", r#"{"tech_id": "T", "private_key": "k"}"#),
            ("c.json", "not json"),
        ] {
            assert!(
                matches!(run(path, t, &[]), Attempt::NotApplicable),
                "{path}: {t}"
            );
        }
    }

    #[test]
    fn leftover_key_fields_beside_scopes_go_and_scopes_stay() {
        let t = r#"{"org_id": "O", "client_id": "c", "secret": "s", "scopes": "openid", "tech_id": "T", "pathToKey": "k"}"#;
        let (out, _) = rewritten(run("c.json", t, &["other"]));
        assert_eq!(
            out,
            r#"{"org_id": "O", "client_id": "c", "secret": "s", "scopes": "openid"}"#
        );
    }
}
