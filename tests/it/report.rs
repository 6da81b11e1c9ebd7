//! The migration report (Markdown, HTML), JUnit and GitHub annotations on
//! the fixtures: snapshots, structure, several formats in one run, and
//! report files written with mode 0600.

use crate::common::{TODAY, bin_in, code};

/// Scans the directory in `args` (its last argument: a fixture or a tree
/// made by the test) from inside it (`scan .`), so the reports' paths are
/// relative to it.
fn run(args: &[&str]) -> (i32, String) {
    let dir = *args.last().expect("a directory to scan");
    let args: Vec<&str> = args
        .iter()
        .map(|&a| if a == dir { "." } else { a })
        .collect();
    let out = bin_in(dir)
        .args(["scan", "--today", TODAY])
        .args(&args)
        .output()
        .expect("run");
    (code(&out), String::from_utf8(out.stdout).expect("utf-8"))
}

#[test]
fn markdown_report_snapshot() {
    let (rc, md) = run(&["--format", "markdown", "fixtures/corpus/python-jwt"]);
    assert_eq!(rc, 1);
    insta::assert_snapshot!(
        "markdown_python",
        md.replace(env!("CARGO_PKG_VERSION"), "[version]")
    );
}

#[test]
fn markdown_report_sections_on_the_corpus() {
    let (_, md) = run(&["--format", "md", "fixtures/corpus"]);
    for section in [
        "## Executive summary",
        "### Findings by category and deadline status",
        "### Credentials",
        "## Migration steps",
        "### Steps: Developer Console JWT credential",
        "### Files and sites",
        "### Metascopes and OAuth scopes",
        "### Secrets and keys to rotate or delete",
        "### Checklist",
        "## Usage sites not tied to a credential",
        "## Findings",
        "## Suppressed findings",
    ] {
        assert!(md.contains(section), "missing {section}");
    }
    assert!(md.contains("Add equivalent OAuth Server-to-Server credential"));
    assert!(md.contains("- [ ] "));
    assert!(md.contains("`openid,AdobeID,user_management_sdk`"));
}

#[test]
fn junit_snapshot() {
    let (rc, xml) = run(&[
        "--format",
        "junit",
        "--fail-on",
        "high",
        "fixtures/corpus/java-jjwt",
    ]);
    assert_eq!(rc, 1);
    insta::assert_snapshot!("junit_java", xml);
    assert!(xml.contains("<failure"));
    assert!(xml.contains("<skipped"), "the inline-suppressed finding");
}

#[test]
fn github_annotations_snapshot() {
    let (_, text) = run(&["--format", "github", "fixtures/corpus/python-jwt"]);
    for line in text.lines() {
        assert!(line.starts_with("::"), "one command per line: {line}");
    }
    insta::assert_snapshot!("github_python", text);
}

#[test]
fn json_snapshot_with_baseline_and_stale_entries() {
    let dir = tempfile::tempdir().expect("tempdir");
    let tree = dir.path().join("tree");
    crate::common::write(
        &tree,
        "auth.py",
        "URL = 'https://ims-na1.adobelogin.com/ims/exchange/jwt'\nAUD = 'https://ims-na1.adobelogin.com/c/' + CLIENT_ID\n",
    );
    crate::common::write(
        dir.path(),
        "baseline.json",
        r#"{"version": 1, "entries": [
  {"path": "auth.py", "rule_id": "jwt-exchange-endpoint", "fingerprint": "FP", "reason": "PLAT-1", "until": "2027-01-31"},
  {"path": "gone.py", "rule_id": "jwt-exchange-endpoint", "fingerprint": "00000000000000000000000000000000"}
]}"#,
    );
    // Find the real fingerprint first.
    let (_, v) = crate::common::scan_json_in(tree.to_str().expect("utf-8"), &[]);
    let fp = v["findings"][0]["fingerprint"]
        .as_str()
        .expect("fp")
        .to_string();
    let b = dir.path().join("baseline.json");
    let text = std::fs::read_to_string(&b)
        .expect("read")
        .replace("\"FP\"", &format!("{fp:?}"));
    std::fs::write(&b, text).expect("write");
    let (rc, v) = crate::common::scan_json_in(
        tree.to_str().expect("utf-8"),
        &["--baseline", b.to_str().expect("utf-8")],
    );
    assert_eq!(rc, 1, "the aud claim is new");
    insta::assert_json_snapshot!("json_baseline", v, {
        ".tool.version" => "[version]",
        ".baseline" => "[baseline]",
    });
}

