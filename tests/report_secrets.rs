//! No secret planted in the fixtures appears, whole or beyond a short
//! prefix, in any format added for CI and reports (SARIF, Markdown, HTML,
//! JUnit, GitHub annotations), in a baseline file, or in a history scan of
//! a repository where the key was committed and deleted.

mod common;

use std::process::Command;

use common::{TODAY, bin};

/// Secrets planted in `fixtures/corpus` (as in tests/secrets.rs), and the
/// longest prefix of each that may be shown.
fn planted() -> Vec<(String, usize)> {
    let mut v = vec![
        ("p8e-Zq3xV9LmT2rW8yN4bK6cH1dF5gJ7sP0a".to_string(), 4),
        ("QDfixtureKEYbodyAAAA".to_string(), 0),
        (
            "Q29udGludWVkRml4dHVyZUtleUJvZHlGb3JSZWRhY3Rpb25UZXN0c09ubHk".to_string(),
            4,
        ),
    ];
    let key = std::fs::read_to_string(common::root().join("fixtures/corpus/keys/private.key"))
        .expect("key");
    for line in key.lines().filter(|l| !l.starts_with("-----")) {
        v.push((line.to_string(), 4));
    }
    v
}

fn assert_clean(name: &str, output: &str) {
    assert!(!output.is_empty(), "{name}: no output to check");
    for (secret, prefix) in planted() {
        let chars: Vec<char> = secret.chars().collect();
        for start in prefix..chars.len().saturating_sub(12) {
            let window: String = chars[start..start + 12].iter().collect();
            assert!(
                !output.contains(&window),
                "{name} output leaks part of a secret ({window:?} from {secret:?})"
            );
        }
    }
}

#[test]
fn no_report_format_or_baseline_leaks_planted_secrets() {
    let dir = tempfile::tempdir().expect("tempdir");
    for format in ["sarif", "markdown", "html", "junit", "github"] {
        let out = bin()
            .args([
                "scan",
                "--today",
                TODAY,
                "--format",
                format,
                "fixtures/corpus",
            ])
            .output()
            .expect("run");
        assert_clean(format, &String::from_utf8_lossy(&out.stdout));
        assert_clean(
            &format!("{format} stderr"),
            &format!("{format}:{}", String::from_utf8_lossy(&out.stderr)),
        );
    }
    let baseline = dir.path().join("b.json");
    bin()
        .args(["scan", "--today", TODAY, "--write-baseline"])
        .arg(&baseline)
        .arg("fixtures/corpus")
        .output()
        .expect("run");
    assert_clean(
        "baseline",
        &std::fs::read_to_string(&baseline).expect("baseline written"),
    );
}

#[test]
fn history_scan_outputs_do_not_leak_the_deleted_key() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path();
    let git = |args: &[&str]| {
        let ok = Command::new("git")
            .arg("-C")
            .arg(p)
            .args(args)
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.com")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.com")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("HOME", p)
            .status()
            .expect("git")
            .success();
        assert!(ok, "git {args:?}");
    };
    git(&["init", "-q", "-b", "main"]);
    for rel in ["env/.env", "keys/private.key", "keys/certificate_pub.crt"] {
        let src = common::root().join("fixtures/corpus").join(rel);
        if src.is_file() {
            common::write(p, rel, &std::fs::read_to_string(&src).expect("fixture"));
        }
    }
    git(&["add", "-A"]);
    git(&["commit", "-q", "-m", "credential"]);
    git(&["rm", "-q", "-r", "keys", "env"]);
    git(&["commit", "-q", "-m", "remove"]);
    for format in [
        "json", "sarif", "markdown", "html", "junit", "github", "terminal",
    ] {
        let out = bin()
            .args(["scan", "--today", TODAY, "--history", "--format", format])
            .arg(p)
            .output()
            .expect("run");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("private.key"),
            "{format}: the key is reported"
        );
        assert_clean(&format!("history {format}"), &text);
    }
}
