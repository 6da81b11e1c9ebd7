//! Test harness: runs the real `jwt2oauth` binary.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;

/// The fixed date every test scans against.
pub const TODAY: &str = "2026-11-23";

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A command for the built binary, run from the repository root, without
/// colour.
pub fn bin() -> Command {
    let mut c = Command::cargo_bin("jwt2oauth").expect("binary built");
    c.current_dir(root())
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE");
    c
}

/// Runs `jwt2oauth scan --today TODAY --format json ARGS...` and parses stdout.
pub fn scan_json(args: &[&str]) -> (i32, serde_json::Value) {
    let out = bin()
        .args(["scan", "--today", TODAY, "--format", "json"])
        .args(args)
        .output()
        .expect("run");
    (code(&out), parse(&out))
}

/// `jwt2oauth` run inside `dir` (relative to the repository root, or
/// absolute). Paths in the output are as given on the command line, so a
/// scan of `.` from there reports paths relative to `dir`: the way a user
/// who scans the directory they are in sees them.
pub fn bin_in(dir: impl AsRef<Path>) -> Command {
    let mut c = bin();
    c.current_dir(root().join(dir));
    c
}

/// `jwt2oauth scan --today TODAY --no-progress --format FORMAT`, for the
/// caller to add its directory, paths and flags.
pub fn scan_cmd(format: &str) -> Command {
    let mut c = bin();
    c.args([
        "scan",
        "--today",
        TODAY,
        "--no-progress",
        "--format",
        format,
    ]);
    c
}

/// [`scan_json`] of `.` inside `dir` (see [`bin_in`]).
pub fn scan_json_in(dir: impl AsRef<Path>, args: &[&str]) -> (i32, serde_json::Value) {
    let out = scan_out_in(dir, args);
    (code(&out), parse(&out))
}

/// [`scan_json_in`] that also returns stderr, and `Null` for an empty
/// stdout (a usage error prints no report).
pub fn scan_in(dir: impl AsRef<Path>, args: &[&str]) -> (i32, serde_json::Value, String) {
    let out = scan_out_in(dir, args);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    let v = if out.stdout.is_empty() {
        serde_json::Value::Null
    } else {
        parse(&out)
    };
    (code(&out), v, err)
}

fn scan_out_in(dir: impl AsRef<Path>, args: &[&str]) -> Output {
    bin_in(dir)
        .args(["scan", "--today", TODAY, "--format", "json"])
        .args(args)
        .arg(".")
        .output()
        .expect("run")
}

pub fn parse(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

pub fn code(out: &Output) -> i32 {
    out.status.code().expect("exited normally")
}

/// (path, line, rule_id) of every finding in a JSON report, sorted.
pub fn triples(v: &serde_json::Value, key: &str) -> Vec<(String, u64, String)> {
    let mut t: Vec<_> = v[key]
        .as_array()
        .expect("array")
        .iter()
        .map(|f| {
            (
                f["path"].as_str().expect("path").to_string(),
                f["line"].as_u64().expect("line"),
                f["rule_id"].as_str().expect("rule_id").to_string(),
            )
        })
        .collect();
    t.sort();
    t
}

pub mod mutate;
pub mod planted;
pub mod trees;

/// Writes `contents` to `dir/rel`, creating directories.
pub fn write(dir: &Path, rel: &str, contents: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, contents).expect("write");
}

/// Runs `git -C DIR ARGS...` with a fixed identity and no system or user
/// config; fails the test when git fails; returns stdout, trimmed.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A check that needs a tool this machine lacks (Node, a Python package,
/// Chromium). Under CI (`CI` set, as `.ci/run` has it) that is a failure:
/// `.ci/run` installs them, so a skip there means a broken install step.
/// Elsewhere the skip is written straight to the terminal's stderr, past
/// the test harness's capture (which swallows `eprintln!` of a passing
/// test), so a plain `cargo test` says what it left out.
pub fn skip_check(what: &str) {
    let ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false" && v != "0");
    assert!(!ci, "{what}: missing under CI; .ci/run must install it");
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "SKIPPED (not a failure): {what}");
}

/// Copies a directory tree (hidden files included) to `to`.
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read_dir") {
        let e = e.expect("entry");
        let (src, dst) = (e.path(), to.join(e.file_name()));
        if e.file_type().expect("type").is_dir() {
            copy_tree(&src, &dst);
        } else {
            std::fs::copy(&src, &dst).expect("copy");
        }
    }
}