#[test]
fn html_report_is_self_contained() {
    let (_, html) = run(&["--format", "html", "fixtures/corpus"]);
    assert!(html.starts_with("<!DOCTYPE html>"));
    for forbidden in [
        "<link",
        "<img",
        "<iframe",
        "src=\"http",
        "@import",
        "url(",
        "<script src",
    ] {
        assert!(!html.contains(forbidden), "external asset: {forbidden}");
    }
    assert!(html.contains("<svg id=\"chart\""));
    assert!(html.contains("<style>"));
    let (_, v) = crate::common::scan_json_in("fixtures/corpus", &[]);
    let n = |k: &str| v[k].as_array().expect("array").len();
    assert_eq!(
        html.matches("<article class=\"finding").count(),
        n("findings")
    );
    assert_eq!(
        html.matches("<section class=\"credential\"").count(),
        n("groups")
    );
}

#[test]
fn several_formats_in_one_run_to_private_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = |n: &str| dir.path().join(n).to_str().expect("utf-8").to_string();
    let (sarif, html, junit, md, json) = (
        p("r.sarif"),
        p("r.html"),
        p("r.xml"),
        p("r.md"),
        p("r.json"),
    );
    let (rc, stdout) = run(&[
        "--format",
        "json",
        "--format",
        "html",
        "-o",
        &json,
        "-o",
        &html,
        "-o",
        &format!("sarif={sarif}"),
        "-o",
        &format!("junit={junit}"),
        "-o",
        &format!("markdown={md}"),
        "fixtures/corpus/python-jwt",
    ]);
    assert_eq!(rc, 1);
    assert!(stdout.is_empty(), "every format went to a file: {stdout}");
    for f in [&sarif, &html, &junit, &md, &json] {
        let meta = std::fs::metadata(f).unwrap_or_else(|e| panic!("{f}: {e}"));
        assert!(meta.len() > 100, "{f}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(meta.permissions().mode() & 0o777, 0o600, "{f}");
        }
    }
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).expect("json")).expect("json");
    assert_eq!(v["version"], 1);
    // `-o sarif=FILE` alone: the terminal report still goes to stdout.
    let (_, stdout) = run(&[
        "-o",
        &format!("sarif={sarif}"),
        "fixtures/corpus/python-jwt",
    ]);
    assert!(stdout.contains("gate (--fail-on low): FAILED"), "{stdout}");
    // Two formats for stdout is a usage error.
    let out = bin_in("fixtures/clean")
        .args(["scan", "--format", "json", "--format", "sarif", "."])
        .output()
        .expect("run");
    assert_eq!(code(&out), 2);
}

#[test]
fn no_progress_bar_off_a_terminal() {
    // stderr is a pipe here: no progress output, only notes.
    let out = bin_in("fixtures/corpus")
        .args(["scan", "--today", TODAY, "--format", "sarif", "."])
        .output()
        .expect("run");
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout.starts_with(b"{"));
}

