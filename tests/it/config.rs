//! `jwt2oauth.toml`: found at the scanned root (or `--config`), unknown keys
//! and bad values are errors naming the line (exit 2), and every setting
//! changes the scan as documented.

use crate::common::scan_in as scan;
use crate::common::{triples, write};

const EXCHANGE: &str = "URL = 'https://ims-na1.adobelogin.com/ims/exchange/jwt'\n";
const AUD: &str = "AUD = 'https://ims-na1.adobelogin.com/c/' + CLIENT_ID\n";

#[test]
fn unknown_key_is_an_error_naming_its_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "a.py", EXCHANGE);
    write(
        dir.path(),
        "jwt2oauth.toml",
        "fail_on = \"high\"\n\n[paths]\nexclude = [\"x/**\"]\nexlude = [\"y\"]\n",
    );
    let (rc, _, err) = scan(dir.path(), &[]);
    assert_eq!(rc, 2);
    assert!(err.contains("jwt2oauth.toml:5:"), "{err}");
    assert!(err.contains("exlude"), "{err}");
    // An unknown rule id is pointed at too.
    write(
        dir.path(),
        "jwt2oauth.toml",
        "[rules]\ndisable = [\n  \"jwt-exchange-endpoint\",\n  \"no-such-rule\",\n]\n",
    );
    let (rc, _, err) = scan(dir.path(), &[]);
    assert_eq!(rc, 2);
    assert!(
        err.contains("jwt2oauth.toml:4:") && err.contains("no-such-rule"),
        "{err}"
    );
}

#[test]
fn settings_change_the_scan() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path();
    write(p, "src/a.py", EXCHANGE);
    write(p, "src/b.py", AUD);
    write(p, "vendor/c.py", EXCHANGE);
    write(p, "tools/d.py", EXCHANGE);
    write(
        p,
        "jwt2oauth.toml",
        r#"fail_on = "critical"

[paths]
exclude = ["vendor/**"]

[rules]
severity = { adobe-jwt-aud-claim = "low" }

[[ignore]]
rule = "jwt-exchange-endpoint"
path = "tools/**"
reason = "tool retired in PLAT-1234"
until = 2027-01-31

[[ignore]]
path = "old/**"
reason = "nothing there any more"
"#,
    );
    let (rc, v, _) = scan(p, &[]);
    let found = triples(&v, "findings");
    assert!(
        found.iter().all(|(f, _, _)| !f.starts_with("vendor/")),
        "{found:?}"
    );
    assert!(found.iter().any(|(f, _, _)| f == "src/b.py"));
    assert_eq!(v["suppressed"][0]["path"], "tools/d.py");
    assert_eq!(v["suppressed"][0]["suppression"]["kind"], "config");
    assert_eq!(
        v["suppressed"][0]["suppression"]["reason"],
        "tool retired in PLAT-1234"
    );
    assert_eq!(v["stale_suppressions"][0]["path"], "old/**");
    assert_eq!(v["stale_suppressions"][0]["problem"], "unmatched");
    assert_eq!(v["summary"]["fail_on"], "critical");
    assert_eq!(rc, 1, "src/a.py is critical");
    // --fail-on on the command line wins over the config.
    let (rc, v, _) = scan(p, &["--fail-on", "never"]);
    assert_eq!((rc, v["summary"]["fail_on"].as_str()), (0, Some("never")));
    // --no-config ignores the file.
    let (_, v, _) = scan(p, &["--no-config"]);
    assert!(
        triples(&v, "findings")
            .iter()
            .any(|(f, _, _)| f == "vendor/c.py")
    );
}

#[test]
fn disabled_rules_deadlines_and_config_baseline() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path();
    write(p, "a.py", EXCHANGE);
    write(p, "b.py", AUD);
    write(
        p,
        "jwt2oauth.toml",
        r#"baseline = "jwt2oauth-baseline.json"

[rules]
disable = ["adobe-jwt-aud-claim"]
deadline = { jwt-exchange-endpoint = "our-cert" }

[deadlines.our-cert]
date = 2027-06-30
title = "Our certificate expires"
"#,
    );
    let baseline = p.join("jwt2oauth-baseline.json");
    // Without the baseline file, the config's baseline is an error that says
    // how to create it.
    let (rc, _, err) = scan(p, &[]);
    assert_eq!(rc, 2);
    assert!(err.contains("--write-baseline"), "{err}");
    let (rc, v, _) = scan(p, &["--write-baseline", baseline.to_str().expect("utf-8")]);
    assert_eq!(rc, 0);
    assert_eq!(v["suppressed"].as_array().map(Vec::len), Some(1));
    let f = &v["suppressed"][0];
    assert_eq!(f["rule_id"], "jwt-exchange-endpoint");
    assert_eq!(f["deadline"]["id"], "our-cert");
    assert_eq!(f["deadline"]["status"], "scheduled");
    // The config's baseline is used from now on.
    let (rc, v, _) = scan(p, &[]);
    assert_eq!(rc, 0, "{v:#}");
    assert_eq!(v["suppressed"][0]["suppression"]["kind"], "baseline");
}

#[test]
fn explicit_config_path() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "tree/a.py", EXCHANGE);
    write(dir.path(), "ci.toml", "fail_on = \"never\"\n");
    let cfg = dir.path().join("ci.toml");
    let (rc, v, _) = scan(
        dir.path().join("tree"),
        &["--config", cfg.to_str().expect("utf-8")],
    );
    assert_eq!(rc, 0);
    assert_eq!(v["summary"]["fail_on"], "never");
}
