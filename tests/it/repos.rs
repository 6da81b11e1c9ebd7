//! Local fleet mode, `scan --repos FILE`: `file://` URLs of repositories
//! made here are cloned into the cache and reused the second time; a URL
//! that fails is listed in `errors` while the rest are scanned; `--history`
//! clones every commit; a token in a URL appears nowhere (stdout, stderr,
//! the cache).

use std::path::Path;

use serde_json::Value;

use crate::common::{TODAY, bin, code, git, parse, write};
use crate::org::{SHARED_CLIENT, SHARED_TECH, four_repos};

fn file_url(dir: &Path) -> String {
    format!("file://{}", dir.display())
}

/// `scan --repos LIST --repos-cache CACHE --format json EXTRA...`.
fn scan_repos(list: &Path, cache: &Path, extra: &[&str]) -> (i32, Value, String) {
    let out = bin()
        .args(["scan", "--today", TODAY, "--format", "json", "--repos"])
        .arg(list)
        .arg("--repos-cache")
        .arg(cache)
        .args(extra)
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (code(&out), parse(&out), stderr)
}

fn paths(v: &Value) -> Vec<String> {
    let mut p: Vec<String> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["path"].as_str().expect("path").to_string())
        .collect();
    p.sort();
    p.dedup();
    p
}

fn repo_names(v: &Value) -> Vec<String> {
    v["repositories"]
        .as_array()
        .expect("repositories")
        .iter()
        .map(|r| r["name"].as_str().expect("name").to_string())
        .collect()
}

/// The clone of `name` in the cache (`owner__name-HASH`).
fn cached(cache: &Path, prefix: &str) -> std::path::PathBuf {
    std::fs::read_dir(cache)
        .expect("cache")
        .map(|e| e.expect("entry").path())
        .find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(prefix))
        })
        .unwrap_or_else(|| panic!("no {prefix}* in {}", cache.display()))
}

