//! Registry-wide checks over the built-in rules: they lint, their examples
//! pass, and every rule is exercised by the labelled fixture corpus.

use std::collections::BTreeSet;

use crate::common::{bin, code};
use jwt2oauth::rules::examples::run_examples;
use jwt2oauth::rules::load;

#[test]
fn builtin_rules_lint_clean() {
    let out = bin().args(["rules", "lint"]).output().expect("run");
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn every_rule_example_passes() {
    let set = load(&[], false).expect("built-in rules load");
    let (count, failures) = run_examples(&set);
    assert!(count >= 2 * set.rules.len());
    assert!(failures.is_empty(), "{failures:#?}");
}

/// Per-rule snapshots generated from the rules' own examples (as ruff
/// snapshots its fixtures): for every example of a rule, the rule's findings
/// with their span, severity, snippet (redacted like every output),
/// related sites and the wrapper they call. `every_rule_example_passes`
/// says whether an example matches; these say what a change to a rule does
/// to its output, in review (`cargo insta review`).
#[test]
fn rule_example_snapshots() {
    use std::fmt::Write as _;
    let set = load(&[], false).expect("built-in rules load");
    let runs = jwt2oauth::rules::examples::example_runs(&set);
    for rule in &set.rules {
        let mut text = String::new();
        for r in runs.iter().filter(|r| r.rule == rule.spec.id) {
            let _ = writeln!(text, "{}", r.which);
            if r.findings.is_empty() {
                let _ = writeln!(text, "  (no finding)");
            }
            for f in &r.findings {
                let l = &f.location;
                let _ = writeln!(
                    text,
                    "  {}:{}-{}:{} {} {:?} {}",
                    l.line, l.column, l.end_line, l.end_column, f.severity, f.category, f.snippet
                );
                for rel in &f.related {
                    let _ = writeln!(text, "    related {}:{} {}", rel.line, rel.column, rel.note);
                }
                if let Some(c) = &f.calls_into {
                    let _ = writeln!(text, "    calls {c}");
                }
            }
        }
        insta::assert_snapshot!(format!("rule__{}", rule.spec.id), text);
    }
}

#[test]
fn every_rule_has_docs_and_both_kinds_of_examples() {
    let set = load(&[], false).expect("built-in rules load");
    for r in &set.rules {
        assert!(!r.spec.examples.matches.is_empty(), "{}", r.spec.id);
        assert!(!r.spec.examples.no_match.is_empty(), "{}", r.spec.id);
        assert!(!r.spec.docs.what.trim().is_empty() && !r.spec.docs.why.trim().is_empty());
        assert!(
            !r.spec.references.is_empty(),
            "{} has no references",
            r.spec.id
        );
        assert_eq!(r.origin, format!("rules/{}.yaml", r.spec.id));
    }
}

/// Every rule must fire somewhere in the labelled corpus, so that each has a
/// fixture that must match (the negative fixtures are those that must not).
#[test]
fn every_rule_is_exercised_by_the_corpus() {
    let set = load(&[], false).expect("built-in rules load");
    let expected =
        std::fs::read_to_string(crate::common::root().join("fixtures/corpus/EXPECTED.tsv"))
            .expect("read");
    let used: BTreeSet<&str> = expected
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split('\t').nth(2))
        .collect();
    let missing: Vec<&str> = set
        .rules
        .iter()
        .map(|r| r.spec.id.as_str())
        .filter(|id| !used.contains(id))
        .collect();
    assert!(
        missing.is_empty(),
        "rules without a corpus fixture: {missing:?}"
    );
}

#[test]
fn list_and_explain() {
    let out = bin().args(["rules", "list"]).output().expect("run");
    assert_eq!(code(&out), 0);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("jwt-exchange-endpoint"));
    let out = bin()
        .args(["rules", "explain", "jwt-exchange-endpoint"])
        .output()
        .expect("run");
    assert_eq!(code(&out), 0);
    let text = String::from_utf8_lossy(&out.stdout);
    for section in [
        "## What it does",
        "## Why it matters",
        "## Use instead",
        "Deadline: 2026-03-01",
    ] {
        assert!(text.contains(section), "{section} missing:\n{text}");
    }
    let out = bin()
        .args(["rules", "explain", "no-such-rule"])
        .output()
        .expect("run");
    assert_eq!(code(&out), 2);
}

