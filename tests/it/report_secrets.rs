//! Report files: every `-o FORMAT=FILE` output and the baseline written by
//! `--write-baseline` hold no planted secret and are created with mode 0600
//! (an existing file is tightened too); a history scan of a repository where
//! the secrets were committed and deleted leaks none of them; the committed
//! fixtures' secrets stay out of every format.

use crate::common::planted;
use std::path::Path;

use crate::common::planted::{Planted, Secret, assert_no_leak, write_tree};
use crate::common::{TODAY, bin, code, git, root};

const FORMATS: [&str; 7] = [
    "terminal", "json", "sarif", "markdown", "html", "junit", "github",
];

fn read(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(!bytes.is_empty(), "{} is empty", path.display());
    String::from_utf8_lossy(&bytes).into_owned()
}

#[cfg(unix)]
fn assert_private(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path)
        .expect("metadata")
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o600, "{} has mode {mode:o}", path.display());
}

#[cfg(not(unix))]
fn assert_private(_: &Path) {}

#[test]
fn output_files_and_baseline_are_clean_and_private() {
    let p = Planted::new();
    let secrets = p.secrets();
    let tree = tempfile::tempdir().expect("tempdir");
    write_tree(tree.path(), &root(), &p);
    let out_dir = tempfile::tempdir().expect("tempdir");
    let file = |f: &str| out_dir.path().join(format!("report.{f}"));
    let baseline = out_dir.path().join("baseline.json");
    // An existing, world-readable report or baseline is tightened on rewrite.
    for old in [file("json"), baseline.clone()] {
        std::fs::write(&old, "old").expect("write");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&old, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        }
    }
    let mut cmd = bin();
    cmd.args(["scan", "--today", TODAY]);
    for f in FORMATS {
        cmd.arg("-o").arg(format!("{f}={}", file(f).display()));
    }
    let out = cmd.arg(tree.path()).output().expect("run");
    assert_eq!(code(&out), 1, "{}", String::from_utf8_lossy(&out.stderr));
    assert_no_leak("stdout", &String::from_utf8_lossy(&out.stdout), &secrets);
    assert_no_leak("stderr", &String::from_utf8_lossy(&out.stderr), &secrets);
    for f in FORMATS {
        let path = file(f);
        let body = read(&path);
        assert!(body.contains("private.key"), "{f} file reports the key");
        assert_no_leak(&format!("{f} file"), &body, &secrets);
        assert_private(&path);
    }

    let out = bin()
        .args(["scan", "--today", TODAY, "--write-baseline"])
        .arg(&baseline)
        .arg(tree.path())
        .output()
        .expect("run");
    // Writing the baseline accepts every finding in the same run.
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    assert_no_leak("stderr", &String::from_utf8_lossy(&out.stderr), &secrets);
    let b = read(&baseline);
    assert!(b.contains("\"fingerprint\""), "baseline has entries: {b}");
    assert_no_leak("baseline", &b, &secrets);
    assert_private(&baseline);

    // Reading the baseline back (every finding now accepted) is clean too.
    let out = bin()
        .args(["scan", "--today", TODAY, "--format", "json", "--baseline"])
        .arg(&baseline)
        .arg(tree.path())
        .output()
        .expect("run");
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    assert_no_leak(
        "json with baseline",
        &String::from_utf8_lossy(&out.stdout),
        &secrets,
    );
}

#[test]
fn history_scan_outputs_do_not_leak_deleted_secrets() {
    let p = Planted::new();
    let secrets = p.secrets();
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    git(d, &["init", "-q", "-b", "main"]);
    write_tree(d, &root(), &p);
    git(d, &["add", "-A"]);
    git(
        d,
        &[
            "commit",
            "-q",
            "-m",
            &format!("credential {}", p.client_secret),
        ],
    );
    git(
        d,
        &["rm", "-q", "-r", "keys", "legacy", "src", "config", ".env"],
    );
    git(d, &["commit", "-q", "-m", "remove"]);
    for format in FORMATS {
        let out = bin()
            .args(["scan", "--today", TODAY, "--history", "--format", format])
            .arg(d)
            .output()
            .expect("run");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("private.key"),
            "{format}: the key is reported"
        );
        assert_no_leak(&format!("history {format}"), &text, &secrets);
        assert_no_leak(
            &format!("history {format} stderr"),
            &String::from_utf8_lossy(&out.stderr),
            &secrets,
        );
    }
}

