//! Java `.properties` and Python `.ini`/`.cfg` files holding the JWT
//! credential (`adobe.private.key.path=`, `meta.scopes=`,
//! `ims.exchange.url=.../ims/exchange/jwt`; an ini section with `tech_acct`,
//! `path_to_key`, `metascopes`), edited line by line so that comments, line
//! endings and every other entry stay:
//! - key material entries (a key path, an inline or base64 key, its
//!   passphrase) go, with their continuation lines;
//! - a metascopes entry becomes a scopes entry in the file's own naming
//!   (`meta.scopes` → `scopes`, `META_SCOPES` → `SCOPES`, aio-lib-java's
//!   `aio_meta_scopes` → `aio_oauth_scopes`); without one, the first key
//!   entry's place gets a scopes entry named like its neighbours
//!   (`adobe.private.key.path` beside `adobe.client.id` → `adobe.scopes`);
//! - an exchange URL value gets `/ims/token/v3` instead of
//!   `/ims/exchange/jwt`, its IMS base kept.
//!
//! A section (an ini `[name]`, or the whole properties file) is edited only
//! when it shows the Adobe credential: a metascope, the exchange, a technical
//! account or an IMS host. The technical account and the client secret
//! stay: the OAuth Server-to-Server credential has them too.

use std::sync::LazyLock;

use regex::Regex;

use super::template::render;
use super::text::{LineEdits, body, eol, lines, replace_body, width};
use super::{Attempt, FixCtx};

static ENTRY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(\s*)([^\s=:#;!\[][^=:]*?)(\s*[=:]\s*)(.*)$").expect("static regex")
});
static SECTION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*\[[^\]]+\]\s*$").expect("static regex"));
static ADOBE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)@techacct\.adobe\.com|adobelogin\.com|/ims/exchange/|tech(?:nical)?[._-]?acc(?:oun)?t")
        .expect("static regex")
});

struct Entry {
    line: usize,
    /// Lines the value spans (continuations included).
    span: usize,
    indent: String,
    key: String,
    sep: String,
    value: String,
}

fn is_comment(line: &str) -> bool {
    let t = body(line).trim_start();
    t.is_empty() || t.starts_with(['#', ';', '!'])
}

/// The entries of the file, each with the section it is in (0: before any).
fn entries(all: &[&str], ini: bool) -> Vec<(usize, Entry)> {
    let mut out = Vec::new();
    let mut section = 0;
    let mut i = 0;
    while i < all.len() {
        let b = body(all[i]);
        if SECTION.is_match(b) {
            section = i + 1;
            i += 1;
            continue;
        }
        if is_comment(all[i]) {
            i += 1;
            continue;
        }
        let Some(c) = ENTRY.captures(b) else {
            i += 1;
            continue;
        };
        let mut span = 1;
        if ini {
            // configparser: deeper-indented non-empty lines continue a value.
            let col = width(all[i]);
            while i + span < all.len()
                && !body(all[i + span]).trim().is_empty()
                && width(all[i + span]) > col
            {
                span += 1;
            }
        } else {
            // .properties: an odd number of trailing backslashes continues it.
            let mut l = b;
            while i + span < all.len() && (l.len() - l.trim_end_matches('\\').len()) % 2 == 1 {
                l = body(all[i + span]);
                span += 1;
            }
        }
        out.push((
            section,
            Entry {
                line: i,
                span,
                indent: c[1].to_string(),
                key: c[2].to_string(),
                sep: c[3].to_string(),
                value: c[4].to_string(),
            },
        ));
        i += span;
    }
    out
}

fn regex(ctx: &FixCtx<'_>, name: &str) -> Option<Regex> {
    Regex::new(ctx.template(name)).ok()
}

/// `scopes` in the case of `like` (`SCOPES` for an upper-case name).
fn cased(word: &str, like: &str) -> String {
    if like.chars().any(char::is_lowercase) {
        word.to_string()
    } else {
        word.to_ascii_uppercase()
    }
}

