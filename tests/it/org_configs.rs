//! Config per repository (issue 15, item 1): one scan of a directory of
//! checkouts applies each repository's own `jwt2oauth.toml` (`[paths]`,
//! `[[ignore]]`, `[rules]`) and its baseline, so that every repository's
//! findings, suppressed findings and fingerprints are those of a scan of it
//! alone (paths aside: they keep the repository's root as their prefix). A
//! config that does not parse is an error naming it, its repository is
//! incomplete, and the others are still scanned.

use std::path::Path;

use serde_json::Value;

use crate::common::scan_json_in as scan_in;
use crate::common::{code, scan_cmd, write};
use crate::org::repo;

/// A Node service signing the Adobe JWT (seven findings of six rules).
fn service(client: &str) -> String {
    crate::org::service(client, crate::org::SHARED_TECH)
}

const CLIENT_A: &str = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";
const CLIENT_B: &str = "fedcba98765432100123456789abcdef";
const CLIENT_C: &str = "11112222333344445555666677778888";

/// The entries of `key` (`findings` or `suppressed`) under `prefix/` (all
/// of them for `None`) as (path without the prefix, line, rule, severity,
/// fingerprint, suppression kind), sorted.
fn view(
    v: &Value,
    key: &str,
    prefix: Option<&str>,
) -> Vec<(String, u64, String, String, String, String)> {
    let mut out: Vec<_> = v[key]
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|f| {
            let path = f["path"].as_str().unwrap_or_default();
            let path = match prefix {
                Some(p) => path.strip_prefix(&format!("{p}/"))?,
                None => path,
            };
            Some((
                path.to_string(),
                f["line"].as_u64().unwrap_or_default(),
                f["rule_id"].as_str().unwrap_or_default().to_string(),
                f["severity"].as_str().unwrap_or_default().to_string(),
                f["fingerprint"].as_str().unwrap_or_default().to_string(),
                f["suppression"]["kind"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            ))
        })
        .collect();
    out.sort();
    out
}

/// The status of the repository named `name` in a report.
fn status(v: &Value, name: &str) -> String {
    v["repositories"]
        .as_array()
        .expect("repositories")
        .iter()
        .find(|r| r["name"] == name)
        .and_then(|r| r["status"].as_str())
        .unwrap_or("<missing>")
        .to_string()
}

/// `alpha` (its config ignores `legacy/**` and disables a rule), `beta`
/// (its baseline, written by scanning it alone, covers its first file) and
/// `gamma` (no config) under `org`, which has a config of its own.
fn three_repos(org: &Path) {
    repo(
        &org.join("alpha"),
        &[
            ("src/token.js", service(CLIENT_A)),
            ("legacy/old.js", service(CLIENT_A)),
            (
                "jwt2oauth.toml",
                "[rules]\ndisable = [\"adobe-metascope-name\"]\nseverity = { adobe-jwt-key-read = \"critical\" }\n\n\
                 [[ignore]]\npath = \"legacy/**\"\nreason = \"retired in PLAT-1\"\n"
                    .into(),
            ),
        ],
        None,
    );
    repo(
        &org.join("beta"),
        &[
            ("src/token.js", service(CLIENT_B)),
            (
                "jwt2oauth.toml",
                "baseline = \"jwt2oauth-baseline.json\"\n".into(),
            ),
        ],
        None,
    );
    // beta's baseline, written by a scan of beta alone, then a new file.
    let out = scan_cmd("json")
        .args(["--write-baseline", "jwt2oauth-baseline.json", "."])
        .current_dir(org.join("beta"))
        .output()
        .expect("run");
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    write(&org.join("beta"), "src/new.js", &service(CLIENT_B));
    repo(&org.join("gamma"), &[("index.js", service(CLIENT_C))], None);
    // The top config: it ignores a scratch directory outside every
    // repository and disables a rule; a repository with a config of its
    // own does not see it.
    write(org, "scratch/try.js", &service(CLIENT_C));
    write(org, "notes/try.js", &service(CLIENT_C));
    write(
        org,
        "jwt2oauth.toml",
        "[[ignore]]\npath = \"scratch/**\"\nreason = \"experiments\"\n",
    );
}

