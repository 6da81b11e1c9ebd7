//! The CI fleet scripts on 200 generated git repositories (issue 15, item 4):
//! `scripts/org/shard.sh` in 4 shards (half the repositories as `file://`
//! URLs, cloned with gix; half as plain paths) and `scripts/org/merge.sh`
//! give the same credential groups, findings and repositories as one scan
//! of the directory holding them all; a repository that cannot be cloned is
//! in the merged report's errors, never dropped. No network.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::common::{TODAY, bin, root, write};

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

/// Writes repository `i` under `org/` (files only).
fn files(org: &Path, i: usize) -> String {
    let name = format!("svc-{i:03}");
    let dir = org.join(&name);
    write(&dir, "README.md", &format!("# {name}\n"));
    let tech = |t: &str| format!("{}@techacct.adobe.com", hex(t, 24).to_uppercase());
    match i % 10 {
        0 => write(
            &dir,
            "src/token.js",
            &service(&client("A", 0), &tech("AAAA1111")),
        ),
        5 => write(
            &dir,
            ".github/workflows/deploy.yml",
            &pipeline(&client("A", 0), &tech("AAAA1111")),
        ),
        3 => write(
            &dir,
            "index.js",
            &service(&client("U", i), &tech(&format!("B{i:03}"))),
        ),
        _ => write(&dir, "src/main.py", "print('nothing to see')\n"),
    }
    name
}

/// Makes the repositories (one commit each, `origin` on github.com/acme).
fn make_org(org: &Path) -> Vec<String> {
    let names: Vec<String> = (0..REPOS).map(|i| files(org, i)).collect();
    let script = r#"set -eu
for d in "$@"; do
  git -C "$d" init -q -b main
  git -C "$d" remote add origin "https://github.com/acme/$(basename "$d")"
  git -C "$d" add -A
  git -C "$d" commit -q -m init
done"#;
    let status = Command::new("bash")
        .arg("-c")
        .arg(script)
        .arg("make")
        .args(names.iter().map(|n| org.join(n)))
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", org)
        .status()
        .expect("bash runs");
    assert!(status.success());
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

fn findings_view(v: &Value) -> Vec<(String, u64, String, String, String)> {
    let mut f: Vec<_> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap_or_default().to_string(),
                f["line"].as_u64().unwrap_or_default(),
                f["rule_id"].as_str().unwrap_or_default().to_string(),
                f["group"].as_str().unwrap_or_default().to_string(),
                f["repository"]["name"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            )
        })
        .collect();
    f.sort();
    f
}

#[test]
fn shard_and_merge_scripts_on_200_repositories_agree_with_one_scan() {
    let tmp = tempfile::tempdir().expect("tmp");
    let top = tmp.path().join("top");
    let org = top.join("acme");
    let names = make_org(&org);

    // One scan of the directory holding them all.
    let out = bin()
        .args([
            "scan",
            "--today",
            TODAY,
            "--no-progress",
            "--format",
            "json",
        ])
        .arg(&top)
        .output()
        .expect("scan");
    assert_eq!(out.status.code(), Some(1));
    let whole: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(whole["repositories"].as_array().map(Vec::len), Some(REPOS));

    // The list, as `gh repo list` would give it, but local: every other
    // repository a file:// URL, the rest plain paths; one that is gone.
    let mut list = String::from("# acme\n");
    for (i, n) in names.iter().enumerate() {
        let p = org.join(n);
        if i % 2 == 0 {
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
    for shard in 0..SHARDS {
        let out = script("shard.sh")
            .arg(&list_file)
            .arg(shard.to_string())
            .arg(SHARDS.to_string())
            .arg(reports.join(format!("shard-{shard}")))
            .output()
            .expect("shard.sh");
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
    // Scanning took seconds, not minutes (debug build, loaded machine).
    assert!(scanned.as_secs() < 240, "{scanned:?}");
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