/// A renamed key through the fix's `renames` (`old=new` pairs).
fn renamed(ctx: &FixCtx<'_>, key: String) -> String {
    ctx.template("renames")
        .split_whitespace()
        .filter_map(|p| p.split_once('='))
        .find(|(from, _)| *from == key)
        .map_or(key, |(_, to)| to.to_string())
}

/// The scopes key for a section without metascopes, named after the key
/// entry it replaces: its first word when another entry shares it
/// (`adobe.private.key.path` beside `adobe.client.id` → `adobe.scopes`).
fn scopes_key_like(ctx: &FixCtx<'_>, key: &str, others: &[&Entry]) -> String {
    let word = ctx.template("scopes_word");
    let cut = key.find(['.', '_', '-']);
    let name = match cut {
        Some(at) if at > 0 => {
            let prefix = &key[..=at];
            let shared = others
                .iter()
                .filter(|e| e.key != key && e.key.starts_with(prefix))
                .count();
            if shared > 0 {
                format!("{prefix}{}", cased(word, key))
            } else {
                cased(word, key)
            }
        }
        _ => cased(word, key),
    };
    renamed(ctx, name)
}

fn looks_like_path(value: &str) -> bool {
    let v = value.trim().trim_matches(['"', '\'']);
    !v.is_empty()
        && !v.contains("-----BEGIN")
        && !v.contains(' ')
        && (v.contains('/')
            || v.contains('\\')
            || [".key", ".pem", ".p8", ".p12", ".pfx", ".der"]
                .iter()
                .any(|e| v.to_ascii_lowercase().ends_with(e)))
}

