//! `jwt2oauth scan` end to end: the real binary on `fixtures/` and on trees
//! built at test time.

use crate::common::{TODAY, bin, bin_in, code, scan_json, scan_json_in, triples, write};

/// The labelled corpus: every expected finding is reported (recall) and
/// nothing else is (precision), and the negative files produce nothing.
#[test]
fn corpus_matches_expected_findings_exactly() {
    let (rc, v) = scan_json_in("fixtures/corpus", &[]);
    assert_eq!(rc, 1, "findings fail the gate");
    let got = triples(&v, "findings");
    let expected_text =
        std::fs::read_to_string(crate::common::root().join("fixtures/corpus/EXPECTED.tsv"))
            .expect("EXPECTED.tsv");
    let mut expected: Vec<(String, u64, String)> = expected_text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let mut it = l.split('\t');
            let p = it.next().expect("path").to_string();
            let line = it.next().expect("line").parse().expect("line number");
            let r = it.next().expect("rule").to_string();
            (p, line, r)
        })
        .collect();
    expected.sort();
    let false_positives: Vec<_> = got.iter().filter(|t| !expected.contains(t)).collect();
    let misses: Vec<_> = expected.iter().filter(|t| !got.contains(t)).collect();
    let tp = got.len() - false_positives.len();
    let precision = tp as f64 / got.len().max(1) as f64;
    let recall = tp as f64 / expected.len().max(1) as f64;
    eprintln!("corpus: precision {precision:.3}, recall {recall:.3} ({tp} true positives)");
    assert!(
        false_positives.is_empty() && misses.is_empty(),
        "false positives: {false_positives:#?}\nmisses: {misses:#?}"
    );
    assert!(got.iter().all(|(p, _, _)| !p.starts_with("negative/")));
}

#[test]
fn negative_fixtures_alone_are_clean() {
    let (rc, v) = scan_json_in("fixtures/corpus/negative", &[]);
    assert_eq!(v["findings"].as_array().map(Vec::len), Some(0), "{v:#}");
    assert_eq!(rc, 0);
}

#[test]
fn clean_tree_exits_zero() {
    let out = bin_in("fixtures/clean")
        .args(["scan", "--today", TODAY, "."])
        .output()
        .expect("run");
    assert_eq!(code(&out), 0);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("0 findings"), "{text}");
    assert!(text.contains("gate (--fail-on low): passed"), "{text}");
}

#[test]
fn json_report_has_the_documented_shape() {
    let (_, v) = scan_json_in("fixtures/corpus", &[]);
    assert_eq!(v["version"], 1);
    assert_eq!(v["tool"]["name"], "jwt2oauth");
    assert_eq!(v["today"], TODAY);
    let f = &v["findings"][0];
    for key in [
        "rule_id",
        "category",
        "severity",
        "confidence",
        "path",
        "line",
        "column",
        "end_line",
        "end_column",
        "message",
        "snippet",
        "fingerprint",
        "deadline",
        "remediation",
    ] {
        assert!(f.get(key).is_some(), "finding lacks {key}: {f:#}");
    }
    let d = &f["deadline"];
    for key in ["date", "status", "days", "source"] {
        assert!(d.get(key).is_some(), "deadline lacks {key}");
    }
    assert_eq!(d["status"], "past-due");
    assert!(v["summary"]["findings"].as_u64().is_some());
    assert!(v["errors"].as_array().is_some());
    // Paths are relative to the scanned root, with forward slashes.
    for f in v["findings"].as_array().expect("findings") {
        let p = f["path"].as_str().expect("path");
        assert!(
            !p.starts_with('/') && !p.contains('\\') && !p.starts_with("fixtures"),
            "{p}"
        );
        assert!(f["line"].as_u64() >= Some(1) && f["column"].as_u64() >= Some(1));
        assert!(f["end_column"].as_u64() >= Some(1));
    }
}

