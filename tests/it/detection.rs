//! Issue-3 detection behaviour end to end: certificates and their expiry,
//! key material that needs a link to Adobe, config parse errors, AEM advice,
//! credential groups, and category coverage.

use std::collections::BTreeSet;

use crate::common::{scan_json, scan_json_in, triples};
use jwt2oauth::finding::Category;
use jwt2oauth::rules::load;

fn finding<'a>(v: &'a serde_json::Value, path: &str, rule: &str) -> &'a serde_json::Value {
    v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["path"] == path && f["rule_id"] == rule)
        .unwrap_or_else(|| panic!("no {rule} finding in {path}"))
}

#[test]
fn certificate_expiry_is_a_deadline_of_its_own() {
    let out = crate::common::bin_in("fixtures/corpus")
        .args(["scan", "--format", "json", "--today", "2025-10-01", "."])
        .output()
        .expect("run");
    let v = crate::common::parse(&out);
    // X.509 notAfter 2025-11-30 comes before the general 2026-03-01 cut-off.
    let cert = finding(&v, "expiring/certificate_pub.crt", "adobe-jwt-certificate");
    assert_eq!(cert["deadline"]["id"], "certificate-expiry");
    assert_eq!(cert["deadline"]["date"], "2025-11-30");
    assert_eq!(cert["deadline"]["status"], "due-soon");
    assert_eq!(cert["deadline"]["days"], 60);
    // A certificate expiring after the cut-off keeps the cut-off.
    let later = finding(&v, "keys/certificate_pub.crt", "adobe-jwt-certificate");
    assert_eq!(later["deadline"]["id"], "jwt-shutdown");
    // The Console download's PUBLIC_KEYS_WITH_EXPIRY date works the same way.
    let dl = finding(
        &v,
        "console/credential.json",
        "console-jwt-certificate-expiry",
    );
    assert_eq!(dl["deadline"]["date"], "2025-11-30");
    // The credential's effective cut-off is the earliest of its findings'.
    let group = v["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .find(|g| {
            g["files"]
                .as_array()
                .is_some_and(|f| f.iter().any(|x| x == "expiring/private.key"))
        })
        .expect("group with the expiring key");
    assert_eq!(group["effective_deadline"]["date"], "2025-11-30");
}

#[test]
fn keys_need_a_link_to_adobe() {
    let (_, v) = scan_json_in("fixtures/corpus", &[]);
    let t = triples(&v, "findings");
    assert!(t.contains(&(
        "linked/app/config/adobe.key".into(),
        1,
        "adobe-private-key-linked".into()
    )));
    // The same kind of key with nothing Adobe near it is not reported.
    assert!(!t.iter().any(|(p, _, _)| p.starts_with("negative/tls/")));
    // Alone, the linked key is just a key.
    let (_, v) = scan_json_in("fixtures/corpus/linked/app/config", &[]);
    assert_eq!(v["summary"]["findings"], 0);
}

#[test]
fn unparsable_config_is_an_error_and_the_scan_goes_on() {
    let (rc, v) = scan_json(&["fixtures/broken-config", "fixtures/corpus/oauth"]);
    assert_eq!(rc, 1, "findings decide without --strict");
    let err = &v["errors"][0];
    assert_eq!(err["path"], "fixtures/broken-config/console.json");
    assert!(
        err["message"]
            .as_str()
            .expect("message")
            .starts_with("cannot parse as JSON"),
        "{err}"
    );
    let paths: Vec<String> = triples(&v, "findings").into_iter().map(|t| t.0).collect();
    assert!(
        paths.contains(&"fixtures/corpus/oauth/token.py".to_string()),
        "the other root was still scanned"
    );
    // Text rules still run on the file that did not parse.
    assert!(paths.contains(&"fixtures/broken-config/console.json".to_string()));
    let (rc, _) = scan_json_in("fixtures/broken-config", &["--strict"]);
    assert_eq!(rc, 3);
}

/// AEM Developer Console service credentials are not deprecated (Adobe's
/// AEM page): their files' findings are informational, carry AEM's advice
/// and no deadline, and never fail the gate (bug: reported high and past
/// due, so an AEM team's gate failed on a credential Adobe still supports).
/// An Adobe Developer Console JWT used by AEM tooling (Cloud Manager API)
/// stays a finding.
#[test]
fn aem_service_credentials_are_informational_and_outside_the_gate() {
    let (rc, v) = scan_json_in("fixtures/corpus/aem", &[]);
    let findings = v["findings"].as_array().expect("findings");
    for f in findings
        .iter()
        .filter(|f| f["path"] != "cloudmanager-token.js")
    {
        assert_eq!(f["category"], "aem-service", "{f:#}");
        assert_eq!(f["severity"], "info", "{f:#}");
        assert!(f["deadline"].is_null(), "{f:#}");
        let r = f["remediation"].as_str().expect("remediation");
        assert!(r.starts_with("Nothing is due"), "{}: {r}", f["rule_id"]);
    }
    let cm: Vec<_> = findings
        .iter()
        .filter(|f| f["path"] == "cloudmanager-token.js")
        .collect();
    assert!(
        cm.iter()
            .any(|f| f["category"] == "jwt-claims" && f["severity"] == "high")
    );
    assert_eq!(rc, 1, "the Cloud Manager JWT fails the gate");
    let (rc, v) = scan_json(&[
        "fixtures/corpus/aem/fetch-token.js",
        "fixtures/corpus/aem/service-credentials.json",
    ]);
    assert_eq!(rc, 0, "AEM service credentials alone pass: {v:#}");
    assert_eq!(v["summary"]["by_category"]["aem-service"], 7);
}

