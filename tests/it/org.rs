//! Organisation-wide audits: repository-aware scans and `jwt2oauth merge`.
//! A directory of four git repositories made here (two share one
//! credential, one has another, one is clean) gives the same credential
//! groups from one `scan` of the directory as from `merge` of the four
//! per-repository reports; merge rejects corrupt reports and its output
//! does not depend on the order of its inputs.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::common::{bin, code, git, parse, scan_cmd, write};

/// The shared credential's client id and technical account.
pub const SHARED_CLIENT: &str = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";
pub const SHARED_TECH: &str = "1A2B3C4D5E6F7A8B9C0D1E2F@techacct.adobe.com";
const OTHER_CLIENT: &str = "fedcba98765432100123456789abcdef";

/// A Node service signing the Adobe JWT with `client`/`tech`.
pub fn service(client: &str, tech: &str) -> String {
    format!(
        r#"const auth = require("@adobe/jwt-auth");
const fs = require("fs");

async function token() {{
  return auth({{
    clientId: "{client}",
    technicalAccountId: "{tech}",
    orgId: "12345678901234567890ABCD@AdobeOrg",
    metaScopes: ["ent_analytics_bulk_ingest_sdk"],
    privateKey: fs.readFileSync("private.key"),
  }});
}}
module.exports = {{ token }};
"#
    )
}

/// A deploy pipeline passing the same credential's fields as secrets.
pub fn pipeline(client: &str, tech: &str) -> String {
    format!(
        r#"name: deploy
on: push
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: adobe/aio-apps-action@3.3.0
        with:
          command: auth
          CLIENTID: {client}
          TECHNICAL_ACCOUNT_ID: {tech}
          IMSORGID: 12345678901234567890ABCD@AdobeOrg
          KEY: ${{{{ secrets.DEPLOY_KEY }}}}
          SCOPES: ent_analytics_bulk_ingest_sdk
"#
    )
}

/// Makes a git repository with one commit; `remote` becomes `origin`.
pub fn repo(dir: &Path, files: &[(&str, String)], remote: Option<&str>) {
    std::fs::create_dir_all(dir).expect("mkdir");
    git(dir, &["init", "-q", "-b", "main"]);
    for (rel, text) in files {
        write(dir, rel, text);
    }
    if let Some(url) = remote {
        git(dir, &["remote", "add", "origin", url]);
    }
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "--allow-empty", "-m", "init"]);
}

/// The four repositories under `org`: `api` and `deploy` share one
/// credential, `reports` has another, `docs` is clean.
pub fn four_repos(org: &Path) {
    repo(
        &org.join("api"),
        &[
            ("package.json", "{\"name\":\"api\"}\n".into()),
            ("src/token.js", service(SHARED_CLIENT, SHARED_TECH)),
        ],
        None,
    );
    repo(
        &org.join("deploy"),
        &[(
            ".github/workflows/deploy.yml",
            pipeline(SHARED_CLIENT, SHARED_TECH),
        )],
        None,
    );
    repo(
        &org.join("reports"),
        &[
            ("package.json", "{\"name\":\"reports\"}\n".into()),
            (
                "index.js",
                service(OTHER_CLIENT, "9F8E7D6C5B4A39281706F5E4@techacct.adobe.com"),
            ),
        ],
        None,
    );
    repo(
        &org.join("docs"),
        &[("README.md", "# Docs\nNothing to see.\n".into())],
        None,
    );
}

fn scan_to(dir: &Path, out: &Path) -> i32 {
    let out = out.to_str().expect("utf-8 path");
    code(&scan_json_out(dir, &["-o", out]))
}

/// Per-repository reports of `org`'s four repositories, in `dir`.
pub fn per_repo_reports(org: &Path, dir: &Path) -> Vec<PathBuf> {
    ["api", "deploy", "docs", "reports"]
        .iter()
        .map(|r| {
            let out = dir.join(format!("{r}.json"));
            let rc = scan_to(&org.join(r), &out);
            assert!(rc == 0 || rc == 1, "scan {r}: exit {rc}");
            out
        })
        .collect()
}

/// `scan --format json ARGS .` run inside `dir`.
fn scan_json_out(dir: &Path, args: &[&str]) -> std::process::Output {
    scan_cmd("json")
        .args(args)
        .arg(".")
        .current_dir(dir)
        .output()
        .expect("run")
}

fn merge_json(reports: &[PathBuf]) -> (i32, Value) {
    let out = bin()
        .arg("merge")
        .args(reports)
        .args(["--format", "json"])
        .output()
        .expect("run");
    (code(&out), parse(&out))
}

/// The groups without what depends on how the files were reached.
fn groups(v: &Value) -> Vec<Value> {
    v["groups"].as_array().expect("groups").clone()
}