#[test]
fn json_snapshot_of_corpus() {
    let (_, v) = scan_json_in("fixtures/corpus", &[]);
    insta::assert_json_snapshot!("corpus_json", v, {
        ".tool.version" => "[version]",
    });
}

#[test]
fn terminal_snapshot_and_no_colour_off_a_terminal() {
    let out = bin_in("fixtures/corpus/python-jwt")
        .args(["scan", "--today", TODAY, "."])
        .output()
        .expect("run");
    let text = String::from_utf8(out.stdout).expect("utf-8");
    assert!(
        !text.contains('\u{1b}'),
        "no escape codes when stdout is not a terminal"
    );
    insta::assert_snapshot!("terminal_python", text);
}

#[test]
fn colour_forced_and_no_color_respected() {
    let out = bin_in("fixtures/corpus/python-jwt")
        .env_remove("NO_COLOR")
        .args(["scan", "--color", "always", "--today", TODAY, "."])
        .output()
        .expect("run");
    assert!(String::from_utf8_lossy(&out.stdout).contains('\u{1b}'));
}

#[test]
fn past_due_and_scheduled_statuses_follow_today() {
    let out = bin_in("fixtures/corpus/python-jwt")
        .args(["scan", "--format", "json", "--today", "2025-01-01", "."])
        .output()
        .expect("run");
    let v = crate::common::parse(&out);
    let f = &v["findings"][0];
    assert_eq!(f["deadline"]["status"], "scheduled");
    assert_eq!(f["deadline"]["days"], 424);
    // Not past due: the rule's own severity stands.
    assert_eq!(f["severity"], f["rule_severity"]);
    let out = bin_in("fixtures/corpus/python-jwt")
        .args(["scan", "--format", "json", "--today", "2026-01-15", "."])
        .output()
        .expect("run");
    let v = crate::common::parse(&out);
    assert_eq!(v["findings"][0]["deadline"]["status"], "due-soon");
    assert_eq!(v["findings"][0]["deadline"]["days"], 45);
}

#[test]
fn fail_on_threshold_and_never() {
    // Past-due findings are at least high: --fail-on high still fails.
    let (rc, _) = scan_json_in("fixtures/corpus/python-jwt", &["--fail-on", "high"]);
    assert_eq!(rc, 1);
    let (rc, v) = scan_json_in("fixtures/corpus", &["--fail-on", "never"]);
    assert_eq!(rc, 0);
    assert_eq!(v["summary"]["gate_failed"], false);
    // Before the deadline a medium finding does not fail --fail-on high.
    let out = bin_in("fixtures/corpus/env")
        .args([
            "scan",
            "--today",
            "2025-01-01",
            "--fail-on",
            "critical",
            ".",
        ])
        .output()
        .expect("run");
    assert_eq!(code(&out), 1, "the embedded key is critical");
    let out = bin()
        .args([
            "scan",
            "--today",
            "2025-01-01",
            "--fail-on",
            "critical",
            "fixtures/corpus/postman/adobe-io.postman_environment.json",
        ])
        .output()
        .expect("run");
    assert_eq!(
        code(&out),
        0,
        "postman findings are high at most before the deadline"
    );
}

#[test]
fn oauth_findings_never_fail_the_gate() {
    let (rc, v) = scan_json_in("fixtures/corpus/oauth", &["--fail-on", "info"]);
    assert_eq!(v["summary"]["findings"], 1);
    assert_eq!(v["findings"][0]["category"], "oauth-s2s");
    assert_eq!(rc, 0);
}

#[test]
fn inline_suppression_is_listed_with_its_reason() {
    let (_, v) = scan_json_in("fixtures/corpus/java-jjwt", &[]);
    let s = &v["suppressed"][0];
    assert_eq!(s["rule_id"], "jwt-exchange-endpoint");
    assert_eq!(s["suppression"]["kind"], "inline");
    assert_eq!(s["suppression"]["reason"], "kept until PLAT-1234 ships");
    assert_eq!(v["summary"]["suppressed"], 1);
    assert!(triples(&v, "findings").iter().all(|(_, l, _)| *l != 24));
}

