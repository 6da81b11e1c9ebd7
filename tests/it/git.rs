//! Git-aware scans on repositories built by the tests: `--since REF`,
//! `--staged` (the staged contents, not the working tree), `--history`
//! (a key committed and later deleted is still reported, naming the commit
//! and path), and the shallow-clone error.

use std::path::Path;

use crate::common::scan_in as scan;
use crate::common::{TODAY, bin, git, triples, write};
use serde_json::Value;

const EXCHANGE: &str = "URL = 'https://ims-na1.adobelogin.com/ims/exchange/jwt'\n";

fn init(dir: &Path) {
    git(dir, &["init", "-q", "-b", "main"]);
    git(dir, &["config", "commit.gpgsign", "false"]);
}

fn commit(dir: &Path, message: &str) -> String {
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", message]);
    git(dir, &["rev-parse", "HEAD"])
}

#[test]
fn since_scans_only_files_changed_since_the_merge_base() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path();
    init(p);
    write(p, "old/legacy.py", EXCHANGE);
    write(p, "README.md", "hello\n");
    commit(p, "base");
    git(p, &["checkout", "-q", "-b", "feature"]);
    write(p, "src/new.py", EXCHANGE);
    write(p, "README.md", "hello again\n");
    commit(p, "feature work");
    // main moves on after the branch point: not part of the feature's diff.
    git(p, &["checkout", "-q", "main"]);
    write(p, "main_only.py", EXCHANGE);
    commit(p, "main moves");
    git(p, &["checkout", "-q", "feature"]);
    let (rc, v, err) = scan(p, &["--since", "main"]);
    assert_eq!(rc, 1, "{err}");
    assert_eq!(
        triples(&v, "findings"),
        vec![("src/new.py".into(), 1, "jwt-exchange-endpoint".into())]
    );
    assert_eq!(v["summary"]["files_scanned"], 2, "src/new.py and README.md");
    // The same fingerprint as a full scan (a baseline works with both).
    let (_, full, _) = scan(p, &[]);
    let fp = |v: &Value, path: &str| {
        v["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .find(|f| f["path"] == path)
            .map(|f| f["fingerprint"].clone())
    };
    assert_eq!(fp(&v, "src/new.py"), fp(&full, "src/new.py"));
    // An unknown ref is a usage error.
    let (rc, _, err) = scan(p, &["--since", "no-such-branch"]);
    assert_eq!(rc, 2);
    assert!(err.contains("no-such-branch"), "{err}");
}

#[test]
fn staged_scans_the_staged_contents() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path();
    init(p);
    write(p, "a.py", "print('hi')\n");
    commit(p, "init");
    // Staged: a JWT exchange. Working tree: already fixed (unstaged).
    write(p, "a.py", EXCHANGE);
    git(p, &["add", "a.py"]);
    write(p, "a.py", "print('fixed')\n");
    // Unstaged new file: not part of the commit.
    write(p, "b.py", EXCHANGE);
    let (rc, v, err) = scan(p, &["--staged"]);
    assert_eq!(rc, 1, "{err}");
    assert_eq!(
        triples(&v, "findings"),
        vec![("a.py".into(), 1, "jwt-exchange-endpoint".into())]
    );
    // Nothing staged: clean.
    git(p, &["reset", "-q"]);
    let (rc, v, _) = scan(p, &["--staged"]);
    assert_eq!((rc, v["summary"]["findings"].as_u64()), (0, Some(0)));
}

#[test]
fn history_reports_a_deleted_key_naming_commit_and_path() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path();
    init(p);
    let key =
        std::fs::read_to_string(crate::common::root().join("fixtures/corpus/keys/private.key"))
            .expect("key");
    write(p, "config/private.key", &key);
    write(p, "config/certificate_pub.crt", "certificate");
    write(p, "app.py", "print('v1')\n");
    let added = commit(p, "add JWT credential");
    std::fs::remove_file(p.join("config/private.key")).expect("rm");
    std::fs::remove_file(p.join("config/certificate_pub.crt")).expect("rm");
    write(p, "app.py", EXCHANGE);
    commit(p, "remove the key");
    let (rc, v, err) = scan(p, &["--history"]);
    assert_eq!(rc, 1, "{err}");
    let findings = v["findings"].as_array().expect("findings");
    let key_finding = findings
        .iter()
        .find(|f| f["path"] == "config/private.key")
        .unwrap_or_else(|| panic!("deleted key reported: {v:#}"));
    assert_eq!(key_finding["category"], "private-key");
    assert_eq!(key_finding["history"]["commit"], added[..12]);
    assert_eq!(key_finding["history"]["removed"], true);
    assert_eq!(key_finding["history"]["summary"], "add JWT credential");
    let msg = key_finding["message"].as_str().expect("message");
    assert!(
        msg.contains(&added[..12]) && msg.contains("rotate"),
        "{msg}"
    );
    // Code still in HEAD is reported but not as removed.
    let app = findings
        .iter()
        .find(|f| f["path"] == "app.py")
        .expect("app.py");
    assert_eq!(app["history"]["removed"], false);
    assert_eq!(v["history"]["commits"], 2);
    // Four distinct blobs (key, certificate, app.py twice) although the two
    // commits list five files: each blob is read once.
    assert_eq!(v["history"]["blobs"], 4);
    // A scan of the working tree no longer sees the key.
    let (_, now, _) = scan(p, &[]);
    assert!(
        triples(&now, "findings")
            .iter()
            .all(|(f, _, _)| f != "config/private.key")
    );
    // Every output names the commit.
    let out = bin()
        .args([
            "scan",
            "--today",
            TODAY,
            "--history",
            "--format",
            "markdown",
        ])
        .arg(p)
        .output()
        .expect("run");
    assert!(String::from_utf8_lossy(&out.stdout).contains(&added[..12]));
}

#[test]
fn shallow_clones_get_a_clear_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let origin = dir.path().join("origin");
    std::fs::create_dir_all(&origin).expect("mkdir");
    init(&origin);
    write(&origin, "a.py", "print(1)\n");
    commit(&origin, "one");
    git(&origin, &["checkout", "-q", "-b", "side"]);
    write(&origin, "b.py", "print(2)\n");
    commit(&origin, "two");
    git(&origin, &["checkout", "-q", "main"]);
    write(&origin, "c.py", "print(3)\n");
    commit(&origin, "three");
    let clone = dir.path().join("clone");
    let url = format!("file://{}", origin.display());
    git(
        dir.path(),
        &[
            "clone",
            "-q",
            "--depth",
            "1",
            "--no-single-branch",
            &url,
            clone.to_str().expect("utf-8"),
        ],
    );
    let (rc, _, err) = scan(&clone, &["--since", "origin/side"]);
    assert_eq!(rc, 2);
    assert!(err.contains("shallow clone"), "{err}");
    assert!(err.contains("git fetch --unshallow"), "{err}");
    assert!(err.contains("fetch-depth: 0"), "{err}");
    let (rc, _, err) = scan(&clone, &["--history"]);
    assert_eq!(rc, 2);
    assert!(err.contains("git fetch --unshallow"), "{err}");
}

#[test]
fn git_modes_need_one_directory() {
    let corpus = crate::common::root().join("fixtures/corpus");
    let (rc, _, err) = scan(
        Path::new("fixtures/clean"),
        &["--staged", corpus.to_str().expect("utf-8")],
    );
    assert_eq!(rc, 2);
    assert!(err.contains("one PATH"), "{err}");
}