/// Each finding as (path, line, rule, group, repository), sorted: what
/// one scan and a merge of reports must agree on.
pub fn findings_view(v: &Value) -> Vec<(String, u64, String, String, String)> {
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
fn one_scan_of_the_directory_and_a_merge_of_four_reports_agree() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let org = tmp.path().join("org");
    four_repos(&org);

    let whole = tmp.path().join("whole.json");
    assert_eq!(scan_to(&org, &whole), 1);
    let whole: Value = serde_json::from_slice(&std::fs::read(&whole).expect("read")).expect("json");
    let repos: Vec<(&str, &str, &str)> = whole["repositories"]
        .as_array()
        .expect("repositories")
        .iter()
        .map(|r| {
            (
                r["name"].as_str().expect("name"),
                r["root"].as_str().expect("root"),
                r["status"].as_str().expect("status"),
            )
        })
        .collect();
    assert_eq!(
        repos,
        vec![
            ("api", "api", "jwt-in-use"),
            ("deploy", "deploy", "jwt-in-use"),
            ("docs", "docs", "clean"),
            ("reports", "reports", "jwt-in-use"),
        ]
    );
    assert!(
        whole["repository"].is_null(),
        "several repositories: none at the top"
    );
    for f in whole["findings"].as_array().expect("findings") {
        let r = &f["repository"];
        let root = r["root"].as_str().expect("every finding has a repository");
        assert!(
            f["path"]
                .as_str()
                .expect("path")
                .starts_with(&format!("{root}/"))
        );
        assert_eq!(r["commit"].as_str().map(str::len), Some(40), "{r}");
    }
    let g = groups(&whole);
    assert_eq!(g.len(), 2, "{g:#?}");
    let shared = g
        .iter()
        .find(|g| {
            g["client_ids"]
                .as_array()
                .is_some_and(|c| c.iter().any(|c| c == SHARED_CLIENT))
        })
        .expect("the shared credential");
    assert_eq!(shared["repositories"], serde_json::json!(["api", "deploy"]));

    let reports = tmp.path().join("reports");
    std::fs::create_dir_all(&reports).expect("mkdir");
    let per = per_repo_reports(&org, &reports);
    let docs: Value = serde_json::from_slice(&std::fs::read(&per[2]).expect("read")).expect("json");
    assert_eq!(
        docs["repository"]["name"], "docs",
        "a clean repository is still named"
    );
    assert_eq!(docs["repositories"][0]["status"], "clean");

    let (rc, merged) = merge_json(&per);
    assert_eq!(rc, 1, "the gate fails as the scan's does");
    assert_eq!(
        groups(&merged),
        g,
        "merge links the shared credential as the scan does"
    );
    assert_eq!(findings_view(&merged), findings_view(&whole));
    assert_eq!(merged["repositories"], whole["repositories"]);
    assert_eq!(merged["unattributed"], whole["unattributed"]);
}

#[test]
fn merge_rejects_corrupt_reports_naming_the_file() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let org = tmp.path().join("org");
    repo(
        &org.join("api"),
        &[("src/token.js", service(SHARED_CLIENT, SHARED_TECH))],
        None,
    );
    let good = tmp.path().join("good.json");
    assert_eq!(scan_to(&org.join("api"), &good), 1);
    let text = std::fs::read_to_string(&good).expect("read");
    let cases = [
        (
            "not-json.json",
            "this is not JSON\n".to_string(),
            "not JSON",
        ),
        (
            "truncated.json",
            text[..text.len() / 2].to_string(),
            "truncated JSON report",
        ),
        (
            "version.json",
            text.replacen("\"version\": 1", "\"version\": 2", 1),
            "of version 2",
        ),
        (
            "other-tool.json",
            "{\"version\": 1, \"runs\": []}\n".to_string(),
            "not a jwt2oauth JSON report",
        ),
        (
            "no-findings.json",
            text.replacen("\"findings\":", "\"found\":", 1),
            "not a jwt2oauth JSON report",
        ),
    ];
    for (name, body, why) in cases {
        let bad = tmp.path().join(name);
        std::fs::write(&bad, body).expect("write");
        for args in [[&good, &bad], [&bad, &good]] {
            let out = bin()
                .arg("merge")
                .args(args)
                .args(["--format", "json"])
                .output()
                .expect("run");
            let err = String::from_utf8_lossy(&out.stderr);
            assert_eq!(code(&out), 2, "{name}: {err}");
            assert!(
                err.contains(&bad.display().to_string()),
                "{name}: names the file: {err}"
            );
            assert!(err.contains(why), "{name}: says why ({why}): {err}");
            assert!(out.stdout.is_empty(), "{name}: no partial report");
        }
    }
    let missing = tmp.path().join("missing.json");
    let out = bin().arg("merge").arg(&missing).output().expect("run");
    assert_eq!(code(&out), 2);
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing.json"));
}

