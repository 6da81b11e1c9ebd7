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
