//! The CI fleet scripts on 200 generated git repositories (issue 15, item 4):
//! `scripts/org/shard.sh` in 4 shards (half the repositories as `file://`
//! URLs, cloned with gix; half as plain paths) and `scripts/org/merge.sh`
//! give the same credential groups, findings and repositories as one scan
//! of the directory holding them all; a repository that cannot be cloned is
//! in the merged report's errors, never dropped. No network.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::common::{TODAY, bin, root, scan_cmd, write};
use crate::org::findings_view;

const REPOS: usize = 200;
const SHARDS: usize = 4;

/// Client ids: credential A (every 10th repository, a Node service),
/// credential B (every 10th, offset 5, a deploy pipeline), and one of its
/// own for every 10th offset 3.
fn client(tag: &str, i: usize) -> String {
    hex(&format!("client {tag}{i}"), 32)
}

/// `n` hex digits of a SHA-256: random-looking, never a placeholder.
fn hex(seed: &str, n: usize) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(seed.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<String>()[..n]
        .to_string()
}

fn service(client: &str, tech: &str) -> String {
    format!(
        "const auth = require(\"@adobe/jwt-auth\");\nconst fs = require(\"fs\");\n\
         module.exports = () => auth({{ clientId: \"{client}\", technicalAccountId: \"{tech}\",\n\
         orgId: \"12345678901234567890ABCD@AdobeOrg\", metaScopes: [\"ent_analytics_bulk_ingest_sdk\"],\n\
         privateKey: fs.readFileSync(\"private.key\") }});\n"
    )
}

fn pipeline(client: &str, tech: &str) -> String {
    format!(
        "name: deploy\non: push\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n      \
         - uses: adobe/aio-apps-action@3.3.0\n        with:\n          command: auth\n          \
         CLIENTID: {client}\n          TECHNICAL_ACCOUNT_ID: {tech}\n          \
         IMSORGID: 12345678901234567890ABCD@AdobeOrg\n          KEY: ${{{{ secrets.DEPLOY_KEY }}}}\n          \
         SCOPES: ent_analytics_bulk_ingest_sdk\n"
    )
}

/// What repository `i` holds: credential A in a Node service (every 10th)
/// or in a deploy pipeline (every 10th, offset 5), a credential of its own
/// (every 10th, offset 3), else nothing. `None` for a kind shared by many
/// repositories (made once and copied), the index for one of its own.
fn kind(i: usize) -> (&'static str, Option<usize>) {
    match i % 10 {
        0 => ("service-a", None),
        5 => ("pipeline-a", None),
        3 => ("own", Some(i)),
        _ => ("clean", None),
    }
}

fn tech(t: &str) -> String {
    format!("{}@techacct.adobe.com", hex(t, 24).to_uppercase())
}

/// Writes the files of a repository of `kind` in `dir`.
fn files(dir: &Path, kind: &str, own: Option<usize>) {
    write(dir, "README.md", "# a service\n");
    match (kind, own) {
        ("service-a", _) => write(dir, "src/token.js", &service(&client("A", 0), &tech("A"))),
        ("pipeline-a", _) => write(
            dir,
            ".github/workflows/deploy.yml",
            &pipeline(&client("A", 0), &tech("A")),
        ),
        ("own", Some(i)) => write(
            dir,
            "index.js",
            &service(&client("U", i), &tech(&format!("B{i}"))),
        ),
        _ => write(dir, "src/main.py", "print('nothing to see')\n"),
    }
}

/// `git init` + `add` + `commit` in each directory, in one shell (process
/// starts are what costs here).
fn commit_all(dirs: &[std::path::PathBuf], home: &Path) {
    let script = r#"set -eu
for d in "$@"; do
  git -C "$d" init -q -b main --template=
  git -C "$d" add -A
  git -C "$d" commit -q -m init
done"#;
    let status = Command::new("bash")
        .arg("-c")
        .arg(script)
        .arg("make")
        .args(dirs)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .env("GIT_AUTHOR_DATE", "2026-11-01T00:00:00Z")
        .env("GIT_COMMITTER_DATE", "2026-11-01T00:00:00Z")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", home)
        .status()
        .expect("bash runs");
    assert!(status.success());
}

