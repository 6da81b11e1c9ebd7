//! Baselines: the flow a new user goes through in CI (write the baseline,
//! add a new JWT use, the gate fails with exit 1 on that finding only),
//! fingerprints that survive lines moving and re-indentation, a
//! deterministic file, and expired or unmatched entries reported.

use std::path::Path;

use crate::common::scan_json_in as scan;
use crate::common::{TODAY, bin, code, triples, write};
use serde_json::Value;

const LEGACY: &str = "import requests\n\
def token(cfg):\n\
    return requests.post('https://ims-na1.adobelogin.com/ims/exchange/jwt', data=cfg)\n";

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

#[test]
fn new_user_flow_fails_only_on_the_new_finding() {
    let repo = tempfile::tempdir().expect("tempdir");
    let tree = repo.path().join("tree");
    write(&tree, "legacy/auth.py", LEGACY);
    let baseline = repo.path().join("jwt2oauth-baseline.json");
    // 1. Record today's findings: the run passes.
    let (rc, v) = scan(&tree, &["--write-baseline", s(&baseline)]);
    assert_eq!(rc, 0, "{v:#}");
    assert!(baseline.is_file());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&baseline)
            .expect("meta")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // 2. Nothing new: passes, the old finding is listed as suppressed.
    let (rc, v) = scan(&tree, &["--baseline", s(&baseline)]);
    assert_eq!(rc, 0, "{v:#}");
    assert_eq!(v["summary"]["findings"], 0);
    assert_eq!(v["suppressed"][0]["suppression"]["kind"], "baseline");
    // 3. A new JWT use: exit 1, and only the new file is reported.
    write(
        &tree,
        "src/new_job.py",
        "AUD = 'https://ims-na1.adobelogin.com/c/' + CLIENT_ID\n",
    );
    let (rc, v) = scan(&tree, &["--baseline", s(&baseline)]);
    assert_eq!(rc, 1);
    let found = triples(&v, "findings");
    assert!(!found.is_empty());
    assert!(
        found.iter().all(|(p, _, _)| p == "src/new_job.py"),
        "{found:?}"
    );
    // The terminal output says why it failed.
    let out = bin()
        .args(["scan", "--today", TODAY, "--baseline", s(&baseline)])
        .arg(&tree)
        .output()
        .expect("run");
    assert_eq!(code(&out), 1);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("src/new_job.py"), "{text}");
    assert!(!text.contains("legacy/auth.py:"), "{text}");
}

#[test]
fn fingerprints_survive_moved_and_reindented_lines() {
    let dir = tempfile::tempdir().expect("tempdir");
    let tree = dir.path().join("tree");
    write(&tree, "auth.py", LEGACY);
    let baseline = dir.path().join("b.json");
    let (rc, _) = scan(&tree, &["--write-baseline", s(&baseline)]);
    assert_eq!(rc, 0);
    let first = std::fs::read_to_string(&baseline).expect("baseline");
    // Move every line down and change the indentation of the match.
    let moved = format!(
        "# a header\n# more\n\n\n{}",
        LEGACY.replace(
            "    return requests.post(",
            "        return   requests.post("
        )
    );
    write(&tree, "auth.py", &moved);
    let (rc, v) = scan(&tree, &["--baseline", s(&baseline)]);
    assert_eq!(rc, 0, "moved lines keep their fingerprint: {v:#}");
    assert_eq!(v["summary"]["suppressed"], 1);
    assert_eq!(v["suppressed"][0]["line"], 7);
    // Re-writing the baseline gives the same bytes: sorted, no timestamps,
    // no line numbers.
    let again = dir.path().join("again.json");
    scan(&tree, &["--write-baseline", s(&again)]);
    assert_eq!(
        std::fs::read_to_string(&again).expect("baseline"),
        first,
        "deterministic baseline"
    );
    assert!(!first.contains("\"line\""));
}

