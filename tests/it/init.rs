//! What a CLI user expects (issue 16): `init` (a starter config that the
//! real loader takes, with every example uncommented too; `--ci` workflows),
//! `completions`, the man pages in docs/man/ kept fresh, `scan --include /
//! --exclude` beside `[paths]`, and `cargo package` shipping what it needs.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::Command;

use jwt2oauth::config::Config;
use serde_json::Value;

use crate::common::scan_json_in as scan;
use crate::common::{TODAY, bin, code, root, triples, write};

const EXCHANGE: &str = "URL = 'https://ims-na1.adobelogin.com/ims/exchange/jwt'\n";

fn rules() -> jwt2oauth::rules::RuleSet {
    jwt2oauth::rules::load(&[], false).expect("built-in rules")
}

#[test]
fn init_writes_a_starter_config_the_loader_takes() {
    let dir = tempfile::tempdir().unwrap();
    let out = bin().arg("init").arg(dir.path()).output().unwrap();
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    let path = dir.path().join("jwt2oauth.toml");
    let config = Config::load(&path).expect("the starter config loads");
    config.apply(&mut rules()).expect("and applies");
    assert_eq!(config.fail_on.as_deref(), Some("low"));
    assert_eq!(config.warn_days, Some(90));

    // Every `#key` example, uncommented, is a real key with a valid value
    // naming real rules.
    let text = std::fs::read_to_string(&path).unwrap();
    let examples: String = text
        .lines()
        .map(|l| match l.strip_prefix('#') {
            Some(rest) if !rest.starts_with([' ', '#']) && !rest.is_empty() => rest,
            _ => l,
        })
        .map(|l| format!("{l}\n"))
        .collect();
    assert!(examples.contains("\n[[ignore]]\n"), "{examples}");
    let all = Config::parse(Path::new("examples.toml"), examples).expect("examples load");
    all.apply(&mut rules())
        .expect("examples name real rules and deadlines");
    assert_eq!(all.disable, ["adobe-metascope-name"]);
    assert_eq!(all.ignores.len(), 1);
    assert!(!all.filter.is_empty());

    // The scan reads it (exit 0 on a clean tree with it in place).
    write(dir.path(), "app.py", "print('hello')\n");
    let scanned = bin()
        .args(["scan", "--today", TODAY])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(
        code(&scanned),
        0,
        "{}",
        String::from_utf8_lossy(&scanned.stderr)
    );

    // Never overwritten without --force.
    std::fs::write(&path, "fail_on = \"high\"\n").unwrap();
    let again = bin().arg("init").arg(dir.path()).output().unwrap();
    assert_eq!(code(&again), 2);
    assert!(String::from_utf8_lossy(&again.stderr).contains("--force"));
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "fail_on = \"high\"\n"
    );
    let forced = bin()
        .args(["init", "--force"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(code(&forced), 0);
    assert!(std::fs::read_to_string(&path).unwrap().contains("[paths]"));
}

#[test]
fn init_ci_writes_workflows_pinned_to_this_release() {
    let version = env!("CARGO_PKG_VERSION");
    let dir = tempfile::tempdir().unwrap();
    let out = bin()
        .args(["init", "--ci", "github"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    let wf_path = dir.path().join(".github/workflows/jwt2oauth.yml");
    let wf: Value = serde_saphyr::from_str(&std::fs::read_to_string(&wf_path).unwrap()).unwrap();
    let steps = wf["jobs"]["scan"]["steps"].as_array().unwrap();
    let uses: Vec<&str> = steps.iter().filter_map(|s| s["uses"].as_str()).collect();
    let repo = env!("CARGO_PKG_REPOSITORY").trim_start_matches("https://github.com/");
    assert!(
        uses.contains(&format!("{repo}@v{version}").as_str()),
        "{uses:?}"
    );
    assert_eq!(wf["permissions"]["security-events"], "write");

    // GitLab: a file to include, downloading the release and checking its sum.
    let dir = tempfile::tempdir().unwrap();
    let out = bin()
        .args(["init", "--ci", "gitlab"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(code(&out), 0);
    assert!(dir.path().join("jwt2oauth.toml").is_file());
    let text = std::fs::read_to_string(dir.path().join("jwt2oauth.gitlab-ci.yml")).unwrap();
    let job: Value = serde_saphyr::from_str(&text).unwrap();
    assert_eq!(
        job["jwt2oauth"]["variables"]["JWT2OAUTH_VERSION"],
        format!("v{version}")
    );
    let script = serde_json::to_string(&job["jwt2oauth"]).unwrap();
    for needle in [
        "sha256sum -c",
        "unknown-linux-musl.tar.gz",
        "junit=jwt2oauth-junit.xml",
    ] {
        assert!(script.contains(needle), "{needle}: {script}");
    }
    // With actionlint, the GitHub workflow is checked like ours.
    if let Some(mut actionlint) =
        crate::dist::actionlint("init: actionlint on the --ci github workflow")
    {
        let lint = actionlint.arg("-no-color").arg(&wf_path).output().unwrap();
        assert!(
            lint.status.success(),
            "{}",
            String::from_utf8_lossy(&lint.stdout)
        );
    }
}

#[test]
fn completions_for_every_shell() {
    for (shell, needle) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef jwt2oauth"),
        ("fish", "complete -c jwt2oauth"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let out = bin().args(["completions", shell]).output().unwrap();
        assert_eq!(code(&out), 0, "{shell}");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains(needle), "{shell}: {needle}");
        // Subcommands and scan's new flags are completed.
        assert!(
            text.contains("emulate-ims") && text.contains("exclude"),
            "{shell}"
        );
    }
    let bad = bin().args(["completions", "tcsh"]).output().unwrap();
    assert_eq!(code(&bad), 2);
    // bash can load the script.
    let out = bin().args(["completions", "bash"]).output().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("jwt2oauth.bash");
    std::fs::write(&file, &out.stdout).unwrap();
    let sourced = Command::new("bash")
        .arg("-c")
        .arg(format!(". '{}' && complete -p jwt2oauth", file.display()))
        .output()
        .unwrap();
    assert!(
        sourced.status.success(),
        "{}",
        String::from_utf8_lossy(&sourced.stderr)
    );
}

#[test]
fn man_pages_in_docs_are_fresh() {
    let out = bin().arg("man").output().unwrap();
    assert_eq!(code(&out), 0);
    let page = String::from_utf8_lossy(&out.stdout);
    assert!(
        page.starts_with(".ie") || page.contains(".TH jwt2oauth 1"),
        "{page}"
    );
    assert!(page.contains("completions") && page.contains("init"));

    let dir = tempfile::tempdir().unwrap();
    let made = bin()
        .arg("man")
        .arg("--out-dir")
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(code(&made), 0);
    let names = |d: &Path| -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    let docs = root().join("docs/man");
    let fix = "regenerate them: cargo run -- man --out-dir docs/man";
    assert_eq!(names(dir.path()), names(&docs), "docs/man is stale; {fix}");
    for name in names(dir.path()) {
        let fresh = std::fs::read_to_string(dir.path().join(&name)).unwrap();
        let kept = std::fs::read_to_string(docs.join(&name)).unwrap();
        assert!(fresh == kept, "docs/man/{name} is stale; {fix}");
    }
    assert!(names(&docs).contains(&"jwt2oauth-scan.1".to_string()));
}

fn files(v: &Value) -> Vec<String> {
    let mut f: Vec<String> = triples(v, "findings").into_iter().map(|t| t.0).collect();
    f.dedup();
    f
}

#[test]
fn include_and_exclude_on_the_command_line_beside_the_config() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    for f in [
        "src/a.py",
        "src/deep/b.py",
        "vendor/c.py",
        "tools/d.py",
        "e.py",
    ] {
        write(p, f, EXCHANGE);
    }
    let (_, v) = scan(p, &[]);
    assert_eq!(files(&v).len(), 5);
    // Same semantics as [paths]: the relative path or the file name; `*`
    // crosses directories.
    let (_, v) = scan(p, &["--exclude", "vendor/**", "--exclude", "d.py"]);
    assert_eq!(files(&v), ["e.py", "src/a.py", "src/deep/b.py"]);
    let (_, v) = scan(p, &["--include", "src/*.py"]);
    assert_eq!(files(&v), ["src/a.py", "src/deep/b.py"]);
    let (_, v) = scan(
        p,
        &[
            "--include",
            "src/**",
            "--exclude",
            "deep/**",
            "--exclude",
            "src/deep/*",
        ],
    );
    assert_eq!(files(&v), ["src/a.py"]);
    // Beside the config: a file must pass both.
    write(p, "jwt2oauth.toml", "[paths]\nexclude = [\"vendor/**\"]\n");
    let (_, v) = scan(p, &["--exclude", "tools/**"]);
    assert_eq!(files(&v), ["e.py", "src/a.py", "src/deep/b.py"]);
    let (_, v) = scan(p, &["--include", "*/c.py"]);
    assert!(files(&v).is_empty(), "{:?}", files(&v));
    let (_, v) = scan(p, &["--no-config", "--include", "*/c.py"]);
    assert_eq!(files(&v), ["vendor/c.py"]);
    // A bad glob is a usage error naming the flag.
    let out = bin()
        .args(["scan", "--exclude", "a{b"])
        .arg(p)
        .output()
        .unwrap();
    assert_eq!(code(&out), 2);
    assert!(String::from_utf8_lossy(&out.stderr).contains("--include/--exclude"));
}

#[test]
fn include_and_exclude_apply_to_staged_scans() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    crate::common::git(p, &["init", "-q"]);
    write(p, "keep.py", EXCHANGE);
    write(p, "skip/drop.py", EXCHANGE);
    crate::common::git(p, &["add", "."]);
    let (_, v) = scan(p, &["--staged", "--exclude", "skip/**"]);
    assert_eq!(files(&v), ["keep.py"]);
}

#[test]
fn cargo_package_lists_what_install_needs_and_nothing_big() {
    let out = Command::new(env!("CARGO"))
        .current_dir(root())
        .args(["package", "--list", "--allow-dirty", "--offline"])
        .output()
        .unwrap();
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        panic!("cargo package --list failed: {err}");
    }
    let list: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    for needed in [
        "Cargo.toml",
        "Cargo.lock",
        "README.md",
        "build.rs",
        "src/main.rs",
        "src/commands/init/jwt2oauth.toml",
        "src/output/report.css",
        "docs/man/jwt2oauth.1",
    ] {
        assert!(
            list.iter().any(|f| f == needed),
            "{needed} missing: {list:?}"
        );
    }
    assert!(
        list.iter()
            .any(|f| f.starts_with("rules/") && f.ends_with(".yaml"))
    );
    for f in &list {
        for unwanted in [
            "target/",
            "tests/",
            "fixtures/",
            "bench/",
            "eval/",
            ".github/",
            ".ci/",
        ] {
            assert!(!f.starts_with(unwanted), "{f} is shipped");
        }
    }
    let total: u64 = list
        .iter()
        .filter_map(|f| std::fs::metadata(root().join(f)).ok())
        .map(|m| m.len())
        .sum();
    // Sources, rules and docs were 2.0 MiB at 60 rules (Cargo.lock 115 KB);
    // a corpus, a binary or a fixture tree slipping in would be far more.
    assert!(total < 3 * 1024 * 1024, "the package holds {total} bytes");
    let manifest = std::fs::read_to_string(root().join("Cargo.toml")).unwrap();
    for key in [
        "repository =",
        "keywords =",
        "categories =",
        "readme =",
        "license =",
        "description =",
    ] {
        assert!(manifest.contains(key), "Cargo.toml: {key}");
    }
}
