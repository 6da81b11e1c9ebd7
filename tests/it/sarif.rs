//! SARIF output: every kind of log the tool can write (findings, inline,
//! baseline and config suppressions, scan errors, an empty scan, a history
//! scan) validates against the official SARIF 2.1.0 schema (a copy in
//! tests/data, no network), and holds what GitHub code scanning reads.

use crate::common::{TODAY, bin, write};
use serde_json::Value;

fn validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(
        crate::common::root().join("tests/it/data/sarif-schema-2.1.0.json"),
    )
    .expect("schema copy in tests/data");
    let schema: Value = serde_json::from_str(&text).expect("schema is JSON");
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("schema compiles")
}

fn sarif(args: &[&str]) -> Value {
    let out = bin()
        .args(["scan", "--today", TODAY, "--format", "sarif"])
        .args(args)
        .output()
        .expect("run");
    crate::common::parse(&out)
}

fn assert_valid(name: &str, log: &Value) {
    let v = validator();
    let errors: Vec<String> = v
        .iter_errors(log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{name}: SARIF invalid:\n{}",
        errors.join("\n")
    );
}

fn results(log: &Value) -> &Vec<Value> {
    log["runs"][0]["results"].as_array().expect("results")
}

#[test]
fn every_sarif_the_tool_writes_is_schema_valid() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path();
    write(
        p,
        "src/a b.py",
        "URL = 'https://ims-na1.adobelogin.com/ims/exchange/jwt'\n",
    );
    write(
        p,
        "jwt2oauth.toml",
        "[[ignore]]\nrule = \"jwt-exchange-endpoint\"\npath = \"src/**\"\nreason = \"tracked in PLAT-1\"\n",
    );
    let d = p.to_str().expect("utf-8");
    let broken = tempfile::tempdir().expect("tempdir");
    write(
        broken.path(),
        "console.json",
        "{\"technical_account_id\": [1,\n",
    );
    let e = broken.path().to_str().expect("utf-8");
    let baseline = p.join("baseline.json");
    let b = baseline.to_str().expect("utf-8");
    // Baseline suppressions: write one, then scan against it.
    let out = bin()
        .args([
            "scan",
            "--today",
            TODAY,
            "--no-config",
            "--write-baseline",
            b,
            "--format",
            "json",
            d,
        ])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0));
    let cases: Vec<(&str, Vec<&str>)> = vec![
        (
            "corpus (findings, inline suppression, groups)",
            vec!["fixtures/corpus"],
        ),
        ("clean tree", vec!["fixtures/clean"]),
        ("scan errors", vec!["fixtures/clean", e]),
        ("config ignore", vec![d]),
        ("baseline", vec!["--no-config", "--baseline", b, d]),
        ("no findings at all", vec!["fixtures/corpus/negative"]),
    ];
    for (name, args) in cases {
        let log = sarif(&args);
        assert_valid(name, &log);
    }
    // The validator does reject what the schema forbids (line 0).
    let mut bad = sarif(&["fixtures/corpus/python-jwt"]);
    bad["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        Value::from(0);
    assert!(!validator().is_valid(&bad), "startLine 0 must be invalid");
}

#[test]
fn sarif_carries_what_code_scanning_reads() {
    let log = sarif(&["fixtures/corpus"]);
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    assert!(rules.len() >= 10);
    for r in rules {
        for key in ["shortDescription", "fullDescription"] {
            assert!(
                r[key]["text"].as_str().is_some_and(|t| !t.is_empty()),
                "{r:#}"
            );
        }
        let help = r["help"]["markdown"].as_str().expect("help.markdown");
        assert!(help.contains("## What it does"), "{help}");
        let sev: f64 = r["properties"]["security-severity"]
            .as_str()
            .expect("security-severity is a string")
            .parse()
            .expect("numeric");
        assert!((0.1..=10.0).contains(&sev));
        assert!(
            r["properties"]["tags"]
                .as_array()
                .is_some_and(|t| !t.is_empty())
        );
    }
    let rs = results(&log);
    assert!(!rs.is_empty());
    for res in rs {
        let idx = res["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[idx]["id"], res["ruleId"]);
        let loc = &res["locations"][0]["physicalLocation"];
        let uri = loc["artifactLocation"]["uri"].as_str().expect("uri");
        assert!(
            !uri.starts_with('/') && !uri.contains("://"),
            "relative uri: {uri}"
        );
        assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        let region = &loc["region"];
        assert!(region["startLine"].as_u64() >= Some(1));
        assert!(region["startColumn"].as_u64() >= Some(1));
        assert!(region["endColumn"].as_u64() >= Some(1), "endColumn never 0");
        let fp = res["partialFingerprints"]["jwt2oauth/v1"]
            .as_str()
            .expect("fingerprint");
        assert_eq!(fp.len(), 32);
    }
    // The inline suppression in the corpus is a result with `suppressions`.
    let suppressed: Vec<&Value> = rs
        .iter()
        .filter(|r| r.get("suppressions").is_some())
        .collect();
    assert_eq!(suppressed.len(), 1);
    assert_eq!(suppressed[0]["suppressions"][0]["kind"], "inSource");
    // A critical rule maps to GitHub's critical band.
    let critical = rules
        .iter()
        .find(|r| r["id"] == "jwt-exchange-endpoint")
        .expect("rule");
    assert_eq!(critical["properties"]["security-severity"], "9.5");
}

#[test]
fn sarif_uris_are_percent_encoded() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "my dir/a#1.py",
        "URL = 'https://ims-na1.adobelogin.com/ims/exchange/jwt'\n",
    );
    let out = crate::common::bin_in(dir.path())
        .args(["scan", "--today", TODAY, "--format", "sarif", "."])
        .output()
        .expect("run");
    let log = crate::common::parse(&out);
    assert_valid("encoded uri", &log);
    assert_eq!(
        results(&log)[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "my%20dir/a%231.py"
    );
    // An absolute PATH: an absolute `file://` URI, no base.
    let abs = dir.path().to_str().expect("utf-8");
    let log = sarif(&[abs]);
    assert_valid("absolute uri", &log);
    let loc = &results(&log)[0]["locations"][0]["physicalLocation"]["artifactLocation"];
    assert_eq!(loc["uri"], format!("file://{abs}/my%20dir/a%231.py"));
    assert!(loc.get("uriBaseId").is_none(), "{loc}");
}