#[test]
fn urls_are_cloned_once_reused_next_time_and_a_failing_one_is_listed() {
    let tmp = tempfile::tempdir().expect("tmp");
    let org = tmp.path().join("acme");
    four_repos(&org);
    let cache = tmp.path().join("cache");
    let list = tmp.path().join("repos.txt");
    std::fs::write(
        &list,
        format!(
            "# the fleet\n{}\n{}\n\nacme/reports\n{}\n{}\n",
            file_url(&org.join("api")),
            file_url(&org.join("deploy")),
            file_url(&org.join("docs")),
            file_url(&tmp.path().join("gone/missing")),
        ),
    )
    .expect("write");

    let (rc, v, _) = scan_repos(&list, &cache, &[]);
    assert_eq!(rc, 1, "findings fail the gate");
    assert_eq!(
        paths(&v),
        [
            "acme/api/src/token.js",
            "acme/deploy/.github/workflows/deploy.yml",
            "reports/index.js"
        ]
    );
    // The repository that could not be cloned is listed too, as
    // `incomplete`: never as clean.
    assert_eq!(
        repo_names(&v),
        [
            "acme/api",
            "acme/deploy",
            "acme/docs",
            "gone/missing",
            "reports"
        ]
    );
    let status = |name: &str| {
        v["repositories"]
            .as_array()
            .expect("repositories")
            .iter()
            .find(|r| r["name"] == name)
            .expect("listed")["status"]
            .clone()
    };
    assert_eq!(status("gone/missing"), "incomplete");
    assert_eq!(status("acme/docs"), "clean");
    assert_eq!(status("acme/api"), "jwt-in-use");
    // The shared credential links the two clones.
    let shared = v["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .find(|g| g["client_ids"].to_string().contains(SHARED_CLIENT))
        .expect("shared group");
    assert_eq!(
        shared["repositories"],
        serde_json::json!(["acme/api", "acme/deploy"])
    );
    // The missing repository is an error naming the list's line.
    let errors = v["errors"].as_array().expect("errors");
    assert_eq!(errors.len(), 1, "{errors:?}");
    let msg = errors[0]["message"].as_str().expect("message");
    assert!(msg.contains("repos.txt:7: file://"), "{msg}");
    assert!(msg.contains("gone/missing: clone failed"), "{msg}");
    assert_eq!(
        errors[0]["path"], "gone/missing",
        "in the repository it is about"
    );
    // Shallow clones (depth 1).
    let api = cached(&cache, "acme__api-");
    assert!(api.join(".git/shallow").is_file(), "a shallow clone");

    // Second run: the clones are reused, not cloned again.
    let marker = api.join(".git/jwt2oauth-test-marker");
    std::fs::write(&marker, "kept").expect("marker");
    let (rc2, v2, _) = scan_repos(&list, &cache, &[]);
    assert_eq!(rc2, 1);
    assert!(marker.is_file(), "the cached clone was reused");
    assert_eq!(paths(&v2), paths(&v));
    assert_eq!(v2["groups"], v["groups"]);

    // A new commit upstream: the clone is brought up to date.
    write(&org.join("api"), "src/more.js", "// nothing\n");
    git(&org.join("api"), &["add", "-A"]);
    git(&org.join("api"), &["commit", "-q", "-m", "more"]);
    let (_, v3, _) = scan_repos(&list, &cache, &[]);
    assert!(api.join("src/more.js").is_file(), "updated to the new HEAD");
    let api_commit = |v: &Value| {
        v["repositories"]
            .as_array()
            .expect("repos")
            .iter()
            .find(|r| r["name"] == "acme/api")
            .expect("api")["commit"]
            .clone()
    };
    assert_eq!(
        api_commit(&v3),
        git(&org.join("api"), &["rev-parse", "HEAD"]).as_str()
    );

    // With --strict the failing repository makes the scan incomplete.
    let (rc4, _, _) = scan_repos(&list, &cache, &["--strict", "--fail-on", "never"]);
    assert_eq!(rc4, 3);
}

#[test]
fn a_single_repository_is_scanned_as_scan_dir_would() {
    let tmp = tempfile::tempdir().expect("tmp");
    let org = tmp.path().join("acme");
    four_repos(&org);
    let list = tmp.path().join("one.txt");
    std::fs::write(&list, format!("{}\n", file_url(&org.join("api")))).expect("write");
    let (rc, v, _) = scan_repos(&list, &tmp.path().join("cache"), &[]);
    assert_eq!(rc, 1);
    assert_eq!(paths(&v), ["src/token.js"]);
    assert_eq!(v["repository"]["name"], "acme/api");
    assert!(v["findings"][0]["repository"]["commit"].is_string());
}

#[test]
fn history_clones_every_commit() {
    let tmp = tempfile::tempdir().expect("tmp");
    let r = tmp.path().join("acme/legacy");
    crate::org::repo(
        &r,
        &[(
            "config.json",
            format!(
                "{{\"CLIENT_ID\": \"{SHARED_CLIENT}\", \"TECHNICAL_ACCOUNT_ID\": \"{SHARED_TECH}\", \"METASCOPES\": \"ent_analytics_bulk_ingest_sdk\", \"PRIVATE_KEY_PATH\": \"private.key\"}}\n"
            ),
        )],
        None,
    );
    git(&r, &["rm", "-q", "config.json"]);
    write(&r, "README.md", "migrated\n");
    git(&r, &["add", "-A"]);
    git(&r, &["commit", "-q", "-m", "remove the JWT credential"]);
    let list = tmp.path().join("repos.txt");
    std::fs::write(&list, format!("{}\n", file_url(&r))).expect("write");
    let cache = tmp.path().join("cache");

    let (rc, v, _) = scan_repos(&list, &cache, &[]);
    assert_eq!(rc, 0, "HEAD is clean: {v}");
    let clone = cached(&cache, "acme__legacy-");
    assert!(clone.join(".git/shallow").is_file());

    let (rc, v, err) = scan_repos(&list, &cache, &["--history"]);
    assert_eq!(rc, 1, "{err}");
    assert!(!clone.join(".git/shallow").exists(), "a full clone");
    assert_eq!(v["history"]["commits"], 2, "{}", v["history"]);
    let f = &v["findings"][0];
    assert_eq!(f["path"], "config.json");
    assert_eq!(f["history"]["removed"], true);
    assert_eq!(v["repository"]["name"], "acme/legacy");

    // A history scan takes one repository per run.
    std::fs::write(&list, format!("{}\n{}\n", file_url(&r), r.display())).expect("write");
    let out = bin()
        .args(["scan", "--history", "--repos"])
        .arg(&list)
        .arg("--repos-cache")
        .arg(&cache)
        .output()
        .expect("run");
    assert_eq!(code(&out), 2);
    assert!(String::from_utf8_lossy(&out.stderr).contains("jwt2oauth merge"));
}

#[test]
fn a_token_in_a_url_appears_nowhere() {
    let tmp = tempfile::tempdir().expect("tmp");
    // A closed port on loopback: the clone fails fast, no network.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    };
    let token = "ghp_TestTokenNeverPrinted0123456789abcd";
    let list = tmp.path().join("repos.txt");
    std::fs::write(
        &list,
        format!(
            "https://ci-user:{token}@127.0.0.1:{port}/acme/private.git\nhttps://{token}@127.0.0.1:{port}/acme/other\n"
        ),
    )
    .expect("write");
    let cache = tmp.path().join("cache");
    for format in ["json", "terminal", "sarif", "markdown", "html"] {
        let out = bin()
            .args(["scan", "--today", TODAY, "--format", format, "--repos"])
            .arg(&list)
            .arg("--repos-cache")
            .arg(&cache)
            .output()
            .expect("run");
        assert_eq!(code(&out), 0, "nothing scanned, nothing failed");
        for (what, text) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
            let text = String::from_utf8_lossy(text);
            assert!(!text.contains(token), "{format} {what}: {text}");
            assert!(!text.contains("TestToken"), "{format} {what}: {text}");
            assert!(!text.contains("ci-user"), "{format} {what}: {text}");
        }
        if format == "json" {
            let v = parse(&out);
            let errors = v["errors"].as_array().expect("errors");
            assert_eq!(errors.len(), 2, "{errors:?}");
            assert_eq!(errors[0]["path"], "acme/other");
            assert!(
                errors[0]["message"]
                    .as_str()
                    .is_some_and(|m| m.contains(&format!(
                        "repos.txt:2: https://127.0.0.1:{port}/acme/other: clone failed"
                    ))),
                "{errors:?}"
            );
            let repos = v["repositories"].as_array().expect("repositories");
            assert_eq!(repos.len(), 2, "both listed: {repos:?}");
            for r in repos {
                assert_eq!(r["status"], "incomplete", "{r}");
                assert!(r["commit"].is_null(), "{r}");
            }
            assert_eq!(
                repos[0]["url"],
                format!("https://127.0.0.1:{port}/acme/other")
            );
        }
    }
    // Nothing of it on disk either.
    if cache.exists() {
        for e in walk(&cache) {
            let bytes = std::fs::read(&e).unwrap_or_default();
            assert!(
                !String::from_utf8_lossy(&bytes).contains(token),
                "{}",
                e.display()
            );
        }
    }
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn an_unreadable_or_empty_list_is_a_usage_error() {
    let tmp = tempfile::tempdir().expect("tmp");
    let missing = tmp.path().join("nope.txt");
    let out = bin()
        .args(["scan", "--repos"])
        .arg(&missing)
        .output()
        .expect("run");
    assert_eq!(code(&out), 2);
    assert!(String::from_utf8_lossy(&out.stderr).contains("nope.txt"));
    let empty = tmp.path().join("empty.txt");
    std::fs::write(&empty, "# nothing yet\n\n").expect("write");
    let out = bin()
        .args(["scan", "--repos"])
        .arg(&empty)
        .output()
        .expect("run");
    assert_eq!(code(&out), 2);
    assert!(String::from_utf8_lossy(&out.stderr).contains("lists no repository"));
}

/// `--reports-dir` with a repository that could not be had: its report
/// holds its error at its root, and the merge lists it as `incomplete`
/// (never `clean`), its error under its name, in every format's summary.
#[test]
fn a_failed_repository_is_incomplete_in_the_merged_report() {
    let tmp = tempfile::tempdir().expect("tmp");
    let org = tmp.path().join("acme");
    four_repos(&org);
    let list = tmp.path().join("repos.txt");
    std::fs::write(
        &list,
        format!(
            "{}\n{}\n",
            org.join("docs").display(),
            tmp.path().join("gone").display()
        ),
    )
    .expect("write");
    let reports = tmp.path().join("reports");
    let out = bin()
        .args(["scan", "--today", TODAY, "--repos"])
        .arg(&list)
        .arg("--repos-cache")
        .arg(tmp.path().join("cache"))
        .arg("--reports-dir")
        .arg(&reports)
        .output()
        .expect("run");
    assert_eq!(
        code(&out),
        0,
        "docs is clean, the failure only incomplete: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let gone: Value = serde_json::from_str(
        &std::fs::read_to_string(reports.join("gone.json")).expect("gone.json"),
    )
    .expect("json");
    assert_eq!(gone["errors"][0]["path"], ".", "{gone}");
    let merged = bin()
        .args(["merge", "--format", "json"])
        .arg(reports.join("docs.json"))
        .arg(reports.join("gone.json"))
        .output()
        .expect("merge");
    let v = parse(&merged);
    let statuses: Vec<(String, String)> = v["repositories"]
        .as_array()
        .expect("repositories")
        .iter()
        .map(|r| {
            (
                r["name"].as_str().unwrap_or_default().to_string(),
                r["status"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    assert_eq!(
        statuses,
        [
            ("docs".to_string(), "clean".to_string()),
            ("gone".to_string(), "incomplete".to_string())
        ]
    );
    assert_eq!(v["errors"][0]["path"], "gone");
    let md = bin()
        .args(["merge", "--format", "markdown"])
        .arg(reports.join("docs.json"))
        .arg(reports.join("gone.json"))
        .output()
        .expect("merge");
    let md = String::from_utf8_lossy(&md.stdout);
    // The merged gate follows `scan`'s: --strict makes it exit 3.
    let strict = bin()
        .args(["merge", "--strict", "--format", "json"])
        .arg(reports.join("docs.json"))
        .arg(reports.join("gone.json"))
        .output()
        .expect("merge");
    assert_eq!(code(&strict), 3);
    assert_eq!(parse(&strict)["summary"]["incomplete"], true);
    assert!(
        md.contains(
            "2 repositories: 0 JWT in use, 0 migrated, 1 incomplete (not fully scanned), 1 clean."
        ),
        "{md}"
    );
}