#[test]
fn lint_reports_every_problem_with_file_rule_and_field() {
    let dir = tempfile::tempdir().expect("tempdir");
    let good =
        std::fs::read_to_string(crate::common::root().join("rules/jwt-exchange-endpoint.yaml"))
            .expect("rule");
    crate::common::write(
        dir.path(),
        "bad-regex.yaml",
        &good
            .replace("id: jwt-exchange-endpoint", "id: bad-regex")
            .replace("(?P<hit>ims", "(?P<hit>[ims"),
    );
    crate::common::write(
        dir.path(),
        "dup-a.yaml",
        &good.replace("id: jwt-exchange-endpoint", "id: dup-a"),
    );
    crate::common::write(
        dir.path(),
        "sub/dup-a.yaml",
        &good.replace("id: jwt-exchange-endpoint", "id: dup-a"),
    );
    crate::common::write(
        dir.path(),
        "no-title.yaml",
        &good
            .replace("id: jwt-exchange-endpoint", "id: no-title")
            .replace("title: Call to the Adobe IMS JWT exchange endpoint\n", ""),
    );
    crate::common::write(
        dir.path(),
        "bad-deadline.yaml",
        &good
            .replace("id: jwt-exchange-endpoint", "id: bad-deadline")
            .replace("deadline: jwt-shutdown", "deadline: someday"),
    );
    crate::common::write(
        dir.path(),
        "bad-category.yaml",
        &good
            .replace("id: jwt-exchange-endpoint", "id: bad-category")
            .replace("category: jwt-exchange", "category: jwt-stuff"),
    );
    let out = bin()
        .args(["rules", "lint"])
        .arg(dir.path())
        .output()
        .expect("run");
    assert_eq!(code(&out), 2);
    let err = String::from_utf8_lossy(&out.stderr);
    // Each a diagnostic (docs/diagnostics.md): code, rule and field, then
    // the file at its line.
    for (file, title) in [
        (
            "bad-regex.yaml:",
            "error[J2O-R005]: rule `bad-regex`: field `match.regex`: invalid regex",
        ),
        (
            "dup-a.yaml:",
            "error[J2O-R004]: rule `dup-a`: field `id`: duplicate id",
        ),
        ("no-title.yaml:", "rule `no-title`: field `title`"),
        (
            "bad-deadline.yaml:",
            "error[J2O-R008]: rule `bad-deadline`: field `deadline`: unknown deadline",
        ),
        ("bad-category.yaml:3:11", "rule `bad-category`"),
    ] {
        assert!(err.contains(title), "missing {title:?} in:\n{err}");
        assert!(err.contains(file), "missing {file:?} in:\n{err}");
    }
}

#[test]
fn rules_test_fails_on_a_wrong_example() {
    let dir = tempfile::tempdir().expect("tempdir");
    let good =
        std::fs::read_to_string(crate::common::root().join("rules/jwt-exchange-endpoint.yaml"))
            .expect("rule");
    crate::common::write(
        dir.path(),
        "jwt-exchange-endpoint.yaml",
        &good.replace(
            "app.route(\"/exchange/jwtokens\")",
            "x = '/ims/exchange/jwt'",
        ),
    );
    let out = bin()
        .args(["rules", "test"])
        .arg(dir.path())
        .output()
        .expect("run");
    assert_eq!(code(&out), 1);
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .contains("FAIL jwt-exchange-endpoint: examples.no_match[2]")
    );
}

/// docs/rules.md is generated from the rule files; this fails when it is
/// stale (`JWT2OAUTH_UPDATE_DOCS=1` rewrites it).
#[test]
fn rule_reference_is_fresh() {
    let set = jwt2oauth::rules::load(&[], false).expect("built-in rules");
    let want = jwt2oauth::rules::reference::markdown(&set);
    let path = crate::common::root().join("docs/rules.md");
    if std::env::var_os("JWT2OAUTH_UPDATE_DOCS").is_some() {
        std::fs::write(&path, &want).expect("write docs/rules.md");
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "docs/rules.md is stale: run JWT2OAUTH_UPDATE_DOCS=1 cargo test --test it rules::rule_reference_is_fresh"
    );
}