/// A tree of several small projects (built here): a Node app whose code
/// reads its key, a Console project with its `keys/`, an App Builder app
/// deployed from CI, a User Sync job, and a script with nothing to tie it
/// to a credential. One credential per real credential; the script is a
/// usage site not tied to one; each kind's steps are written once.
#[test]
fn several_projects_one_credential_each() {
    use crate::common::write;
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let corpus = crate::common::root().join("fixtures/corpus");
    let copy = |from: &str, to: &str| {
        let text = std::fs::read_to_string(corpus.join(from)).expect("fixture");
        write(d, to, &text);
    };
    // A Node app: index.js reads ./secrets/private.key; package.json and
    // manual.js carry no identifier and join it through the package root.
    copy("node-jwt-auth/package.json", "node-shop/package.json");
    copy("node-jwt-auth/index.js", "node-shop/index.js");
    copy("node-jwt-auth/manual.js", "node-shop/manual.js");
    // A Console project (a git repository): the workspace download, its
    // keys/ and a script that signs with the key from the environment.
    std::fs::create_dir_all(d.join("console-exports/.git")).expect("mkdir");
    write(
        d,
        "console-exports/project.json",
        r#"{
  "project": {
    "id": "4566206088344794932",
    "name": "exports",
    "org": { "id": "123456", "ims_org_id": "5E6F7A8B9C0D1E2F3A4B5C6D@AdobeOrg" },
    "workspace": {
      "id": "4566206088344853995",
      "name": "Production",
      "details": {
        "credentials": [
          {
            "id": "555555",
            "name": "Exports JWT",
            "integration_type": "service",
            "jwt": {
              "client_id": "5c1e7a2b9d4f60813a2b4c6d8e0f1a3b",
              "techacct_id": "5C1E7A2B9D4F60813A2B4C6D@techacct.adobe.com",
              "meta_scopes": ["ent_dataservices_sdk"]
            }
          }
        ]
      }
    }
  }
}
"#,
    );
    copy("keys/private.key", "console-exports/keys/private.key");
    copy(
        "keys/certificate_pub.crt",
        "console-exports/keys/certificate_pub.crt",
    );
    copy(
        "python-jwt/adobe_auth.py",
        "console-exports/scripts/export.py",
    );
    // An App Builder app: its aio context in .env, deployed from CI.
    write(d, "aio-app/package.json", "{ \"name\": \"aio-app\" }\n");
    write(
        d,
        "aio-app/.env",
        "AIO_PROJECT_ID=4566206088341111111\n\
         AIO_ims_contexts_exports_client__id=7d2a4c6e8f0b1d3f5a7c9e1b3d5f7a9c\n\
         AIO_ims_contexts_exports_technical__account__id=7D2A4C6E8F0B1D3F5A7C9E1B@techacct.adobe.com\n\
         AIO_ims_contexts_exports_meta__scopes=[\"ent_analytics_bulk_ingest_sdk\"]\n",
    );
    copy(
        ".github/workflows/deploy.yml",
        "aio-app/.github/workflows/deploy.yml",
    );
    // A User Sync job on umapi-client 2 (JWT only).
    copy(
        "python-umapi/requirements.txt",
        "user-sync/requirements.txt",
    );
    copy("python-umapi/sync.py", "user-sync/sync.py");
    // A shell script with no identifier, in no project with a credential.
    copy("shell/get_token.sh", "scripts/get_token.sh");
    let tree = d.to_str().expect("utf-8");
    let (rc, v) = crate::common::scan_json_in(tree, &[]);
    assert_eq!(rc, 1);
    let groups: Vec<serde_json::Value> = v["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .map(|g| {
            serde_json::json!({
                "label": g["label"],
                "identified_by": g["identified_by"],
                "project": g["project"],
                "files": g["files"],
                "attached_files": g["attached_files"],
            })
        })
        .collect();
    let unattributed: Vec<serde_json::Value> = v["unattributed"]
        .as_array()
        .expect("unattributed")
        .iter()
        .map(|u| serde_json::json!({ "project": u["project"], "files": u["files"] }))
        .collect();
    insta::assert_json_snapshot!(
        "several_projects_credentials",
        serde_json::json!({ "groups": groups, "unattributed": unattributed })
    );
    let projects: Vec<&str> = v["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .filter_map(|g| g["project"].as_str())
        .collect();
    assert_eq!(
        projects
            .iter()
            .collect::<std::collections::BTreeSet<_>>()
            .len(),
        4,
        "one credential per project: {projects:?}"
    );
    let (_, md) = run(&["--format", "markdown", tree]);
    // The plan (everything before the per-file findings) as a snapshot.
    let plan_part = md.split("\n## Findings\n").next().expect("plan");
    insta::assert_snapshot!(
        "several_projects_markdown_plan",
        plan_part.replace(env!("CARGO_PKG_VERSION"), "[version]")
    );
    // Each migration step is written once per kind of credential.
    for k in jwt2oauth::output::plan::Kind::ALL {
        for (title, _) in k.steps() {
            let n = md.matches(&format!("**{title}.**")).count();
            let used = md.contains(&format!("### Steps: {}", k.title()));
            assert_eq!(n, usize::from(used), "{title}: {n} times");
        }
    }
    for kind in [
        "Developer Console JWT credential",
        "App Builder / aio context",
        "CI secrets",
        "Wrapper libraries",
    ] {
        assert!(md.contains(&format!("### Steps: {kind}")), "{kind}");
    }
    assert!(md.contains("## Usage sites not tied to a credential"));
}