#[test]
fn expired_and_unmatched_entries_are_reported() {
    let dir = tempfile::tempdir().expect("tempdir");
    let tree = dir.path().join("tree");
    write(&tree, "auth.py", LEGACY);
    let baseline = dir.path().join("b.json");
    scan(&tree, &["--write-baseline", s(&baseline)]);
    let mut b: Value =
        serde_json::from_str(&std::fs::read_to_string(&baseline).expect("read")).expect("json");
    b["entries"][0]["until"] = Value::from("2026-01-31");
    b["entries"][0]["reason"] = Value::from("migrating in Q1");
    let stale = b["entries"][0].clone();
    let mut gone = stale.clone();
    gone["fingerprint"] = Value::from("0".repeat(32));
    gone["path"] = Value::from("removed.py");
    gone.as_object_mut().expect("object").remove("until");
    b["entries"].as_array_mut().expect("entries").push(gone);
    std::fs::write(&baseline, serde_json::to_string_pretty(&b).expect("json")).expect("write");
    let (rc, v) = scan(&tree, &["--baseline", s(&baseline)]);
    assert_eq!(rc, 1, "an expired entry no longer suppresses");
    let stale: Vec<(String, String)> = v["stale_suppressions"]
        .as_array()
        .expect("stale_suppressions")
        .iter()
        .map(|s| {
            (
                s["problem"].as_str().expect("problem").to_string(),
                s["path"].as_str().expect("path").to_string(),
            )
        })
        .collect();
    assert_eq!(
        stale,
        vec![
            ("expired".to_string(), "auth.py".to_string()),
            ("unmatched".to_string(), "removed.py".to_string())
        ]
    );
    // Re-writing keeps the reason and the date of the surviving entry.
    let again = dir.path().join("again.json");
    scan(
        &tree,
        &["--baseline", s(&baseline), "--write-baseline", s(&again)],
    );
    let text = std::fs::read_to_string(&again).expect("read");
    assert!(
        text.contains("migrating in Q1") && text.contains("2026-01-31"),
        "{text}"
    );
    assert!(!text.contains("removed.py"));
}

#[test]
fn a_missing_or_broken_baseline_is_a_usage_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "a.py", LEGACY);
    let (rc, _) = {
        let out = bin()
            .args(["scan", "--today", TODAY, "--baseline", "nope.json"])
            .arg(dir.path())
            .output()
            .expect("run");
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(err.contains("--write-baseline"), "{err}");
        (code(&out), err)
    };
    assert_eq!(rc, 2);
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{\"version\": 1, \"entries\": [], \"extra\": true}").expect("write");
    let out = bin()
        .args(["scan", "--today", TODAY, "--baseline"])
        .arg(&bad)
        .arg(dir.path())
        .output()
        .expect("run");
    assert_eq!(code(&out), 2);
    assert!(String::from_utf8_lossy(&out.stderr).contains("extra"));
}

#[test]
fn a_baseline_in_the_tree_is_a_listed_skip_not_findings() {
    // Its entries name rules side by side (`adobe-techacct-key-fields`,
    // `adobe-private-key-reference`): before, a rule read that as a
    // technical account next to a private key.
    let repo = tempfile::tempdir().expect("tempdir");
    let tree = repo.path();
    write(
        tree,
        "auth.py",
        "import jwt\n\
         payload = {'iss': org, 'sub': cfg['technical_account_id'],\n\
                    'aud': 'https://ims-na1.adobelogin.com/c/' + cid}\n\
         key = open(cfg['private_key_path']).read()\n\
         token = jwt.encode(payload, key, algorithm='RS256')\n",
    );
    let (rc, _) = scan(tree, &["--write-baseline", "jwt2oauth-baseline.json"]);
    assert_eq!(rc, 0);
    let (_, v) = scan(tree, &[]);
    let findings = v["findings"].as_array().expect("findings");
    assert!(!findings.is_empty(), "{v:#}");
    assert!(
        findings
            .iter()
            .all(|f| f["path"] != "jwt2oauth-baseline.json"),
        "{v:#}"
    );
    assert!(
        v["skipped"]
            .as_array()
            .expect("skipped")
            .iter()
            .any(|s| s["path"] == "jwt2oauth-baseline.json"
                && s["reason"].as_str().is_some_and(|r| r.contains("baseline"))),
        "{v:#}"
    );
    // A JSON file that only looks like one is scanned as usual.
    write(
        tree,
        "creds.json",
        "{\"version\": 1, \"technical_account_id\": \"ABC@techacct.adobe.com\", \"private_key\": \"private.key\"}\n",
    );
    let (_, v) = scan(tree, &[]);
    assert!(
        v["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .any(|f| f["path"] == "creds.json"),
        "{v:#}"
    );
}