/// SARIF `fixes` (§3.55): results whose file has a safe `jwt2oauth fix`
/// change carry it (the fix planner's, not a copy of its logic); applying
/// the replacements gives the fixed file but for masked secrets, which
/// never appear; code (unsafe fixes only) gets none.
#[test]
fn sarif_results_carry_their_safe_fix_with_secrets_redacted() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = crate::common::root();
    // Scanned as `app` from its parent: the fix's URI is `app/.env`, as
    // every path is as given on the command line.
    let app = dir.path().join("app");
    crate::common::copy_tree(&root.join("fixtures/fix/aio-env-context"), &app);
    crate::common::copy_tree(&root.join("fixtures/fix/node-jwt-auth-fetch"), &app);
    let env_before = std::fs::read_to_string(app.join(".env")).expect(".env");
    let secret = "p8e-FIXTUREfixtureFIXTUREfixture1234";
    assert!(env_before.contains(secret), "the fixture holds the secret");
    let out = crate::common::bin_in(dir.path())
        .args([
            "scan",
            "--today",
            TODAY,
            "--format",
            "sarif",
            "--no-config",
            "app",
        ])
        .output()
        .expect("run");
    let log = crate::common::parse(&out);
    assert_valid("fixes", &log);
    let text = log.to_string();
    assert!(!text.contains(secret), "a secret in SARIF fixes");
    let with_fix: Vec<&Value> = results(&log)
        .iter()
        .filter(|r| r.get("fixes").is_some())
        .collect();
    assert!(!with_fix.is_empty(), "no result has a fix");
    for r in &with_fix {
        let uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .expect("uri");
        assert_eq!(uri, "app/.env", "only the safe fix's file: {r}");
        let fix = &r["fixes"][0];
        assert!(
            fix["description"]["text"]
                .as_str()
                .expect("description")
                .contains("aio-env-context")
        );
        let change = &fix["artifactChanges"][0];
        assert_eq!(change["artifactLocation"]["uri"], "app/.env");
        // Apply the replacements (last first) to the file as scanned.
        let mut chars: Vec<char> = env_before.chars().collect();
        let mut reps: Vec<&Value> = change["replacements"]
            .as_array()
            .expect("replacements")
            .iter()
            .collect();
        reps.sort_by_key(|x| std::cmp::Reverse(x["deletedRegion"]["charOffset"].as_u64()));
        for x in reps {
            let at = x["deletedRegion"]["charOffset"].as_u64().expect("offset") as usize;
            let len = x["deletedRegion"]["charLength"].as_u64().expect("length") as usize;
            let new: Vec<char> = x["insertedContent"]["text"]
                .as_str()
                .expect("text")
                .chars()
                .collect();
            chars.splice(at..at + len, new);
        }
        let applied: String = chars.into_iter().collect();
        assert!(applied.contains("client__secrets"), "{applied}");
        assert!(!applied.contains("meta__scopes"), "{applied}");
        assert!(!applied.contains("private__key"), "{applied}");
    }
}

/// A scan of several repositories and a merge of per-repository reports
/// write one run per repository (its own `automationDetails.id`, its URL
/// and commit as `versionControlProvenance`): schema-valid too.
#[test]
fn multi_repository_sarif_is_schema_valid() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let org = tmp.path().join("org");
    crate::org::four_repos(&org);
    crate::common::git(
        &org.join("api"),
        &[
            "remote",
            "add",
            "origin",
            "https://tok@github.com/acme/api.git",
        ],
    );
    let log = sarif(&["--no-progress", org.to_str().expect("utf-8")]);
    assert_valid("scan of four repositories", &log);
    let runs = log["runs"].as_array().expect("runs");
    assert_eq!(runs.len(), 4);
    assert_eq!(runs[0]["automationDetails"]["id"], "jwt2oauth/acme/api/");
    assert_eq!(
        runs[0]["versionControlProvenance"][0]["repositoryUri"],
        "https://github.com/acme/api.git"
    );
    let reports = crate::org::per_repo_reports(&org, tmp.path());
    let out = bin()
        .arg("merge")
        .args(&reports)
        .args(["--format", "sarif"])
        .output()
        .expect("run");
    let merged = crate::common::parse(&out);
    assert_valid("merge of four reports", &merged);
    assert_eq!(merged["runs"].as_array().map(Vec::len), Some(4));
}