/// Makes the repositories under `org/svc-NNN`, each with `origin`
/// `https://github.com/acme/svc-NNN`. Repositories of a shared kind are
/// copies of one template repository (same files, same commit): 200
/// repositories cost about 25 git commits, not 200.
fn make_org(org: &Path, templates: &Path) -> Vec<String> {
    let kinds = ["service-a", "pipeline-a", "clean"];
    let tdirs: Vec<std::path::PathBuf> = kinds.iter().map(|k| templates.join(k)).collect();
    for (k, d) in kinds.iter().zip(&tdirs) {
        files(d, k, None);
    }
    let mut own = Vec::new();
    let mut names = Vec::new();
    for i in 0..REPOS {
        let name = format!("svc-{i:03}");
        let dir = org.join(&name);
        match kind(i) {
            (k, Some(i)) => {
                files(&dir, k, Some(i));
                own.push(dir);
            }
            (k, None) => {
                let t = kinds.iter().position(|x| *x == k).expect("a template kind");
                crate::common::copy_tree(&tdirs[t], &dir);
            }
        }
        names.push(name);
    }
    let mut all = tdirs.clone();
    all.extend(own);
    commit_all(&all, templates);
    for (i, name) in names.iter().enumerate() {
        let dir = org.join(name);
        if kind(i).1.is_none() {
            let t = kinds.iter().position(|x| *x == kind(i).0).expect("kind");
            crate::common::copy_tree(&tdirs[t].join(".git"), &dir.join(".git"));
        }
        let config = dir.join(".git/config");
        let mut text = std::fs::read_to_string(&config).expect("config");
        text.push_str(&format!(
            "[remote \"origin\"]\n\turl = https://github.com/acme/{name}\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n"
        ));
        std::fs::write(&config, text).expect("config");
    }
    names
}

fn script(name: &str) -> Command {
    let mut c = Command::new("bash");
    c.arg(root().join("scripts/org").join(name))
        .env("JWT2OAUTH", env!("CARGO_BIN_EXE_jwt2oauth"))
        .env("JWT2OAUTH_TODAY", TODAY)
        .env("NO_COLOR", "1");
    c
}

fn repositories_without_url(v: &Value) -> Vec<Value> {
    v["repositories"]
        .as_array()
        .expect("repositories")
        .iter()
        .map(|r| {
            let mut r = r.clone();
            r.as_object_mut().expect("object").remove("url");
            r
        })
        .collect()
}

