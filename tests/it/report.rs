//! The migration report (Markdown, HTML), JUnit and GitHub annotations on
//! the fixtures: snapshots, structure, several formats in one run, and
//! report files written with mode 0600.

use crate::common::{TODAY, bin, code};

fn run(args: &[&str]) -> (i32, String) {
    let out = bin()
        .args(["scan", "--today", TODAY])
        .args(args)
        .output()
        .expect("run");
    (code(&out), String::from_utf8(out.stdout).expect("utf-8"))
}

#[test]
fn markdown_report_snapshot() {
    let (rc, md) = run(&["--format", "markdown", "fixtures/corpus/python-jwt"]);
    assert_eq!(rc, 1);
    insta::assert_snapshot!(
        "markdown_python",
        md.replace(env!("CARGO_PKG_VERSION"), "[version]")
    );
}

#[test]
fn markdown_report_sections_on_the_corpus() {
    let (_, md) = run(&["--format", "md", "fixtures/corpus"]);
    for section in [
        "## Executive summary",
        "### Findings by category and deadline status",
        "### Effective cut-off per credential",
        "### Metascopes and OAuth scopes",
        "### Secrets and keys to rotate or delete",
        "### Migration steps",
        "### Checklist",
        "## Findings",
        "## Suppressed findings",
    ] {
        assert!(md.contains(section), "missing {section}");
    }
    assert!(md.contains("Add equivalent OAuth Server-to-Server credential"));
    assert!(md.contains("- [ ] "));
    assert!(md.contains("`openid,AdobeID,user_management_sdk`"));
}

#[test]
fn junit_snapshot() {
    let (rc, xml) = run(&[
        "--format",
        "junit",
        "--fail-on",
        "high",
        "fixtures/corpus/java-jjwt",
    ]);
    assert_eq!(rc, 1);
    insta::assert_snapshot!("junit_java", xml);
    assert!(xml.contains("<failure"));
    assert!(xml.contains("<skipped"), "the inline-suppressed finding");
}

#[test]
fn github_annotations_snapshot() {
    let (_, text) = run(&["--format", "github", "fixtures/corpus/python-jwt"]);
    for line in text.lines() {
        assert!(line.starts_with("::"), "one command per line: {line}");
    }
    insta::assert_snapshot!("github_python", text);
}

#[test]
fn json_snapshot_with_baseline_and_stale_entries() {
    let dir = tempfile::tempdir().expect("tempdir");
    let tree = dir.path().join("tree");
    crate::common::write(
        &tree,
        "auth.py",
        "URL = 'https://ims-na1.adobelogin.com/ims/exchange/jwt'\nAUD = 'https://ims-na1.adobelogin.com/c/' + CLIENT_ID\n",
    );
    crate::common::write(
        dir.path(),
        "baseline.json",
        r#"{"version": 1, "entries": [
  {"path": "auth.py", "rule_id": "jwt-exchange-endpoint", "fingerprint": "FP", "reason": "PLAT-1", "until": "2027-01-31"},
  {"path": "gone.py", "rule_id": "jwt-exchange-endpoint", "fingerprint": "00000000000000000000000000000000"}
]}"#,
    );
    // Find the real fingerprint first.
    let (_, v) = crate::common::scan_json(&[tree.to_str().expect("utf-8")]);
    let fp = v["findings"][0]["fingerprint"]
        .as_str()
        .expect("fp")
        .to_string();
    let b = dir.path().join("baseline.json");
    let text = std::fs::read_to_string(&b)
        .expect("read")
        .replace("\"FP\"", &format!("{fp:?}"));
    std::fs::write(&b, text).expect("write");
    let (rc, v) = crate::common::scan_json(&[
        "--baseline",
        b.to_str().expect("utf-8"),
        tree.to_str().expect("utf-8"),
    ]);
    assert_eq!(rc, 1, "the aud claim is new");
    insta::assert_json_snapshot!("json_baseline", v, {
        ".tool.version" => "[version]",
        ".baseline" => "[baseline]",
    });
}

#[test]
fn html_report_is_self_contained() {
    let (_, html) = run(&["--format", "html", "fixtures/corpus"]);
    assert!(html.starts_with("<!DOCTYPE html>"));
    for forbidden in [
        "<link",
        "<img",
        "<iframe",
        "src=\"http",
        "@import",
        "url(",
        "<script src",
    ] {
        assert!(!html.contains(forbidden), "external asset: {forbidden}");
    }
    assert!(html.contains("<svg id=\"chart\""));
    assert!(html.contains("<style>"));
    let (_, v) = crate::common::scan_json(&["fixtures/corpus"]);
    let n = |k: &str| v[k].as_array().expect("array").len();
    assert_eq!(
        html.matches("<article class=\"finding").count(),
        n("findings")
    );
    assert_eq!(
        html.matches("<section class=\"credential\"").count(),
        n("groups")
    );
}

#[test]
fn several_formats_in_one_run_to_private_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = |n: &str| dir.path().join(n).to_str().expect("utf-8").to_string();
    let (sarif, html, junit, md, json) = (
        p("r.sarif"),
        p("r.html"),
        p("r.xml"),
        p("r.md"),
        p("r.json"),
    );
    let (rc, stdout) = run(&[
        "--format",
        "json",
        "--format",
        "html",
        "-o",
        &json,
        "-o",
        &html,
        "-o",
        &format!("sarif={sarif}"),
        "-o",
        &format!("junit={junit}"),
        "-o",
        &format!("markdown={md}"),
        "fixtures/corpus/python-jwt",
    ]);
    assert_eq!(rc, 1);
    assert!(stdout.is_empty(), "every format went to a file: {stdout}");
    for f in [&sarif, &html, &junit, &md, &json] {
        let meta = std::fs::metadata(f).unwrap_or_else(|e| panic!("{f}: {e}"));
        assert!(meta.len() > 100, "{f}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(meta.permissions().mode() & 0o777, 0o600, "{f}");
        }
    }
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).expect("json")).expect("json");
    assert_eq!(v["version"], 1);
    // `-o sarif=FILE` alone: the terminal report still goes to stdout.
    let (_, stdout) = run(&[
        "-o",
        &format!("sarif={sarif}"),
        "fixtures/corpus/python-jwt",
    ]);
    assert!(stdout.contains("gate (--fail-on low): FAILED"), "{stdout}");
    // Two formats for stdout is a usage error.
    let out = bin()
        .args([
            "scan",
            "--format",
            "json",
            "--format",
            "sarif",
            "fixtures/clean",
        ])
        .output()
        .expect("run");
    assert_eq!(code(&out), 2);
}

#[test]
fn no_progress_bar_off_a_terminal() {
    // stderr is a pipe here: no progress output, only notes.
    let out = bin()
        .args([
            "scan",
            "--today",
            TODAY,
            "--format",
            "sarif",
            "fixtures/corpus",
        ])
        .output()
        .expect("run");
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout.starts_with(b"{"));
}