pub fn fix(ctx: &FixCtx<'_>, text: &str) -> Attempt {
    let lower = ctx.path.to_ascii_lowercase();
    let Some(ext) = ctx
        .template("extensions")
        .split_whitespace()
        .find(|e| lower.ends_with(e))
    else {
        return Attempt::NotApplicable;
    };
    let ini = ext != ".properties";
    let (Some(drop), Some(exclude), Some(meta), Some(exchange)) = (
        regex(ctx, "drop_pattern"),
        regex(ctx, "exclude_pattern"),
        regex(ctx, "metascope_pattern"),
        regex(ctx, "exchange_pattern"),
    ) else {
        return Attempt::Unrecognised("a pattern of the fix is not a regex".into());
    };
    let all = lines(text);
    let nl = eol(text);
    let comment = all
        .iter()
        .map(|l| body(l).trim_start())
        .find_map(|t| t.chars().next().filter(|c| *c == '#' || *c == ';'))
        .unwrap_or('#');
    let found = entries(&all, ini);
    let mut sections: Vec<usize> = found.iter().map(|(s, _)| *s).collect();
    sections.dedup();
    let mut edits = LineEdits::default();
    let mut notes: Vec<(usize, String)> = Vec::new();
    for section in sections {
        let es: Vec<&Entry> = found
            .iter()
            .filter(|(s, _)| *s == section)
            .map(|(_, e)| e)
            .collect();
        let is_meta = |e: &Entry| meta.is_match(&e.key);
        let is_key = |e: &Entry| drop.is_match(&e.key) && !exclude.is_match(&e.key);
        let is_exchange = |e: &Entry| exchange.is_match(&e.value);
        let adobe = es.iter().any(|e| {
            is_meta(e) || is_exchange(e) || ADOBE.is_match(&e.key) || ADOBE.is_match(&e.value)
        });
        if !adobe || !es.iter().any(|e| is_meta(e) || is_key(e) || is_exchange(e)) {
            continue;
        }
        let metascopes: Vec<String> = es
            .iter()
            .filter(|e| is_meta(e))
            .flat_map(|e| {
                e.value
                    .trim()
                    .trim_matches(['"', '\''])
                    .split([',', ' '])
                    .filter(|s| !s.is_empty())
                    .map(|s| s.rsplit('/').next().unwrap_or(s).to_string())
                    .collect::<Vec<_>>()
            })
            .collect();
        let client = es
            .iter()
            .find(|e| {
                let k = e.key.to_ascii_lowercase();
                k.contains("client") && k.ends_with("id") || k.ends_with("api_key")
            })
            .map(|e| e.value.trim().trim_matches(['"', '\'']).to_string());
        let choice = ctx.scopes.for_client(client.as_deref(), &metascopes);
        let value = choice.scopes.join(",");
        // The line that becomes the scopes entry: the metascopes one, else
        // the first key entry (a section with only the exchange gets none).
        let target = es
            .iter()
            .find(|e| is_meta(e))
            .or_else(|| es.iter().find(|e| is_key(e)));
        let mut dropped = Vec::new();
        for e in &es {
            let at_target = target.is_some_and(|t| t.line == e.line);
            if at_target {
                let key = if is_meta(e) {
                    let m = meta.find(&e.key).map_or(e.key.as_str(), |m| m.as_str());
                    renamed(
                        ctx,
                        e.key.replacen(m, &cased(ctx.template("scopes_word"), m), 1),
                    )
                } else {
                    scopes_key_like(ctx, &e.key, &es)
                };
                let mut new = Vec::new();
                if choice.guessed && !choice.scopes.is_empty() {
                    let m = metascopes.join(", ");
                    new.push(format!(
                        "{}{comment} {}{nl}",
                        e.indent,
                        render(ctx.template("guess_comment"), &[("metascopes", &m)])
                    ));
                }
                let quote = match e.value.trim_start().chars().next() {
                    Some(q @ ('"' | '\'')) => q.to_string(),
                    _ => String::new(),
                };
                new.push(replace_body(
                    all[e.line + e.span - 1],
                    &format!("{}{key}{}{quote}{value}{quote}", e.indent, e.sep),
                ));
                for k in e.line..e.line + e.span {
                    edits.remove.insert(k);
                }
                edits.insert_after.insert(e.line + e.span - 1, new);
                if metascopes.is_empty() && choice.guessed {
                    notes.push((
                        e.line,
                        format!(
                            "set {key} to the new credential's scopes, comma-separated, from its \
                             Scopes tab (or rerun with --scopes LIST)"
                        ),
                    ));
                } else if let Some(step) = choice.manual_step(&metascopes) {
                    notes.push((e.line, step));
                }
            } else if is_key(e) {
                for k in e.line..e.line + e.span {
                    edits.remove.insert(k);
                }
            } else if is_exchange(e) {
                let v = exchange.replace(&e.value, ctx.template("token_path"));
                edits.replace.insert(
                    e.line,
                    replace_body(all[e.line], &format!("{}{}{}{v}", e.indent, e.key, e.sep)),
                );
            }
            if is_key(e) {
                dropped.push(e.key.as_str());
                if looks_like_path(&e.value) && e.span == 1 {
                    notes.push((
                        e.line,
                        format!(
                            "delete the key file {} once the OAuth credential works",
                            e.value.trim().trim_matches(['"', '\''])
                        ),
                    ));
                }
            }
        }
        if !dropped.is_empty()
            && let Some(first) = es.first()
        {
            notes.push((
                first.line,
                format!(
                    "code that reads {} must stop (OAuth Server-to-Server needs only the client id, \
                     the client secret and the scopes): check that the client secret here is the \
                     new credential's",
                    dropped.join(", ")
                ),
            ));
        }
    }
    if edits.is_empty() {
        return Attempt::NotApplicable;
    }
    edits.rewritten(&all, notes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fix::testing::rewritten;

    fn run(path: &str, text: &str, flag: &[&str]) -> Attempt {
        crate::fix::testing::run(
            include_str!("../../rules/fixes/properties-ini-oauth.yaml"),
            fix,
            path,
            text,
            flag,
        )
    }

    #[test]
    fn properties_keep_comments_endings_and_other_entries() {
        let t = "# JWT\r\nims.exchange.url=https://ims-na1.adobelogin.com/ims/exchange/jwt\r\nadobe.client.id=c\r\nadobe.private.key.path=/etc/private.key\r\nmeta.scopes=ent_user_sdk\r\napp.name=x";
        let (out, manual) = rewritten(run("app.properties", t, &["openid", "AdobeID"]));
        assert_eq!(
            out,
            "# JWT\r\nims.exchange.url=https://ims-na1.adobelogin.com/ims/token/v3\r\nadobe.client.id=c\r\nscopes=openid,AdobeID\r\napp.name=x"
        );
        assert!(manual.iter().any(|(_, s)| s.contains("/etc/private.key")));
        assert!(matches!(
            run("app.properties", &out, &["openid"]),
            Attempt::NotApplicable
        ));
    }

    #[test]
    fn scopes_are_named_like_the_neighbours_and_guesses_say_so() {
        // No metascopes: the key's place gets `adobe.scopes`, to be filled in.
        let t = "adobe.client.id=c\nadobe.tech.account.id=T@techacct.adobe.com\nadobe.private.key=MIIEvQ\\\n  AAAA\nx=1\n";
        let (out, manual) = rewritten(run("a.properties", t, &[]));
        assert_eq!(
            out,
            "adobe.client.id=c\nadobe.tech.account.id=T@techacct.adobe.com\nadobe.scopes=\nx=1\n"
        );
        assert!(
            manual
                .iter()
                .any(|(_, s)| s.starts_with("set adobe.scopes to"))
        );
        // aio-lib-java: aio_meta_scopes becomes aio_oauth_scopes, the base64 key goes.
        let t = "aio_api_key=c\naio_technical_account_id=T@techacct.adobe.com\naio_meta_scopes=/s/ent_user_sdk\naio_encoded_pkcs8=MIIE\n";
        let (out, manual) = rewritten(run("workspace.properties", t, &[]));
        assert_eq!(
            out,
            "aio_api_key=c\naio_technical_account_id=T@techacct.adobe.com\n# jwt2oauth: scopes guessed from Adobe's observed mapping (Adobe publishes none): check them against the credential's Scopes tab\naio_oauth_scopes=openid,AdobeID,user_management_sdk\n"
        );
        assert!(manual.iter().any(|(_, s)| s.contains("Scopes tab")));
    }

    #[test]
    fn ini_sections_are_edited_alone() {
        let t = "; creds\n[adobe]\nclient_id = c\ntech_acct = T@techacct.adobe.com\npath_to_key = keys/private.key\nmetascopes = ent_dataservices_sdk\n\n[ssh]\nprivate_key = ~/.ssh/id\n";
        let (out, _) = rewritten(run("adobe.ini", t, &["openid"]));
        assert_eq!(
            out,
            "; creds\n[adobe]\nclient_id = c\ntech_acct = T@techacct.adobe.com\nscopes = openid\n\n[ssh]\nprivate_key = ~/.ssh/id\n"
        );
        // Multi-line (indented) ini values go whole.
        let t = "[a]\ntechnical_account = T@techacct.adobe.com\nprivate_key = -----BEGIN PRIVATE KEY-----\n    MIIE\n    -----END PRIVATE KEY-----\nscopes_x = 1\n";
        let (out, _) = rewritten(run("a.cfg", t, &["openid"]));
        assert_eq!(
            out,
            "[a]\ntechnical_account = T@techacct.adobe.com\nscopes = openid\nscopes_x = 1\n"
        );
    }

    #[test]
    fn must_not_match_other_settings() {
        for (path, t) in [
            // No Adobe credential: someone else's key.
            (
                "tls.properties",
                "server.ssl.key-store=keystore.p12\nprivate.key.path=/etc/tls.key\n",
            ),
            // Already OAuth.
            (
                "a.properties",
                "adobe.client.id=c\nadobe.client.secret=$S\nadobe.scopes=openid\nims.url=https://ims-na1.adobelogin.com/ims/token/v3\n",
            ),
            // An SSH key beside an OAuth technical account.
            (
                "d.ini",
                "[deploy]\ntechnical_account_id = T@techacct.adobe.com\nssh_private_key = ~/.ssh/id\n",
            ),
            // Not this fix's file type.
            ("a.env", "META_SCOPES=ent_user_sdk\n"),
        ] {
            assert!(
                matches!(run(path, t, &[]), Attempt::NotApplicable),
                "{path}"
            );
        }
    }
}
