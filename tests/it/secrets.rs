//! No planted secret (PKCS#8 and PKCS#1 PEM keys, a one-line `\n`-escaped
//! key in JSON, a base64 PKCS#8 body, a `p8e-` client secret, a JWT and an
//! IMS-like access token) appears, whole or beyond a short prefix, in any
//! output format on stdout, on stderr, or in any error message: a scanned
//! file that does not parse, a config, baseline or rule file that is wrong.
//! `scan` has no log or verbosity option: stderr carries its notes and
//! errors, and is checked everywhere.

use std::path::Path;
use std::process::Output;

use crate::common::planted::{Planted, assert_no_leak, find_leak, write_tree};
use crate::common::{TODAY, bin, code, root};

const FORMATS: [&str; 7] = [
    "terminal", "json", "sarif", "markdown", "html", "junit", "github",
];

fn scan(args: &[&str], dir: &Path) -> Output {
    crate::common::bin_in(dir)
        .args(["scan", "--today", TODAY])
        .args(args)
        .arg(".")
        .output()
        .expect("run")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn the_check_finds_a_leak() {
    let p = Planted::new();
    let secrets = p.secrets();
    assert!(find_leak("nothing here …[redacted, 36 chars]", &secrets).is_none());
    let lines: Vec<&str> = p.pkcs1_pem.lines().collect();
    let line = lines[lines.len() - 2];
    assert!(find_leak(&format!("| {} |", &line[5..16]), &secrets).is_some());
    let tail = &p.client_secret[20..];
    assert!(find_leak(tail, &secrets).is_some(), "{tail}");
    assert!(find_leak(&p.client_secret[..4], &secrets).is_none());
    let sig = p.access_token.rsplit('.').next().expect("signature");
    assert!(find_leak(&sig[100..120], &secrets).is_some());
}

#[test]
fn every_format_on_stdout_and_stderr_is_clean() {
    let p = Planted::new();
    let secrets = p.secrets();
    let dir = tempfile::tempdir().expect("tempdir");
    let reported = write_tree(dir.path(), &root(), &p);

    // The tree does what the test needs: every planted file is reported,
    // the broken ones are listed as errors, the suppression is applied.
    let out = scan(&["--format", "json"], dir.path());
    assert_eq!(code(&out), 1, "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let paths: Vec<&str> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["path"].as_str())
        .collect();
    for want in reported {
        assert!(paths.contains(&want), "{want} not reported: {paths:?}");
    }
    let errors = v["errors"].to_string();
    for broken in ["broken/credential.json", "broken/values.yaml"] {
        assert!(errors.contains(broken), "{broken} not in errors: {errors}");
    }
    assert!(v["suppressed"].to_string().contains("src/legacy.py"));
    assert!(v.to_string().contains("…[redacted"), "nothing was masked");

    for format in FORMATS {
        let out = scan(&["--format", format], dir.path());
        assert!(!out.stdout.is_empty(), "{format}: no output");
        assert_no_leak(format, &text(&out.stdout), &secrets);
        assert_no_leak(&format!("{format} stderr"), &text(&out.stderr), &secrets);
    }
}

#[test]
fn strict_and_gate_variants_are_clean() {
    let p = Planted::new();
    let secrets = p.secrets();
    let dir = tempfile::tempdir().expect("tempdir");
    write_tree(dir.path(), &root(), &p);
    for args in [
        &["--strict", "--format", "terminal"][..],
        &["--fail-on", "never", "--format", "json"],
        &["--no-config", "--no-ignore", "--format", "sarif"],
        &["-j", "1", "--format", "github"],
    ] {
        let out = scan(args, dir.path());
        assert_no_leak(&format!("{args:?}"), &text(&out.stdout), &secrets);
        assert_no_leak(&format!("{args:?} stderr"), &text(&out.stderr), &secrets);
    }
}

/// Config values of the wrong type, unknown keys and unknown ids quote the
/// offending text in TOML's and jwt2oauth's messages.
#[test]
fn config_errors_are_clean() {
    let p = Planted::new();
    let secrets = p.secrets();
    let dir = tempfile::tempdir().expect("tempdir");
    crate::common::write(dir.path(), "a.py", "x = 1\n");
    let cs = &p.client_secret;
    let jwt = &p.jwt;
    let hex = "9f3a1c2b11112222333344445555666a";
    let key = p.pkcs1_pem.trim_end();
    let configs = [
        format!("fail_on = \"{cs}\"\n"),
        format!("warn_days = \"{cs}\"\n"),
        format!("warn_days = \"{hex}\"\n"),
        format!("\"{cs}\" = 1\n"),
        format!("{cs} = 1\n"),
        format!("[rules]\ndisable = [\"{cs}\"]\n"),
        format!("[rules.severity]\n\"{jwt}\" = \"high\"\n"),
        format!("[rules.deadline]\njwt-exchange-endpoint = \"{jwt}\"\n"),
        format!("[[ignore]]\nreason = \"x\"\nuntil = \"{jwt}\"\n"),
        format!("[paths]\ninclude = [\"{cs}[\"]\n"),
        format!("baseline = [\"{}\"]\n", p.access_token),
        format!("fail_on = '''{key}'''\n"),
        format!("fail_on = \"high\"\nclient_secret = \"{cs}"),
    ];
    for (i, config) in configs.iter().enumerate() {
        let file = dir.path().join(format!("c{i}.toml"));
        std::fs::write(&file, config).expect("write");
        let out = bin()
            .args(["scan", "--today", TODAY, "--config"])
            .arg(&file)
            .arg(dir.path())
            .output()
            .expect("run");
        let err = text(&out.stderr);
        assert_eq!(code(&out), 2, "config {i} is an error: {err}");
        assert!(
            err.contains(&format!("c{i}.toml:")),
            "names the file: {err}"
        );
        assert_no_leak(&format!("config {i} error"), &err, &secrets);
        assert!(
            !err.contains(hex),
            "config {i} error shows the hex secret: {err}"
        );
    }
}

#[test]
fn baseline_errors_are_clean() {
    let p = Planted::new();
    let secrets = p.secrets();
    let dir = tempfile::tempdir().expect("tempdir");
    crate::common::write(dir.path(), "a.py", "x = 1\n");
    let cs = &p.client_secret;
    let baselines = [
        format!(r#"{{"version":1,"{cs}":[]}}"#),
        format!(
            r#"{{"version":1,"entries":[{{"path":"a","rule_id":"r","fingerprint":"f","until":"{cs}"}}]}}"#
        ),
        format!(
            r#"{{"version":1,"entries":[{{"path":"a","rule_id":"r","fingerprint":"f","{}":1}}]}}"#,
            p.jwt
        ),
        format!(r#"{{"version":"{}","entries":[]}}"#, p.access_token),
        format!(
            r#"{{"version":1,"entries":[{{"path":"{}"#,
            p.json_escaped_pem()
        ),
    ];
    for (i, b) in baselines.iter().enumerate() {
        let file = dir.path().join(format!("b{i}.json"));
        std::fs::write(&file, b).expect("write");
        let out = scan(
            &["--no-config", "--baseline", &file.display().to_string()],
            dir.path(),
        );
        let err = text(&out.stderr);
        assert_eq!(code(&out), 2, "baseline {i} is an error: {err}");
        assert!(err.contains(&format!("b{i}.json")), "names the file: {err}");
        assert_no_leak(&format!("baseline {i} error"), &err, &secrets);
    }
}

/// A user rule file holding a secret-looking literal where the loader
/// complains: the messages of `rules lint`, `rules test`, `rules list`,
/// `rules explain` and `scan --rules` show none of it.
#[test]
fn rule_errors_are_clean() {
    let p = Planted::new();
    let secrets = p.secrets();
    let good = std::fs::read_to_string(root().join("rules/jwt-exchange-endpoint.yaml"))
        .expect("builtin rule");
    let cs = &p.client_secret;
    let variants = [
        good.replace("severity: critical", &format!("severity: {cs}")),
        good.replace("confidence: high", &format!("confidence: high\n{cs}: 1")),
        good.replace(
            "keywords: [\"exchange/jwt\", \"exchange/v1/jwt\"]",
            &format!("keywords: {{ a: \"{}\" }}", p.jwt),
        ),
        good.replace(
            "  regex: '(?i)(?P<hit>ims/exchange/(?:v1/)?jwt)(?-u:\\b)'",
            &format!("  regex: '(?P<hit>{}'", p.client_secret),
        ),
        good.replace("deadline: jwt-shutdown", &format!("deadline: {}", p.jwt)),
        format!("id: jwt-exchange-endpoint\ntitle: \"{cs}"),
        format!(
            "id: jwt-exchange-endpoint\nmessage: |\n{}",
            p.pkcs8_pem
                .lines()
                .map(|l| format!("  {l}\n"))
                .collect::<String>()
        ),
    ];
    for (i, rule) in variants.iter().enumerate() {
        assert_ne!(rule, &good, "variant {i} changes the rule");
        let dir = tempfile::tempdir().expect("tempdir");
        crate::common::write(dir.path(), "jwt-exchange-endpoint.yaml", rule);
        let d = dir.path().display().to_string();
        for args in [
            vec!["rules", "lint", &d],
            vec!["rules", "test", &d],
            vec!["rules", "list", "--rules", &d],
            vec!["rules", "explain", "jwt-exchange-endpoint", "--rules", &d],
            vec!["scan", "--no-config", "--rules", &d, &d],
        ] {
            let out = bin().args(&args).output().expect("run");
            let err = text(&out.stderr);
            assert_eq!(code(&out), 2, "variant {i} {args:?}: {err}");
            assert!(
                err.contains("jwt-exchange-endpoint.yaml"),
                "variant {i} {args:?} names the file: {err}"
            );
            assert_no_leak(&format!("variant {i} {args:?}"), &err, &secrets);
            assert_no_leak(
                &format!("variant {i} {args:?} stdout"),
                &text(&out.stdout),
                &secrets,
            );
        }
    }
}