fn corpus_secrets() -> Vec<Secret> {
    planted::corpus(&root())
}

#[test]
fn corpus_secrets_stay_out_of_every_format() {
    let secrets = corpus_secrets();
    for format in FORMATS {
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
        assert!(!out.stdout.is_empty(), "{format}: no output");
        assert_no_leak(format, &String::from_utf8_lossy(&out.stdout), &secrets);
        assert_no_leak(
            &format!("{format} stderr"),
            &String::from_utf8_lossy(&out.stderr),
            &secrets,
        );
    }
}

/// A token in a remote URL, as CI checkouts and `git clone
/// https://TOKEN@host/...` leave it in `.git/config`.
const REMOTE_TOKEN: &str = "ghp_R3m0teT0kenInTheOriginUrl0123456789";

#[test]
fn merge_outputs_and_remote_urls_leak_nothing() {
    let p = Planted::new();
    let mut secrets = p.secrets();
    secrets.push(Secret {
        name: "remote URL token".into(),
        value: REMOTE_TOKEN.into(),
        prefix: 0,
    });
    secrets.push(Secret {
        name: "remote URL password".into(),
        value: "hunter2-remote-password".into(),
        prefix: 0,
    });
    let tmp = tempfile::tempdir().expect("tempdir");
    let org = tmp.path().join("org");
    let remotes = [
        (
            "a",
            format!("https://x-access-token:{REMOTE_TOKEN}@github.com/acme/a.git"),
        ),
        (
            "b",
            "https://deploy:hunter2-remote-password@gitlab.example/acme/b".to_string(),
        ),
    ];
    let mut reports = Vec::new();
    for (name, url) in &remotes {
        let dir = org.join(name);
        std::fs::create_dir_all(&dir).expect("mkdir");
        git(&dir, &["init", "-q", "-b", "main"]);
        write_tree(&dir, &root(), &p);
        git(&dir, &["remote", "add", "origin", url]);
        git(&dir, &["add", "-A"]);
        git(&dir, &["commit", "-q", "-m", "init"]);
        let json = tmp.path().join(format!("{name}.json"));
        let out = bin()
            .args(["scan", "--today", TODAY, "--no-progress", "-o"])
            .arg(format!("json={}", json.display()))
            .arg(&dir)
            .output()
            .expect("run");
        assert_eq!(code(&out), 1, "{}", String::from_utf8_lossy(&out.stderr));
        assert_no_leak(
            "scan stdout",
            &String::from_utf8_lossy(&out.stdout),
            &secrets,
        );
        assert_no_leak(&format!("{name}.json"), &read(&json), &secrets);
        reports.push(json);
    }
    let out_dir = tmp.path().join("out");
    std::fs::create_dir_all(&out_dir).expect("mkdir");
    let file = |kind: &str, f: &str| out_dir.join(format!("{kind}.{f}"));
    // One scan of the directory of both repositories, and a merge of
    // their reports, in every format.
    let mut scan = bin();
    scan.args(["scan", "--today", TODAY, "--no-progress"]);
    let mut merge = bin();
    merge.arg("merge").args(&reports);
    for f in FORMATS {
        scan.arg("-o")
            .arg(format!("{f}={}", file("scan", f).display()));
        merge
            .arg("-o")
            .arg(format!("{f}={}", file("merge", f).display()));
    }
    scan.arg(&org);
    for (kind, mut cmd) in [("scan", scan), ("merge", merge)] {
        let out = cmd.output().expect("run");
        assert_eq!(
            code(&out),
            1,
            "{kind}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_no_leak(kind, &String::from_utf8_lossy(&out.stdout), &secrets);
        assert_no_leak(kind, &String::from_utf8_lossy(&out.stderr), &secrets);
        for f in FORMATS {
            let path = file(kind, f);
            let body = read(&path);
            assert!(body.contains("private.key"), "{kind} {f} reports the key");
            assert_no_leak(&format!("{kind} {f} file"), &body, &secrets);
            assert_private(&path);
        }
        let md = read(&file(kind, "markdown"));
        assert!(
            md.contains("acme/a") && md.contains("acme/b"),
            "{kind}: names from the remotes"
        );
        assert!(
            md.contains("https://github.com/acme/a.git"),
            "{kind}: the URL, stripped"
        );
    }
}
