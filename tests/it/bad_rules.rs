//! Hostile user rules: regexes over the compile-size cap are rule errors
//! naming file, rule and field, and so are counted repetitions that unroll
//! past 1,000 positions (linear, but that much work per byte);
//! catastrophic-looking regexes that compile still scan a pathological file in linear time (the `regex` crate, no
//! backtracking engine anywhere); half-written rule files give errors naming
//! the file and the line, and a bad user rule file stops the run with exit 2
//! (as documented) while naming only the bad file.

use std::time::{Duration, Instant};

use crate::common::{TODAY, bin, code, root};
use jwt2oauth::engine::Engine;
use jwt2oauth::rules::RuleSet;
use jwt2oauth::rules::load::{SourceFile, builtin_files, load_layers};

const RULE: &str = "rules/jwt-exchange-endpoint.yaml";
const HIT: &str = "  regex: '(?i)(?P<hit>ims/exchange/(?:v1/)?jwt)(?-u:\\b)'";
const KEYWORDS: &str = "keywords: [\"exchange/jwt\", \"exchange/v1/jwt\"]";

/// The built-in exchange rule with `regex` as its pattern and keywords
/// that the pathological inputs contain.
fn rule_with(regex: &str) -> String {
    let good = std::fs::read_to_string(root().join(RULE)).expect("rule");
    assert!(good.contains(HIT) && good.contains(KEYWORDS));
    good.replace(HIT, &format!("  regex: '{}'", regex.replace('\'', "''")))
        .replace(KEYWORDS, "keywords: [\"aaa\", \"xxx\", \"abab\"]")
}

/// Loads `files` with the built-in deadlines and remediations.
fn load(files: Vec<SourceFile>) -> (RuleSet, Vec<jwt2oauth::rules::RuleError>) {
    let mut layer: Vec<SourceFile> = builtin_files()
        .into_iter()
        .filter(|f| f.name.ends_with("deadlines.yaml") || f.name.ends_with("remediations.yaml"))
        .collect();
    layer.extend(files);
    let mut errors = Vec::new();
    let set = load_layers(vec![layer], &mut errors);
    (set, errors)
}

fn user_rule(contents: String) -> SourceFile {
    SourceFile {
        name: "user/jwt-exchange-endpoint.yaml".into(),
        contents,
    }
}

#[test]
fn oversized_regexes_are_errors_naming_file_rule_and_field() {
    for regex in [
        r"\w{1000}{1000}",
        r"\w{1000}",
        r"(?:\w+\s*){1,300}x",
        r".{100000}",
        r"[\p{L}\p{N}]{500}{100}",
    ] {
        let t = Instant::now();
        assert_regex_refused(regex, &["regex too large", "4 MiB"]);
        assert!(
            t.elapsed() < Duration::from_secs(30),
            "{regex}: compile took {:?}",
            t.elapsed()
        );
    }
}

/// Loads a user rule with `regex`: it must not compile, and its first
/// error must name the file, the rule, the field and contain `parts`.
fn assert_regex_refused(regex: &str, parts: &[&str]) {
    let (set, errors) = load(vec![user_rule(rule_with(regex))]);
    assert!(set.rules.is_empty(), "{regex} compiled");
    let e = errors
        .first()
        .unwrap_or_else(|| panic!("{regex}: no error"));
    assert_eq!(e.file, "user/jwt-exchange-endpoint.yaml");
    assert_eq!(e.rule.as_deref(), Some("jwt-exchange-endpoint"));
    assert_eq!(e.field.as_deref(), Some("match.regex"));
    let msg = e.to_string();
    assert!(parts.iter().all(|p| msg.contains(p)), "{regex}: {msg}");
}