#[test]
fn one_credential_across_files_is_one_group() {
    let (_, v) = scan_json_in("fixtures/corpus", &[]);
    let groups = v["groups"].as_array().expect("groups");
    let g = groups
        .iter()
        .find(|g| g["label"] == "client 3f2b9c1d4e5f60718293a4b5c6d7e8f9")
        .expect("the workspace credential");
    let files: Vec<&str> = g["files"]
        .as_array()
        .expect("files")
        .iter()
        .filter_map(|f| f.as_str())
        .collect();
    assert_eq!(
        files,
        [
            "aio/workspace.json",
            "env/.env",
            "postman/Adobe IO Token.postman_collection.json",
            "postman/adobe-io.postman_environment.json"
        ]
    );
    // The collection holds no identifier: it joins the environment beside it.
    assert_eq!(
        g["attached_files"],
        serde_json::json!(["postman/Adobe IO Token.postman_collection.json"])
    );
    assert!(
        g["identified_by"]
            .as_array()
            .is_some_and(|k| k.iter().any(|k| k == "client-id"))
    );
    assert!(
        g["observed_oauth_scopes"]
            .as_array()
            .is_some_and(|s| !s.is_empty())
    );
    // Every JWT finding names its group or is listed as not tied to a
    // credential in its project; OAuth and AEM service ones are in neither.
    let unattributed: Vec<(&str, &str)> = v["unattributed"]
        .as_array()
        .expect("unattributed")
        .iter()
        .flat_map(|u| {
            let project = u["project"].as_str().expect("project");
            u["files"]
                .as_array()
                .expect("files")
                .iter()
                .filter_map(move |f| Some((project, f.as_str()?)))
        })
        .collect();
    for f in v["findings"].as_array().expect("findings") {
        let informational = f["category"] == "oauth-s2s" || f["category"] == "aem-service";
        let listed = unattributed.contains(&(
            f["project"].as_str().expect("project"),
            f["path"].as_str().expect("path"),
        ));
        if informational {
            assert!(f["group"].is_null(), "{f}");
        } else {
            assert!(f["group"].is_string() != listed, "{f}");
        }
    }
    // No group lacks an identifier or a project.
    for g in groups {
        assert!(
            g["identified_by"]
                .as_array()
                .is_some_and(|k| k.iter().any(|k| k != "project-root")),
            "{g}"
        );
        assert!(g["project"].is_string(), "{g}");
    }
    // The key read by token.js is in token.js's group.
    let key = finding(
        &v,
        "linked/app/config/adobe.key",
        "adobe-private-key-linked",
    );
    let code = finding(&v, "linked/app/src/token.js", "adobe-jwt-aud-claim");
    assert_eq!(key["group"], code["group"]);
}

#[test]
fn every_category_has_a_rule_and_a_corpus_finding() {
    let set = load(&[], false).expect("rules");
    let ruled: BTreeSet<Category> = set.rules.iter().map(|r| r.spec.category).collect();
    let (_, v) = scan_json_in("fixtures/corpus", &[]);
    let found: BTreeSet<String> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["category"].as_str().map(str::to_string))
        .collect();
    for c in Category::ALL {
        assert!(ruled.contains(&c), "no rule produces {c}");
        assert!(found.contains(c.as_str()), "no corpus fixture produces {c}");
    }
}

/// A migration changes every site, not only the first line of a cluster:
/// the matches `cluster_lines` folds into one finding are its `related`
/// sites in JSON, SARIF `relatedLocations`, the terminal and the reports
/// (bug: they disappeared from every output).
#[test]
fn folded_sites_are_listed_as_related_in_every_output() {
    let (_, v) = scan_json_in("fixtures/corpus/kotlin", &[]);
    let f = finding(&v, "ImsJwt.kt", "adobe-jwt-claims-template");
    let related = f["related"].as_array().expect("related");
    assert_eq!(related.len(), 1, "{f:#}");
    assert_eq!(related[0]["line"], f["line"].as_u64().expect("line") + 1);
    assert!(
        related[0]["note"]
            .as_str()
            .is_some_and(|n| n.contains("/s/ent_cloudmgr_sdk")),
        "{related:?}"
    );
    let out = |format: &str| {
        let o = crate::common::bin_in("fixtures/corpus/kotlin")
            .args(["scan", "--today", crate::common::TODAY, "--format", format])
            .arg(".")
            .output()
            .expect("run");
        String::from_utf8(o.stdout).expect("utf-8")
    };
    let sarif: serde_json::Value = serde_json::from_str(&out("sarif")).expect("sarif");
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    let r = results
        .iter()
        .find(|r| r["ruleId"] == "adobe-jwt-claims-template")
        .expect("claims result");
    assert_eq!(
        r["relatedLocations"][0]["physicalLocation"]["region"]["startLine"],
        related[0]["line"]
    );
    let line = related[0]["line"].to_string();
    assert!(out("terminal").contains(&format!("also at line {line}")));
    assert!(out("markdown").contains(&format!("- line {line}: ")));
    assert!(out("html").contains(&format!("<li>line {line} <code>")));
}