#[test]
fn shard_and_merge_scripts_on_200_repositories_agree_with_one_scan() {
    let tmp = tempfile::tempdir().expect("tmp");
    let top = tmp.path().join("top");
    let org = top.join("acme");
    let names = make_org(&org, &tmp.path().join("templates"));

    // One scan of the directory holding them all.
    let out = scan_cmd("json")
        .arg(".")
        .current_dir(&top)
        .output()
        .expect("scan");
    assert_eq!(out.status.code(), Some(1));
    let whole: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(whole["repositories"].as_array().map(Vec::len), Some(REPOS));

    // The list, as `gh repo list` would give it, but local: every fourth
    // repository a file:// URL (cloned with gix), the rest plain paths;
    // one that is gone.
    let mut list = String::from("# acme\n");
    for (i, n) in names.iter().enumerate() {
        let p = org.join(n);
        if i % 4 == 1 {
            list.push_str(&format!("file://{}\n", p.display()));
        } else {
            list.push_str(&format!("{}\n", p.display()));
        }
    }
    list.push_str(&format!(
        "file://{}\n",
        tmp.path().join("gone/acme/missing").display()
    ));
    let list_file = tmp.path().join("repos.txt");
    std::fs::write(&list_file, list).expect("write");

    let reports = tmp.path().join("reports");
    let started = std::time::Instant::now();
    // The shards run side by side, as the matrix jobs do.
    let running: Vec<_> = (0..SHARDS)
        .map(|shard| {
            script("shard.sh")
                .arg(&list_file)
                .arg(shard.to_string())
                .arg(SHARDS.to_string())
                .arg(reports.join(format!("shard-{shard}")))
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("shard.sh")
        })
        .collect();
    for (shard, child) in running.into_iter().enumerate() {
        let out = child.wait_with_output().expect("wait");
        assert!(
            out.status.success(),
            "shard {shard}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let scanned = started.elapsed();
    // Every repository has its report, in exactly one shard.
    let mut count = 0;
    for shard in 0..SHARDS {
        let n = std::fs::read_dir(reports.join(format!("shard-{shard}")))
            .expect("shard dir")
            .count();
        assert!((45..=56).contains(&n), "shard {shard}: {n} reports");
        count += n;
    }
    assert_eq!(count, REPOS + 1);

    let merged_dir = tmp.path().join("org-report");
    let summary = tmp.path().join("summary.md");
    let out = script("merge.sh")
        .arg(&reports)
        .arg(&merged_dir)
        .args(["--expect", &(REPOS + 1).to_string()])
        .env("GITHUB_STEP_SUMMARY", &summary)
        .output()
        .expect("merge.sh");
    assert_eq!(
        out.status.code(),
        Some(1),
        "findings fail the merged gate: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    for f in ["org.json", "org.md", "org.html", "org.sarif", "org.txt"] {
        assert!(merged_dir.join(f).is_file(), "{f}");
    }
    let merged: Value =
        serde_json::from_slice(&std::fs::read(merged_dir.join("org.json")).expect("read"))
            .expect("json");

    // The clone that failed is an error of the merged report, named.
    let errors = merged["errors"].as_array().expect("errors");
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("clone failed")),
        "{errors:?}"
    );
    let mut merged_repos = repositories_without_url(&merged);
    merged_repos.retain(|r| r["name"] != "acme/missing");
    assert_eq!(merged_repos, repositories_without_url(&whole));

    // The same credentials, findings and unattributed sites.
    assert_eq!(merged["groups"], whole["groups"]);
    let shared = merged["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .find(|g| g["client_ids"].to_string().contains(&client("A", 0)))
        .expect("the shared credential");
    assert_eq!(shared["repositories"].as_array().map(Vec::len), Some(40));
    assert_eq!(merged["groups"].as_array().map(Vec::len), Some(21));
    assert_eq!(findings_view(&merged), findings_view(&whole));
    assert_eq!(merged["unattributed"], whole["unattributed"]);
    assert_eq!(
        merged["summary"]["findings"], whole["summary"]["findings"],
        "counts"
    );
    let md = std::fs::read_to_string(&summary).expect("summary");
    assert!(
        md.contains("delete the JWT credential only after all 40"),
        "{md:.2000}"
    );
    // Scanning takes seconds (a debug build; a loaded machine gets slack).
    assert!(scanned.as_secs() < 120, "{scanned:?}");
}

#[test]
fn merge_script_refuses_missing_reports_and_corrupt_ones() {
    let tmp = tempfile::tempdir().expect("tmp");
    let reports = tmp.path().join("reports");
    std::fs::create_dir_all(&reports).expect("mkdir");
    let out = script("merge.sh")
        .arg(&reports)
        .arg(tmp.path().join("out"))
        .output()
        .expect("merge.sh");
    assert_eq!(out.status.code(), Some(2), "no report at all");
    let one = bin()
        .args(["scan", "--today", TODAY, "--format", "json", "-o"])
        .arg(reports.join("a.json"))
        .arg(root().join("fixtures/corpus/negative"))
        .output()
        .expect("scan");
    assert!(one.status.code().is_some_and(|c| c < 2));
    let out = script("merge.sh")
        .arg(&reports)
        .arg(tmp.path().join("out"))
        .args(["--expect", "2"])
        .output()
        .expect("merge.sh");
    assert_eq!(out.status.code(), Some(2), "a shard's reports are missing");
    assert!(String::from_utf8_lossy(&out.stderr).contains("expected 2"));
    std::fs::write(reports.join("b.json"), "{\"version\": 1, \"findings\": [").expect("write");
    let out = script("merge.sh")
        .arg(&reports)
        .arg(tmp.path().join("out"))
        .output()
        .expect("merge.sh");
    assert_eq!(out.status.code(), Some(2), "a truncated report");
    assert!(String::from_utf8_lossy(&out.stderr).contains("b.json"));
}