#[test]
fn suppression_on_previous_line_and_for_other_rules() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "a.py",
        "# jwt2oauth:ignore[jwt-exchange-endpoint] migrating in Q3\n\
         URL = 'https://ims-na1.adobelogin.com/ims/exchange/jwt'\n\
         # jwt2oauth:ignore[adobe-jwt-aud-claim] wrong rule\n\
         URL2 = 'https://ims-na1.adobelogin.com/ims/exchange/jwt'\n",
    );
    let d = dir.path().to_str().expect("utf-8 path");
    let (_, v) = scan_json_in(d, &[]);
    assert_eq!(
        triples(&v, "suppressed"),
        vec![("a.py".into(), 2, "jwt-exchange-endpoint".into())]
    );
    assert_eq!(
        triples(&v, "findings"),
        vec![("a.py".into(), 4, "jwt-exchange-endpoint".into())]
    );
    assert_eq!(
        v["suppressed"][0]["suppression"]["reason"],
        "migrating in Q3"
    );
}

#[test]
fn broken_rule_file_exits_2_naming_file_rule_and_field() {
    let out = bin()
        .args(["scan", "--rules", "fixtures/broken-rules", "fixtures/clean"])
        .output()
        .expect("run");
    assert_eq!(code(&out), 2);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("broken-rule.yaml"), "{err}");
    assert!(err.contains("rule `broken-rule`"), "{err}");
    assert!(err.contains("serverity"), "{err}");
    let out = bin()
        .args(["rules", "lint", "fixtures/broken-rules"])
        .output()
        .expect("run");
    assert_eq!(code(&out), 2);
}

#[test]
fn usage_errors_exit_2() {
    let out = bin_in("fixtures/clean")
        .args(["scan", "--today", "23/11/2026", "."])
        .output()
        .expect("run");
    assert_eq!(code(&out), 2);
    assert!(String::from_utf8_lossy(&out.stderr).contains("--today"));
    let out = bin()
        .args(["scan", "--fail-on", "sometimes"])
        .output()
        .expect("run");
    assert_eq!(code(&out), 2);
}

#[test]
fn incomplete_scan_exits_3_only_with_strict() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "console.json",
        "{\"technical_account_id\": [1,\n",
    );
    let d = dir.path().to_str().expect("utf-8 path");
    let (rc, v) = scan_json_in(d, &[]);
    assert_eq!(rc, 0);
    assert_eq!(v["errors"].as_array().map(Vec::len), Some(1));
    assert_eq!(v["summary"]["incomplete"], true);
    let (rc, _) = scan_json_in(d, &["--strict"]);
    assert_eq!(rc, 3);
}

#[test]
fn walker_skips_git_binaries_large_files_and_symlinks_and_counts_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path();
    let line = "URL = 'https://ims-na1.adobelogin.com/ims/exchange/jwt'\n";
    write(p, ".git/config", line);
    write(p, "src/app.py", line);
    write(p, "ignored/app.py", line);
    write(p, ".gitignore", "ignored/\n");
    std::fs::write(p.join("bin.dat"), b"\0\0\0ims/exchange/jwt").expect("write");
    write(p, "big.js", &line.repeat(100));
    #[cfg(unix)]
    std::os::unix::fs::symlink(p.join("src"), p.join("link")).expect("symlink");
    let d = p.to_str().expect("utf-8 path");
    let (_, v) = scan_json_in(d, &["--max-filesize", "1K"]);
    assert_eq!(
        triples(&v, "findings"),
        vec![("src/app.py".into(), 1, "jwt-exchange-endpoint".into())]
    );
    assert_eq!(v["summary"]["skipped_binary"], 1);
    assert_eq!(v["summary"]["skipped_too_large"], 1);
    assert_eq!(v["skipped"][0]["path"], "big.js");
    let (_, v) = scan_json_in(d, &["--no-ignore", "--max-filesize", "1K"]);
    assert!(
        triples(&v, "findings")
            .iter()
            .any(|(p, _, _)| p == "ignored/app.py")
    );
    #[cfg(unix)]
    {
        let (_, v) = scan_json_in(d, &["--follow", "--max-filesize", "1K"]);
        assert!(
            triples(&v, "findings")
                .iter()
                .any(|(p, _, _)| p == "link/app.py")
        );
    }
}