/// Code that reaches the JWT flow through a wrapper in another file is a
/// site: the cross-file pass reports imports, re-exports and calls of the
/// functions and classes around JWT findings, says where they are defined,
/// and puts the caller in the wrapper's credential; a generic name
/// (`get_token`), a file defining the name itself and another project are
/// left alone (bug: such files were never reported).
#[test]
fn wrapper_calls_in_other_files_are_sites_of_the_credential() {
    let (_, v) = scan_json(&["fixtures/corpus/wrapper", "fixtures/corpus/wrapper-other"]);
    let findings = v["findings"].as_array().expect("findings");
    let calls: Vec<&serde_json::Value> = findings
        .iter()
        .filter(|f| f["rule_id"] == "jwt-wrapper-call")
        .collect();
    let daily = calls
        .iter()
        .find(|f| f["path"] == "fixtures/corpus/wrapper/reports/daily.py")
        .expect("the caller of analytics_session");
    assert!(
        daily["message"].as_str().is_some_and(|m| m.contains(
            "`analytics_session`, defined at fixtures/corpus/wrapper/reports/auth/adobe.py:31"
        )),
        "{daily:#}"
    );
    assert_eq!(daily["related"][0]["line"], 5, "the call below the import");
    let signing = finding(
        &v,
        "fixtures/corpus/wrapper/reports/auth/adobe.py",
        "adobe-jwt-signing",
    );
    assert_eq!(daily["group"], signing["group"], "one credential");
    for quiet in ["weekly.py", "monthly.py", "wrapper-other/job.py"] {
        assert!(
            calls
                .iter()
                .all(|f| !f["path"].as_str().is_some_and(|p| p.ends_with(quiet))),
            "{quiet}: {calls:#?}"
        );
    }
}

/// A configuration file with JWT settings is named by code of its own
/// repository, also from outside its package (a root deploy script naming
/// a workspace package's `serverless-jwt.yml`), but not when it is in an
/// installed dependency: the package's configuration is loaded by its own
/// code (bug: a JSON file planted in one npm package made the cross-file
/// pass read every file of the install's tree).
#[test]
fn configuration_named_by_path_is_followed_except_in_installed_dependencies() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path();
    let write = |rel: &str, text: &str| {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    };
    let settings = r#"{
  "client_id": "1234567890abcdef1234567890abcdef",
  "technical_account_id": "ABCDEF0123456789ABCDEF01@techacct.adobe.com",
  "org_id": "0123456789ABCDEF01234567@AdobeOrg",
  "private_key_path": "./private.key",
  "ims_exchange": "https://ims-na1.adobelogin.com/ims/exchange/jwt"
}
"#;
    write("package.json", r#"{ "name": "app", "private": true }"#);
    write(
        "packages/svc/package.json",
        r#"{ "name": "svc", "version": "1.0.0" }"#,
    );
    write("packages/svc/adobe-jwt.json", settings);
    write(
        "node_modules/dep/package.json",
        r#"{ "name": "dep", "version": "1.0.0" }"#,
    );
    write("node_modules/dep/conf/adobe-jwt-defaults.json", settings);
    write(
        "scripts/deploy.js",
        "const svc = require('../packages/svc/adobe-jwt.json')\n\
         const dep = require('../node_modules/dep/conf/adobe-jwt-defaults.json')\n\
         console.log(svc, dep)\n",
    );
    let (_, v) = scan_json_in(root, &["--no-config"]);
    let findings = v["findings"].as_array().expect("findings");
    assert!(
        findings
            .iter()
            .any(|f| f["path"] == "node_modules/dep/conf/adobe-jwt-defaults.json"),
        "the dependency's settings are still a finding: {findings:#?}"
    );
    let calls: Vec<&serde_json::Value> = findings
        .iter()
        .filter(|f| f["rule_id"] == "jwt-wrapper-call" && f["path"] == "scripts/deploy.js")
        .collect();
    assert_eq!(calls.len(), 1, "{calls:#?}");
    assert_eq!(calls[0]["line"], 1, "{calls:#?}");
    assert!(
        calls[0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("packages/svc/adobe-jwt.json")),
        "{calls:#?}"
    );
}