#[test]
fn catastrophic_looking_regexes_scan_in_linear_time() {
    let a = "a".repeat(64 * 1024);
    let ab = "abab".repeat(16) + "\n";
    let inputs = [a.clone(), ab.repeat(1024), "xxx ".repeat(16 * 1024)];
    let started = Instant::now();
    for regex in [
        r"(a|aa)*{300}",
        r"(((((((((((a*)*)*)*)*)*)*)*)*)*)*)*b",
        r"(?:a|b|ab|ba){1,160}c",
        r"[a-z]{1,999}x",
        r"(x+x+)+y",
        r"(.*a){20}",
        r"(?m)^(?:.{1,50}a){1,19}$",
    ] {
        let t = Instant::now();
        let (set, errors) = load(vec![user_rule(rule_with(regex))]);
        assert!(errors.is_empty(), "{regex}: {errors:?}");
        eprintln!("{regex}: compiled in {:?}", t.elapsed());
        let engine = Engine::new(&set, jiff::civil::date(2026, 11, 23), 90);
        for input in &inputs {
            let t = Instant::now();
            let _ = engine.scan(
                "big.js",
                input.as_bytes(),
                &|_| false,
                true,
                &mut Vec::new(),
            );
            eprintln!("{regex} on {} bytes: {:?}", input.len(), t.elapsed());
            assert!(
                t.elapsed() < Duration::from_secs(30),
                "{regex} on {} bytes took {:?}",
                input.len(),
                t.elapsed()
            );
        }
    }
    eprintln!("7 regexes x 3 inputs of 64 KiB: {:?}", started.elapsed());
}

/// Counted repetitions that unroll past 1,000 positions are refused: the
/// regex crate stays linear, but its work per byte grows with them
/// (`[a-z]{1,4000}x` took over 5 minutes on an 8 MiB run of letters).
#[test]
fn costly_regexes_are_errors_naming_file_rule_and_field() {
    for regex in [
        r"[a-z]{1,4000}x",
        r"(a|aa)*{1000}",
        r"(?:a|b|ab|ba){1,1000}c",
        r"[a-z]{1,1000}[a-z]{1,1000}x",
        r"(?m)^(?:.{1,50}a){1,20}$",
        r"[ab]*a[ab]{1000}x",
    ] {
        assert_regex_refused(regex, &["regex too costly", "limit of 1000"]);
    }
}