#[test]
fn merge_output_does_not_depend_on_input_order() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let org = tmp.path().join("org");
    four_repos(&org);
    let per = per_repo_reports(&org, tmp.path());
    let orders: [Vec<usize>; 3] = [vec![0, 1, 2, 3], vec![3, 2, 1, 0], vec![2, 0, 3, 1]];
    let mut seen: Vec<Vec<Vec<u8>>> = Vec::new();
    for (n, order) in orders.iter().enumerate() {
        let dir = tmp.path().join(format!("out{n}"));
        std::fs::create_dir_all(&dir).expect("mkdir");
        let mut cmd = bin();
        cmd.arg("merge");
        for &i in order {
            cmd.arg(&per[i]);
        }
        // A report given twice changes nothing either.
        cmd.arg(&per[order[0]]);
        for f in ["json", "sarif", "markdown", "html", "junit", "terminal"] {
            cmd.arg("-o").arg(format!("{f}={}", dir.join(f).display()));
        }
        let out = cmd.output().expect("run");
        assert_eq!(code(&out), 1, "{}", String::from_utf8_lossy(&out.stderr));
        seen.push(
            ["json", "sarif", "markdown", "html", "junit", "terminal"]
                .iter()
                .map(|f| std::fs::read(dir.join(f)).expect("read"))
                .collect(),
        );
    }
    for s in &seen[1..] {
        for (i, f) in ["json", "sarif", "markdown", "html", "junit", "terminal"]
            .iter()
            .enumerate()
        {
            assert!(s[i] == seen[0][i], "{f} differs with another input order");
        }
    }
    let sarif: Value = serde_json::from_slice(&seen[0][1]).expect("sarif");
    let ids: Vec<&str> = sarif["runs"]
        .as_array()
        .expect("runs")
        .iter()
        .map(|r| r["automationDetails"]["id"].as_str().expect("id"))
        .collect();
    assert_eq!(
        ids,
        vec![
            "jwt2oauth/api/",
            "jwt2oauth/deploy/",
            "jwt2oauth/docs/",
            "jwt2oauth/reports/"
        ],
        "one run per repository"
    );
    for run in sarif["runs"].as_array().expect("runs") {
        for r in run["results"].as_array().expect("results") {
            let uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .expect("uri");
            assert!(
                !uri.starts_with("api/") && !uri.starts_with("deploy/"),
                "relative to the repository: {uri}"
            );
        }
    }
    let md = String::from_utf8_lossy(&seen[0][2]);
    assert!(md.contains("## Organisation"), "{md}");
    assert!(
        md.contains("4 repositories: 3 JWT in use, 0 migrated, 1 clean."),
        "{md}"
    );
    assert!(
        md.contains("`api` → `deploy`") && md.contains("only after all 2 are done"),
        "{md}"
    );
    let org_at = md.find("## Organisation").expect("org view");
    assert!(org_at < md.find("## Executive summary").expect("summary"));
}

#[test]
fn repository_names_come_from_the_flag_the_remote_or_the_directory() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("svc");
    repo(
        &dir,
        &[("src/token.js", service(SHARED_CLIENT, SHARED_TECH))],
        Some("https://x-access-token:ghp_Z9y8X7w6V5u4T3s2R1q0@github.com/acme/svc-api.git"),
    );
    let json = tmp.path().join("r.json");
    assert_eq!(scan_to(&dir, &json), 1);
    let v: Value = serde_json::from_slice(&std::fs::read(&json).expect("read")).expect("json");
    assert_eq!(v["repository"]["name"], "acme/svc-api");
    assert_eq!(v["repository"]["root"], ".");
    assert_eq!(
        v["repository"]["url"],
        "https://github.com/acme/svc-api.git"
    );
    assert_eq!(v["findings"][0]["repository"]["name"], "acme/svc-api");
    assert!(
        !std::fs::read_to_string(&json)
            .expect("read")
            .contains("ghp_")
    );

    let out = scan_json_out(&dir, &["--repository", "team/renamed"]);
    assert_eq!(parse(&out)["repository"]["name"], "team/renamed");

    // Nested: a repository inside another one's work tree.
    let inner = dir.join("vendor-tools");
    repo(
        &inner,
        &[("run.js", service(OTHER_CLIENT, SHARED_TECH))],
        None,
    );
    let out = scan_json_out(&dir, &[]);
    let v = parse(&out);
    let roots: Vec<&str> = v["repositories"]
        .as_array()
        .expect("repositories")
        .iter()
        .map(|r| r["root"].as_str().expect("root"))
        .collect();
    assert_eq!(roots, vec![".", "vendor-tools"]);
    for f in v["findings"].as_array().expect("findings") {
        let path = f["path"].as_str().expect("path");
        let want = if path.starts_with("vendor-tools/") {
            "vendor-tools"
        } else {
            "acme/svc-api"
        };
        assert_eq!(f["repository"]["name"], want, "{path}");
    }
    let out = scan_json_out(tmp.path(), &["--repository", "x"]);
    assert_eq!(code(&out), 2, "--repository with several repositories");
}
