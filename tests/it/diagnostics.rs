//! Config and rule errors are diagnostics: a stable code (docs/diagnostics.md),
//! `file:line:column`, the offending line with a caret, redacted; an output
//! that cannot be written is an I/O error, exit 4 (README, "Exit codes").

use crate::common::{TODAY, bin, bin_in, code, root, write};

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_config_with_a_bad_field_shows_its_code_and_a_caret_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "a.py", "x = 1\n");
    write(
        dir.path(),
        "jwt2oauth.toml",
        "fail_on = \"high\"\nwarn_days = -1\n",
    );
    let out = bin_in(dir.path())
        .args(["scan", "--today", TODAY, "."])
        .output()
        .expect("run");
    let err = stderr(&out);
    assert_eq!(code(&out), 2, "{err}");
    assert!(
        err.contains("error[J2O-C003]: field `warn_days`: warn_days must be 0 or more"),
        "{err}"
    );
    assert!(err.contains("-> ./jwt2oauth.toml:2:13"), "{err}");
    assert!(err.contains("2 | warn_days = -1"), "{err}");
    assert!(err.contains("  |             ^"), "{err}");
}

#[test]
fn a_secret_in_a_bad_config_line_is_never_shown() {
    let secret = "p8e-Zq9XyW8vU7tS6rQ5pO4nM3lK2jI1hG0f";
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "a.py", "x = 1\n");
    write(
        dir.path(),
        "jwt2oauth.toml",
        &format!("[paths]\nexclude = []\nclient_secret = \"{secret}\"\n"),
    );
    let out = bin_in(dir.path())
        .args(["scan", "--today", TODAY, "."])
        .output()
        .expect("run");
    let err = stderr(&out);
    assert_eq!(code(&out), 2, "{err}");
    assert!(err.contains("error[J2O-C002]"), "{err}");
    assert!(err.contains("-> ./jwt2oauth.toml:3:1"), "{err}");
    assert!(err.contains("3 | client_secret = "), "{err}");
    assert!(
        !err.contains(secret) && !err.contains("Zq9XyW8vU7tS6r"),
        "{err}"
    );
}

#[test]
fn a_rule_file_with_a_bad_regex_shows_its_code_and_a_caret_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rule = std::fs::read_to_string(root().join("rules/jwt-exchange-endpoint.yaml"))
        .expect("rule")
        .replacen("(?P<hit>ims/", "(?P<hit>ims[/", 1);
    write(dir.path(), "jwt-exchange-endpoint.yaml", &rule);
    let line = rule
        .lines()
        .position(|l| l.contains("(?P<hit>ims[/"))
        .expect("the regex line")
        + 1;
    let d = dir.path().display().to_string();
    for args in [
        vec!["rules", "lint", &d],
        vec!["scan", "--today", TODAY, "--rules", &d, "fixtures/clean"],
    ] {
        let out = bin().args(&args).output().expect("run");
        let err = stderr(&out);
        assert_eq!(code(&out), 2, "{args:?}: {err}");
        assert!(
            err.contains(
                "error[J2O-R005]: rule `jwt-exchange-endpoint`: field `match.regex`: invalid regex"
            ),
            "{err}"
        );
        assert!(
            err.contains(&format!("jwt-exchange-endpoint.yaml:{line}:3")),
            "{err}"
        );
        assert!(err.contains(&format!("{line} |   regex: ")), "{err}");
        assert!(err.contains("|   ^"), "{err}");
    }
}

#[test]
fn an_unwritable_output_is_an_io_error_not_a_usage_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("no-such-dir/report.json");
    let out = bin()
        .args(["scan", "--today", TODAY, "--format", "json", "-o"])
        .arg(&missing)
        .arg("fixtures/clean")
        .output()
        .expect("run");
    let err = stderr(&out);
    assert_eq!(code(&out), 4, "{err}");
    assert!(
        err.contains("cannot create") && err.contains("report.json"),
        "{err}"
    );
}

/// A config that exists but cannot be read (here: a directory) is an I/O
/// error; one that does not exist is still a usage error.
#[test]
fn an_unreadable_config_is_an_io_error_and_a_missing_one_a_usage_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(dir.path().join("conf.toml")).expect("mkdir");
    let run = |name: &str| {
        bin_in(dir.path())
            .args(["scan", "--today", TODAY, "--config", name, "."])
            .output()
            .expect("run")
    };
    let out = run("conf.toml");
    assert_eq!(code(&out), 4, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("cannot read config"),
        "{}",
        stderr(&out)
    );
    let out = run("missing.toml");
    assert_eq!(code(&out), 2, "{}", stderr(&out));
}