#[test]
fn the_cli_reports_an_oversized_rule_and_finishes_a_pathological_scan() {
    let rules = tempfile::tempdir().expect("tempdir");
    let tree = tempfile::tempdir().expect("tempdir");
    crate::common::write(tree.path(), "big.js", &"a".repeat(1024 * 1024));
    // `jwt2oauth scan --format json` over the tree with `regex` as the rule.
    let scan_with = |regex: &str| {
        crate::common::write(
            rules.path(),
            "jwt-exchange-endpoint.yaml",
            &rule_with(regex),
        );
        let out = bin()
            .args(["scan", "--today", TODAY, "--format", "json", "--rules"])
            .arg(rules.path())
            .arg(tree.path())
            .timeout(Duration::from_secs(120))
            .output()
            .expect("run");
        (
            code(&out),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (rc, err) = scan_with(r"\w{1000}{1000}");
    assert_eq!(rc, 2, "{err}");
    for part in [
        "jwt-exchange-endpoint.yaml",
        "rule `jwt-exchange-endpoint`",
        "field `match.regex`",
        "regex too large",
    ] {
        assert!(err.contains(part), "{part} missing: {err}");
    }
    let (rc, err) = scan_with(r"[a-z]{1,4000}x");
    assert_eq!(rc, 2, "{err}");
    assert!(err.contains("regex too costly"), "{err}");
    let (rc, err) = scan_with(r"(a|aa)*{300}b");
    assert_eq!(rc, 0, "{err}");
}

/// Every built-in rule file cut at the end of each line and in the middle
/// of each line: every error names the file, and one that is not about a
/// field (a YAML error) names the line.
#[test]
fn half_written_rule_files_name_file_and_line() {
    let mut cuts = 0;
    for file in builtin_files()
        .into_iter()
        .filter(|f| !f.name.ends_with("deadlines.yaml") && !f.name.ends_with("remediations.yaml"))
        // Fix templates are not rules (src/fix/catalog.rs tests cut them).
        .filter(|f| !jwt2oauth::rules::load::is_fix_file(&f.name))
    {
        let text = &file.contents;
        let mut points: Vec<usize> = text.match_indices('\n').map(|(i, _)| i + 1).collect();
        let mids: Vec<usize> = points
            .windows(2)
            .map(|w| text.floor_char_boundary((w[0] + w[1]) / 2))
            .collect();
        points.extend(mids);
        for at in points.into_iter().filter(|a| *a < text.len()).step_by(3) {
            cuts += 1;
            let (set, errors) = load(vec![SourceFile {
                name: file.name.clone(),
                contents: text[..at].to_string(),
            }]);
            if set.rules.len() == 1 {
                continue;
            }
            assert!(
                !errors.is_empty(),
                "{} cut at {at}: no rule and no error",
                file.name
            );
            for e in &errors {
                let msg = e.to_string();
                assert!(msg.starts_with(&file.name), "{msg}");
                assert!(
                    e.field.is_some() || e.message.contains("line "),
                    "{} cut at {at}: {msg}",
                    file.name
                );
            }
        }
    }
    assert!(cuts > 500, "{cuts} cuts");
}

/// A user rule directory with good files and one half-written one: exit 2
/// (README: a rule error is exit 2), naming only the bad file, with its line.
#[test]
fn one_bad_user_rule_file_stops_the_run_naming_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    for id in ["jwt-exchange-endpoint", "jwt-token-form-field"] {
        let text = std::fs::read_to_string(root().join(format!("rules/{id}.yaml"))).expect("rule");
        crate::common::write(dir.path(), &format!("{id}.yaml"), &text);
    }
    let bad = std::fs::read_to_string(root().join("rules/adobe-jwt-aud-claim.yaml")).expect("rule");
    let cut = bad.find("match:").expect("match key") + 12;
    crate::common::write(dir.path(), "adobe-jwt-aud-claim.yaml", &bad[..cut]);
    let d = dir.path().display().to_string();
    for args in [
        vec!["rules", "lint", &d],
        vec!["scan", "--today", TODAY, "--rules", &d, "fixtures/clean"],
    ] {
        let out = bin().args(&args).output().expect("run");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(code(&out), 2, "{args:?}: {err}");
        assert!(
            err.contains("adobe-jwt-aud-claim.yaml") && err.contains("line "),
            "{err}"
        );
        assert!(
            !err.contains("jwt-token-form-field.yaml")
                && !err.contains("jwt-exchange-endpoint.yaml"),
            "{err}"
        );
        assert!(err.contains("1 rule error"), "{err}");
    }
}

/// Rule regexes run on the linear-time `regex` crate: no backtracking
/// engine is a dependency of the binary or used in the source.
#[test]
fn no_backtracking_regex_engine() {
    let manifest = std::fs::read_to_string(root().join("Cargo.toml")).expect("Cargo.toml");
    let deps = manifest
        .split("\n[dependencies]\n")
        .nth(1)
        .and_then(|s| s.split("\n[").next())
        .expect("[dependencies]");
    assert!(
        deps.contains("\nregex = ") || deps.starts_with("regex = "),
        "regex is a dependency"
    );
    for engine in ["fancy-regex", "fancy_regex", "pcre", "onig"] {
        assert!(!deps.contains(engine), "{engine} in [dependencies]");
    }
    let mut stack = vec![root().join("src")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("src") {
            let p = entry.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&p).expect("source");
                for engine in ["fancy_regex", "pcre2", "onig::"] {
                    assert!(!text.contains(engine), "{} uses {engine}", p.display());
                }
            }
        }
    }
}
