//! Byte-identical outputs: the same tree gives the same bytes in every
//! format (terminal, JSON, SARIF, Markdown, HTML, JUnit, GitHub, the
//! baseline file, and stderr) across runs and thread counts. The tree holds
//! three copies of the labelled corpus (so credentials group across
//! directories), files that fail to parse, and skipped files of every kind.

use std::path::Path;

use crate::common::trees::{DEADLINE, mkfifo, run_with_deadline, scan_cmd};

const FORMATS: &[(&str, &str)] = &[
    ("json", "out.json"),
    ("sarif", "out.sarif"),
    ("markdown", "out.md"),
    ("html", "out.html"),
    ("junit", "out.xml"),
    ("github", "out.github"),
];

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read_dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

fn build_tree(d: &Path) {
    let corpus = crate::common::root().join("fixtures/corpus");
    for i in 0..3 {
        copy_tree(&corpus, &d.join(format!("copy{i}")));
    }
    let w = |rel: &str, bytes: &[u8]| {
        let p = d.join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, bytes).expect("write");
    };
    // Errors and skipped files spread over many directories, so that
    // threads meet them in a different order from run to run.
    for i in 0..40 {
        w(&format!("bad/d{i}/b.json"), b"{\"meta_scopes\": [1,\n");
        w(
            &format!("bad/d{}/y.yaml", i % 7),
            b"enterprise:\n  tech_acct: [x\n",
        );
        // Over the 64M cap (sparse: never read).
        let big = std::fs::File::create(d.join(format!("bad/d{i}/big.js"))).expect("create");
        big.set_len(65 << 20).expect("set_len");
    }
    w("bin/blob.py", b"\0\x01\x02");
    let mut u16 = vec![0xFF, 0xFE];
    for u in "u = \"/ims/exchange/jwt\"\n".encode_utf16() {
        u16.extend(u.to_le_bytes());
    }
    w("enc/u16.py", &u16);
    std::fs::create_dir_all(d.join("loop/a")).expect("mkdir");
    std::os::unix::fs::symlink("..", d.join("loop/a/up")).expect("symlink");
    std::fs::create_dir_all(d.join("special")).expect("mkdir");
    mkfifo(&d.join("special/pipe.py"));
    mkfifo(&d.join("special/.gitignore"));
}

/// Runs one scan writing every format to `out` (and only a baseline, when
/// `baseline`); returns stdout and stderr.
fn run(tree: &Path, out: &Path, threads: &str, baseline: bool) -> (Vec<u8>, Vec<u8>) {
    std::fs::create_dir_all(out).expect("mkdir");
    let mut args: Vec<String> = vec![".".into(), "-L".into()];
    args.extend(["-j".into(), threads.into()]);
    if baseline {
        // Every finding goes into the baseline and is then suppressed by it.
        args.push("--write-baseline".into());
        args.push(out.join("baseline.json").display().to_string());
    } else {
        for (format, file) in FORMATS {
            args.push("-o".into());
            args.push(format!("{format}={}", out.join(file).display()));
        }
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut cmd = scan_cmd(&args);
    cmd.current_dir(tree);
    let o = run_with_deadline(cmd, DEADLINE, &format!("scan -j {threads}"));
    let expected = if baseline { 0 } else { 1 };
    assert_eq!(
        crate::common::code(&o),
        expected,
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    (o.stdout, o.stderr)
}

#[test]
fn every_format_is_byte_identical_across_runs_and_threads() {
    let dir = tempfile::tempdir().expect("tempdir");
    let tree = dir.path().join("tree");
    build_tree(&tree);
    let outs = dir.path().join("outs");
    let reference = run(&tree, &outs.join("j1"), "1", false);
    assert!(reference.0.len() > 1000, "terminal output too small");
    let json = std::fs::read_to_string(outs.join("j1/out.json")).expect("json");
    for needle in [
        "\"copy2/",
        "bad/d6/y.yaml",
        "enc/u16.py",
        "special/pipe.py",
        "loop/a/up",
    ] {
        assert!(
            json.contains(needle),
            "the tree's {needle} is not in the JSON report"
        );
    }
    for (run_name, threads) in [("j2", "2"), ("j8", "8"), ("j8-again", "8")] {
        let got = run(&tree, &outs.join(run_name), threads, false);
        assert!(
            got.0 == reference.0,
            "terminal output differs with -j {threads}"
        );
        assert!(got.1 == reference.1, "stderr differs with -j {threads}");
        for file in FORMATS.iter().map(|f| f.1) {
            let a = std::fs::read(outs.join("j1").join(file)).expect("reference");
            let b = std::fs::read(outs.join(run_name).join(file)).expect("output");
            assert!(
                a == b,
                "{file} differs between -j 1 and -j {threads} ({run_name})"
            );
        }
    }
    for (run_name, threads) in [("b1", "1"), ("b8", "8")] {
        run(&tree, &outs.join(run_name), threads, true);
    }
    let a = std::fs::read(outs.join("b1/baseline.json")).expect("baseline");
    let b = std::fs::read(outs.join("b8/baseline.json")).expect("baseline");
    assert!(a.len() > 1000 && a == b, "baseline files differ");
}