#[test]
fn gitignored_credential_files_are_scanned_anyway() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path();
    write(p, ".gitignore", "secrets/\n.env\nnode_modules/\n");
    let key =
        std::fs::read_to_string(crate::common::root().join("fixtures/corpus/keys/private.key"))
            .expect("key");
    write(p, "secrets/private.key", &key);
    write(p, "secrets/certificate_pub.crt", "certificate");
    write(
        p,
        "secrets/notes.py",
        "URL = 'https://ims-na1.adobelogin.com/ims/exchange/jwt'\n",
    );
    write(p, "node_modules/pkg/private.key", &key);
    write(p, "node_modules/pkg/certificate_pub.crt", "certificate");
    let d = p.to_str().expect("utf-8 path");
    let (_, v) = scan_json_in(d, &[]);
    assert_eq!(
        triples(&v, "findings"),
        vec![(
            "secrets/private.key".into(),
            1,
            "adobe-jwt-private-key-pair".into()
        )],
        "the ignored key is found; ignored code and dependency dirs are not"
    );
    // The key and its certificate.
    assert_eq!(v["summary"]["ignored_credential_files_scanned"], 2);
}

#[test]
fn user_rules_add_and_override() {
    let dir = tempfile::tempdir().expect("tempdir");
    let src =
        std::fs::read_to_string(crate::common::root().join("rules/jwt-exchange-endpoint.yaml"))
            .expect("rule");
    write(
        dir.path(),
        "rules/jwt-exchange-endpoint.yaml",
        &src.replace("severity: critical", "severity: low"),
    );
    write(
        dir.path(),
        "tree/a.py",
        "URL = 'https://ims-na1.adobelogin.com/ims/exchange/jwt'\n",
    );
    let rules = dir.path().join("rules");
    let tree = dir.path().join("tree");
    let out = bin()
        .args([
            "scan",
            "--format",
            "json",
            "--today",
            "2025-01-01",
            "--rules",
        ])
        .arg(&rules)
        .arg(&tree)
        .output()
        .expect("run");
    let v = crate::common::parse(&out);
    assert_eq!(v["findings"][0]["rule_severity"], "low");
}

#[test]
fn multiple_roots_keep_their_prefix() {
    let (_, v) = scan_json(&["fixtures/corpus/oauth", "fixtures/corpus/env/.env"]);
    let paths: Vec<String> = triples(&v, "findings").into_iter().map(|t| t.0).collect();
    assert!(
        paths.contains(&"fixtures/corpus/oauth/token.py".to_string()),
        "{paths:?}"
    );
    assert!(
        paths.contains(&"fixtures/corpus/env/.env".to_string()),
        "{paths:?}"
    );
}

/// Output into a pipe whose reader is gone (`jwt2oauth ... | head`) ends
/// the process quietly, never with a panic message.
#[test]
fn a_closed_output_pipe_is_no_panic() {
    for args in [
        &["rules", "list"][..],
        &["rules", "explain", "jwt-exchange-endpoint"][..],
        &["scan", "fixtures/corpus", "--today", "2026-11-23"][..],
    ] {
        let (reader, writer) = std::io::pipe().expect("pipe");
        drop(reader);
        let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("jwt2oauth"))
            .current_dir(crate::common::root())
            .args(args)
            .stdout(writer)
            .stderr(std::process::Stdio::piped())
            .output()
            .expect("run");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            !stderr.contains("panicked") && !stderr.contains("Broken pipe"),
            "{args:?}: {stderr}"
        );
    }
}
