//! The CI contract (issue 12): the gate never passes by accident. A PATH
//! that does not exist is a usage error; an incomplete scan never reads
//! `passed`; files over the size cap make `--strict` exit 3; report files
//! hold no colour; `-o FORMAT=FILE` rejects unknown formats.

use crate::common::{TODAY, bin, code, parse, scan_json, write};

const EXCHANGE: &str = "URL = \"https://ims-na1.adobelogin.com/ims/exchange/jwt\"\n";

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn scan(args: &[&str]) -> std::process::Output {
    bin()
        .args(["scan", "--today", TODAY, "--no-progress"])
        .args(args)
        .output()
        .expect("run")
}

/// A typo in a CI script must not read as "no JWT anywhere".
#[test]
fn missing_path_is_a_usage_error() {
    for args in [
        vec!["does/not/exist"],
        vec!["fixtures/clean", "does/not/exist"],
        vec!["--strict", "does/not/exist"],
        vec!["--format", "json", "does/not/exist"],
    ] {
        let out = scan(&args);
        assert_eq!(code(&out), 2, "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("does/not/exist: no such file or directory"),
            "{args:?}: {}",
            stderr(&out)
        );
        assert!(!stdout(&out).contains("passed"), "{}", stdout(&out));
    }
}

/// An unparsable config file inside the tree stays a listed error; the
/// summary says the scan was incomplete; `--strict` exits 3.
#[test]
fn incomplete_scan_never_reads_passed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(d, "console.json", "{\"technical_account_id\": [1,\n");
    let root = d.to_str().expect("utf-8");
    let out = scan(&[root]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("gate (--fail-on low): passed, incomplete: 1 error"),
        "{text}"
    );
    let out = scan(&["--format", "github", root]);
    assert!(
        stdout(&out).contains("passed, incomplete: 1 error"),
        "{}",
        stdout(&out)
    );
    let out = scan(&["--format", "markdown", root]);
    assert!(
        stdout(&out).contains("passed, incomplete: 1 error"),
        "{}",
        stdout(&out)
    );
    assert_eq!(code(&scan(&["--strict", root])), 3);
}

/// A file over `--max-filesize` is where a finding can hide: listed as
/// skipped, it makes the scan incomplete, and `--strict` exits 3.
#[test]
fn too_large_file_makes_strict_scan_incomplete() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(
        d,
        "dist/app.min.js",
        &format!("{}{EXCHANGE}", "var a=1;".repeat(300)),
    );
    let root = d.to_str().expect("utf-8");
    let (rc, v) = scan_json(&["--max-filesize", "1K", root]);
    assert_eq!(rc, 0);
    assert_eq!(v["summary"]["skipped_too_large"], 1);
    assert_eq!(v["summary"]["incomplete"], true);
    let out = scan(&["--max-filesize", "1K", root]);
    assert!(
        stdout(&out).contains("passed, incomplete: 1 too large"),
        "{}",
        stdout(&out)
    );
    let (rc, _) = scan_json(&["--strict", "--max-filesize", "1K", root]);
    assert_eq!(rc, 3);
    // With --strict, 3 wins over 1.
    write(d, "auth.py", EXCHANGE);
    let (rc, _) = scan_json(&["--strict", "--max-filesize", "1K", root]);
    assert_eq!(rc, 3);
    // Under the default cap the file is scanned.
    let (rc, v) = scan_json(&["--strict", root]);
    assert_eq!(rc, 1);
    assert_eq!(v["summary"]["skipped_too_large"], 0);
}

/// The default cap (64 MiB) holds a large minified bundle: a 9 MiB file
/// (over the old 8M default) is scanned and its finding reported.
#[test]
fn default_cap_scans_a_large_bundle() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let mut text = "var a=1;function b(c){return c+a}\n".repeat(9 << 20 >> 5);
    text.push_str(EXCHANGE);
    write(d, "bundle.min.js", &text);
    let (rc, v) = scan_json(&["--strict", d.to_str().expect("utf-8")]);
    assert_eq!(rc, 1, "{}", v["skipped"]);
    assert_eq!(v["findings"][0]["rule_id"], "jwt-exchange-endpoint");
    assert_eq!(v["summary"]["incomplete"], false);
}