#[test]
fn each_repository_in_one_scan_is_as_when_scanned_alone() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let org = tmp.path().join("org");
    three_repos(&org);
    let (rc, whole) = scan_in(&org, &[]);
    assert_eq!(rc, 1, "{whole}");
    for name in ["alpha", "beta", "gamma"] {
        let (_, alone) = scan_in(org.join(name), &[]);
        assert_eq!(
            view(&whole, "findings", Some(name)),
            view(&alone, "findings", None),
            "{name}: findings"
        );
        assert_eq!(
            view(&whole, "suppressed", Some(name)),
            view(&alone, "suppressed", None),
            "{name}: suppressed findings"
        );
    }
    // What each repository's config did, so the equality above is no
    // accident of empty lists.
    let alpha = view(&whole, "findings", Some("alpha"));
    assert!(!alpha.is_empty());
    assert!(alpha.iter().all(|f| f.0 == "src/token.js"), "{alpha:?}");
    assert!(
        !alpha.iter().any(|f| f.2 == "adobe-metascope-name"),
        "{alpha:?}"
    );
    assert!(
        alpha
            .iter()
            .any(|f| f.2 == "adobe-jwt-key-read" && f.3 == "critical"),
        "{alpha:?}"
    );
    let alpha_suppressed = view(&whole, "suppressed", Some("alpha"));
    assert!(
        !alpha_suppressed.is_empty()
            && alpha_suppressed
                .iter()
                .all(|f| f.0 == "legacy/old.js" && f.5 == "config"),
        "{alpha_suppressed:?}"
    );
    let beta = view(&whole, "findings", Some("beta"));
    assert!(
        beta.iter().any(|f| f.0 == "src/new.js") && !beta.iter().any(|f| f.0 == "src/token.js"),
        "{beta:?}"
    );
    let beta_suppressed = view(&whole, "suppressed", Some("beta"));
    assert!(
        !beta_suppressed.is_empty()
            && beta_suppressed
                .iter()
                .all(|f| f.0 == "src/token.js" && f.5 == "baseline"),
        "{beta_suppressed:?}"
    );
    // The top config still applies outside every repository.
    let top = view(&whole, "suppressed", None);
    assert!(top.iter().any(|f| f.0 == "scratch/try.js"), "{top:?}");
    assert!(
        view(&whole, "findings", None)
            .iter()
            .any(|f| f.0 == "notes/try.js")
    );
    assert!(
        whole["errors"].as_array().is_some_and(Vec::is_empty),
        "{}",
        whole["errors"]
    );
}

#[test]
fn the_top_config_applies_to_repositories_without_their_own() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let org = tmp.path().join("org");
    three_repos(&org);
    write(
        &org,
        "jwt2oauth.toml",
        "[rules]\ndisable = [\"adobe-techacct-with-key\"]\n",
    );
    let (_, whole) = scan_in(&org, &[]);
    let rules = |name: &str| -> Vec<String> {
        view(&whole, "findings", Some(name))
            .into_iter()
            .map(|f| f.2)
            .collect()
    };
    // gamma has no config: the scanned directory's applies to it.
    assert!(!rules("gamma").is_empty());
    assert!(
        !rules("gamma")
            .iter()
            .any(|r| r == "adobe-techacct-with-key")
    );
    // alpha has its own: only its own applies.
    assert!(
        rules("alpha")
            .iter()
            .any(|r| r == "adobe-techacct-with-key")
    );
    // --no-config: one config (none) for every file, as before.
    let (_, bare) = scan_in(&org, &["--no-config"]);
    let all = view(&bare, "findings", Some("alpha"));
    assert!(all.iter().any(|f| f.0 == "legacy/old.js"), "{all:?}");
    assert!(all.iter().any(|f| f.2 == "adobe-metascope-name"), "{all:?}");
}

#[test]
fn a_broken_repository_config_is_an_error_and_the_others_are_scanned() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let org = tmp.path().join("org");
    three_repos(&org);
    write(
        &org.join("gamma"),
        "jwt2oauth.toml",
        "[paths]\nexclud = [\"x\"]\n",
    );
    let (rc, whole) = scan_in(&org, &[]);
    assert_eq!(rc, 1, "alpha and beta still fail the gate: {whole}");
    let errors = whole["errors"].as_array().expect("errors");
    assert!(
        errors.iter().any(|e| e["path"] == "gamma/jwt2oauth.toml"
            && e["message"].as_str().is_some_and(|m| m.contains("exclud"))),
        "{errors:?}"
    );
    assert_eq!(status(&whole, "gamma"), "incomplete");
    assert_eq!(status(&whole, "alpha"), "jwt-in-use");
    assert_eq!(status(&whole, "beta"), "jwt-in-use");
    assert!(view(&whole, "findings", Some("gamma")).is_empty());
    // --strict: an incomplete scan never passes quietly.
    std::fs::remove_dir_all(org.join("alpha")).expect("rm");
    std::fs::remove_dir_all(org.join("beta")).expect("rm");
    std::fs::remove_dir_all(org.join("notes")).expect("rm");
    let (rc, _) = scan_in(&org, &["--strict"]);
    assert_eq!(rc, 3);
}

#[test]
fn a_repository_fail_on_that_the_gate_overrides_is_a_warning() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let org = tmp.path().join("org");
    repo(
        &org.join("svc"),
        &[
            ("index.js", service(CLIENT_A)),
            ("jwt2oauth.toml", "\nfail_on = \"never\"\n".into()),
        ],
        None,
    );
    repo(&org.join("other"), &[("README.md", "# x\n".into())], None);
    let (rc, whole) = scan_in(&org, &[]);
    assert_eq!(rc, 1, "the scan's gate (low) applies");
    let warnings = whole["warnings"].as_array().expect("warnings");
    assert!(
        warnings
            .iter()
            .any(|w| w["path"] == "svc/jwt2oauth.toml" && w["line"] == 2),
        "{warnings:?}"
    );
}