/// Colour goes only to a terminal: `-o FILE` never holds ANSI codes,
/// whatever `--color` and the environment say.
#[test]
fn report_files_hold_no_colour() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (i, (color, force)) in [("always", false), ("never", false), ("auto", true)]
        .into_iter()
        .enumerate()
    {
        let file = dir.path().join(format!("out{i}.txt"));
        let f = file.to_str().expect("utf-8");
        let mut cmd = bin();
        cmd.args(["scan", "--today", TODAY, "--no-progress", "--color", color])
            .args(["fixtures/corpus/python-jwt", "-o", f]);
        if force {
            cmd.env("CLICOLOR_FORCE", "1").env_remove("NO_COLOR");
        }
        let out = cmd.output().expect("run");
        assert_eq!(code(&out), 1, "{}", stderr(&out));
        let text = std::fs::read_to_string(&file).expect("report");
        assert!(text.contains("jwt-exchange-endpoint"), "{text}");
        assert!(
            !text.contains('\u{1b}'),
            "--color {color}: ANSI codes in {text}"
        );
    }
    // On stdout, --color always still colours.
    let out = scan(&["--color", "always", "fixtures/corpus/python-jwt"]);
    assert!(stdout(&out).contains('\u{1b}'));
}

/// `-o xml=out.xml` is a usage error naming the formats; `./a=b` is a file.
#[test]
fn unknown_format_before_equals_is_a_usage_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = bin()
        .current_dir(dir.path())
        .args(["scan", "--today", TODAY, "--no-progress"])
        .arg(crate::common::root().join("fixtures/clean"))
        .args(["-o", "xml=out.xml"])
        .output()
        .expect("run");
    assert_eq!(code(&out), 2);
    let err = stderr(&out);
    assert!(err.contains("unknown format \"xml\""), "{err}");
    assert!(err.contains("sarif") && err.contains("junit"), "{err}");
    assert!(!dir.path().join("xml=out.xml").exists());
    let out = bin()
        .current_dir(dir.path())
        .args([
            "scan",
            "--today",
            TODAY,
            "--no-progress",
            "--format",
            "json",
        ])
        .arg(crate::common::root().join("fixtures/clean"))
        .args(["-o", "./a=b"])
        .output()
        .expect("run");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("a=b")).expect("a=b")).expect("json");
    assert_eq!(v["version"], 1);
    let _ = parse;
}

/// Errors say what went wrong once.
#[test]
fn errors_say_it_once() {
    let out = scan(&["--config", "nope.toml", "fixtures/clean"]);
    assert_eq!(code(&out), 2);
    let err = stderr(&out);
    assert_eq!(err.matches("No such file or directory").count(), 1, "{err}");
    assert!(!err.contains("os error"), "{err}");
    let out = scan(&["--baseline", "nope.json", "fixtures/clean"]);
    assert_eq!(code(&out), 2);
    assert_eq!(
        stderr(&out).matches("does not exist").count()
            + stderr(&out).matches("No such file").count(),
        1,
        "{}",
        stderr(&out)
    );
}

/// A JSON file `JSON.parse` accepts (a lone `\uD800` escape) parses, so
/// `--strict` passes; a broken one is reported in JSON's terms with line
/// and column.
#[test]
fn json_files_parse_as_json() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(
        d,
        "config.schema.json",
        "{\n  \"technical_account_id\": \"\\uD800\",\n  \"meta_scopes\": [\"ent_user_sdk\"]\n}\n",
    );
    let root = d.to_str().expect("utf-8");
    let (rc, v) = scan_json(&["--strict", root]);
    assert_ne!(rc, 3, "{}", v["errors"]);
    assert_eq!(v["errors"], serde_json::json!([]));
    write(d, "broken.json", "{\n  \"technical_account_id\": [1,\n");
    let (rc, v) = scan_json(&["--strict", root]);
    assert_eq!(rc, 3);
    let msg = v["errors"][0]["message"].as_str().expect("message");
    assert!(msg.starts_with("cannot parse as JSON: "), "{msg}");
    assert!(msg.contains("line 3 column 1"), "{msg}");
    assert!(
        !msg.contains("scalar") && !msg.contains("node content"),
        "YAML's words: {msg}"
    );
}
