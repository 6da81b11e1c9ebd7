//! `verify --analytics` against the emulator's Analytics endpoints
//! (`emulate-ims --analytics FILE`) and a misbehaving server, over real HTTP
//! on loopback: full access verifies; each missing permission group is named
//! with the Admin Console fix; a technical account listed nowhere has no
//! access; a new credential's technical account earns the ownership warning
//! with the old account's segments and calculated metrics counted; 5xx,
//! timeouts and redirects are indeterminate; no token or secret gets out.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::badserver::{BadServer, Behaviour, answer};
use crate::support::{Emulator, fixture, run, run_bounded, text, verify};

const OLD_TA: &str = "5F6E7D8C9B0A1F2E3D4C5B6A@techacct.adobe.com";
const NEW_TA: &str = "9A8B7C6D5E4F3A2B1C0D9E8F@techacct.adobe.com";

fn kind(j: &Value) -> &str {
    j["verdict"]["kind"].as_str().unwrap_or("?")
}

fn result(j: &Value) -> &Value {
    &j["analytics"]["result"]
}

/// The fixture analytics file, changed by `edit`, written to `dir`.
fn analytics_file(dir: &Path, edit: impl FnOnce(&mut Value)) -> PathBuf {
    let mut v: Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("analytics.json")).unwrap()).unwrap();
    edit(&mut v);
    let p = dir.join("analytics.json");
    std::fs::write(&p, v.to_string()).unwrap();
    p
}

fn access<'a>(v: &'a mut Value, ta: &str) -> &'a mut Value {
    &mut v["companies"][0]["access"][ta]
}

fn emulator_with(file: &Path, extra: &[&str]) -> Emulator {
    let mut args = vec!["--analytics", file.to_str().unwrap()];
    args.extend(extra);
    Emulator::start(&args)
}

/// The emulator with the new-credential workspace (another technical account).
fn new_credential_emulator(file: &Path) -> Emulator {
    let ws = fixture("workspace-new-credential.json");
    let cert = fixture("certificate_pub.crt");
    Emulator::start(&[
        "--credentials",
        ws.to_str().unwrap(),
        "--certificate",
        cert.to_str().unwrap(),
        "--analytics",
        file.to_str().unwrap(),
    ])
}

fn new_credential_verify(emu: &Emulator, extra: &[&str]) -> (i32, Value, std::process::Output) {
    let ws = fixture("workspace-new-credential.json");
    let mut args = vec!["--config", ws.to_str().unwrap()];
    args.extend(extra);
    verify(emu, &args, &[])
}

#[test]
fn full_access_is_verified_with_every_call_and_header() {
    let emu = emulator_with(&fixture("analytics.json"), &[]);
    let (code, j, out) = verify(&emu, &["--analytics"], &[]);
    assert_eq!(code, 0, "{}", text(&out));
    assert_eq!(kind(&j), "migration-verified", "{j:#}");
    assert_eq!(result(&j)["kind"], "verified", "{j:#}");
    assert_eq!(j["analytics"]["company"]["global_company_id"], "exampl0");
    assert_eq!(j["analytics"]["rsid"], "examplersid");
    let calls = j["analytics"]["oauth"]["calls"].as_array().unwrap();
    let steps: Vec<&str> = calls.iter().map(|c| c["step"].as_str().unwrap()).collect();
    assert_eq!(
        steps,
        ["discovery", "report-suites", "metrics", "dimensions"]
    );
    assert!(calls.iter().all(|c| c["status"] == "ok"), "{calls:#?}");
    assert_eq!(calls[2]["items"], 3);
    assert_eq!(calls[2]["path"], "/api/exampl0/metrics");
    assert_eq!(
        j["analytics"]["jwt"]["report_suites"],
        serde_json::json!(["examplersid", "examplersid-dev"])
    );
    assert!(j["ownership"].is_null());
    // The emulator refuses calls without x-api-key or x-proxy-global-company-id,
    // so these 200s prove both headers were sent.
    std::thread::sleep(Duration::from_millis(100));
    let log = emu.stderr();
    for path in [
        "GET /discovery/me -> 200",
        "GET /api/exampl0/reportsuites/collections/suites -> 200",
        "GET /api/exampl0/metrics -> 200",
        "GET /api/exampl0/dimensions -> 200",
    ] {
        assert!(log.contains(path), "{path} not in {log}");
    }
}

#[test]
fn the_human_output_lists_the_calls_before_the_verdict() {
    let emu = emulator_with(&fixture("analytics.json"), &[]);
    let (code, _, out) = verify(&emu, &["--analytics", "--format", "human"], &[]);
    let s = String::from_utf8_lossy(&out.stdout);
    assert_eq!(code, 0, "{s}");
    assert!(
        s.contains("Adobe Analytics · http://127.0.0.1:")
            && s.contains("company exampl0 (Example Corp (test fixture))"),
        "{s}"
    );
    assert!(
        s.contains("oauth  metrics        HTTP 200: 3 metrics (metrics/pageviews"),
        "{s}"
    );
    assert!(s.contains("verdict: migration verified\n"), "{s}");
    assert!(
        s.contains("analytics: report suites, metrics and dimensions readable"),
        "{s}"
    );
}

#[test]
fn each_missing_permission_group_is_named_with_the_fix() {
    for (field, group, name) in [
        ("reportSuites", "report-suites", "Report Suites"),
        ("metrics", "metrics", "Metrics"),
        ("dimensions", "dimensions", "Dimensions"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let file = analytics_file(dir.path(), |v| {
            access(v, OLD_TA)[field] = serde_json::json!([]);
        });
        let emu = emulator_with(&file, &[]);
        let (code, j, out) = verify(&emu, &["--analytics"], &[]);
        assert_eq!(code, 1, "{field}: {}", text(&out));
        assert_eq!(kind(&j), "analytics-not-verified", "{field}: {j:#}");
        assert_eq!(j["verdict"]["verified"], false);
        assert_eq!(result(&j)["missing"], serde_json::json!([group]), "{j:#}");
        let summary = j["verdict"]["summary"].as_str().unwrap();
        assert!(
            summary.contains(&format!("lacks the {name} permission group")),
            "{summary}"
        );
        let fix = result(&j)["fix"].as_str().unwrap();
        assert!(
            fix.contains("Admin Console (adminconsole.adobe.com) > Products > Adobe Analytics")
                && fix.contains("Permissions")
                && fix.contains(&format!("under {name}"))
                && fix.contains("add the OAuth Server-to-Server credential to that profile"),
            "{fix}"
        );
        if field == "reportSuites" {
            let steps = j["analytics"]["oauth"]["calls"].as_array().unwrap().len();
            assert_eq!(steps, 2, "no metrics or dimensions without a report suite");
        }
        let (_, _, human) = verify(&emu, &["--analytics", "--format", "human"], &[]);
        let s = String::from_utf8_lossy(&human.stdout);
        assert!(
            s.contains(&format!(
                "verdict: not verified: the OAuth credential's Analytics product profile lacks the {name} permission group"
            )),
            "{s}"
        );
        assert!(s.contains("  - fix: Admin Console"), "{s}");
    }
}

#[test]
fn a_technical_account_listed_nowhere_has_no_analytics_access() {
    let dir = tempfile::tempdir().unwrap();
    let file = analytics_file(dir.path(), |v| {
        let a = v["companies"][0]["access"].as_object_mut().unwrap();
        a.remove(OLD_TA);
    });
    let emu = emulator_with(&file, &[]);
    let (code, j, out) = verify(&emu, &["--analytics"], &[]);
    assert_eq!(code, 1, "{}", text(&out));
    assert_eq!(kind(&j), "analytics-not-verified", "{j:#}");
    let disc = &j["analytics"]["oauth"]["calls"][0];
    assert_eq!(disc["status"], "denied");
    assert_eq!(disc["http_status"], 403);
    assert_eq!(disc["error"]["error_code"], "403025");
    assert_eq!(disc["error"]["error_description"], "Profile is not valid");
    assert!(
        result(&j)["summary"]
            .as_str()
            .unwrap()
            .contains("no Adobe Analytics access"),
        "{j:#}"
    );
    assert!(
        result(&j)["fix"]
            .as_str()
            .unwrap()
            .contains("Adobe Analytics product profile")
    );
}

#[test]
fn the_oauth_token_must_read_the_report_suites_the_jwt_token_read() {
    let dir = tempfile::tempdir().unwrap();
    let file = analytics_file(dir.path(), |v| {
        access(v, NEW_TA)["reportSuites"] = serde_json::json!(["examplersid"]);
    });
    let emu = new_credential_emulator(&file);
    let (code, j, out) = new_credential_verify(&emu, &["--analytics"]);
    assert_eq!(code, 1, "{}", text(&out));
    assert_eq!(result(&j)["kind"], "not-verified", "{j:#}");
    assert_eq!(result(&j)["missing"], serde_json::json!(["report-suites"]));
    let details = result(&j)["details"].to_string();
    assert!(
        details.contains("cannot read 1 report suite the JWT token reads: examplersid-dev"),
        "{details}"
    );
}

#[test]
fn a_new_credential_warns_who_owns_the_segments_and_counts_them() {
    let emu = new_credential_emulator(&fixture("analytics.json"));
    let (code, j, out) = new_credential_verify(&emu, &["--analytics"]);
    // The token comparison already tells the accounts apart.
    assert_eq!(code, 1, "{}", text(&out));
    assert_eq!(kind(&j), "not-equivalent", "{j:#}");
    assert_eq!(result(&j)["kind"], "verified", "{j:#}");
    assert_eq!(j["ownership"]["old_technical_account"], OLD_TA);
    assert_eq!(j["ownership"]["new_technical_account"], NEW_TA);
    let warning = j["ownership"]["warning"].as_str().unwrap();
    assert!(
        warning.contains("Segments and calculated metrics created through the API belong to the old technical account user")
            && warning.contains("share them")
            && warning.contains("equivalent credential"),
        "{warning}"
    );
    let owned = &j["analytics"]["old_account_assets"];
    assert_eq!(owned["segments"], 2, "{j:#}");
    assert_eq!(owned["calculated_metrics"], 1, "{j:#}");
    // Counted with the JWT token: each lists only the caller's own.
    let jwt_steps: Vec<&str> = j["analytics"]["jwt"]["calls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["step"].as_str().unwrap())
        .collect();
    assert_eq!(
        jwt_steps,
        ["report-suites", "segments", "calculated-metrics"]
    );

    let (_, _, human) = new_credential_verify(&emu, &["--analytics", "--format", "human"]);
    let s = String::from_utf8_lossy(&human.stdout);
    assert!(
        s.contains("\nwarning: the OAuth credential runs as technical account 9A8B"),
        "{s}"
    );
    assert!(
        s.contains(
            "  - the old technical account user owns 2 segments and 1 calculated metric in exampl0"
        ),
        "{s}"
    );

    // Without --analytics the warning stands, uncounted.
    let (_, j, _) = new_credential_verify(&emu, &[]);
    assert!(j["ownership"]["warning"].as_str().is_some(), "{j:#}");
    assert!(j["analytics"].is_null());
}

#[test]
fn the_equivalent_credential_earns_no_ownership_warning() {
    let emu = emulator_with(&fixture("analytics.json"), &[]);
    let (_, j, out) = verify(&emu, &["--analytics", "--format", "human"], &[]);
    assert!(!text(&out).contains("warning: the OAuth credential runs as"));
    assert!(j.is_null(), "human format");
}

#[test]
fn an_analytics_5xx_is_indeterminate_not_a_missing_permission() {
    let emu = emulator_with(
        &fixture("analytics.json"),
        &["--fault", "500", "--fault-scope", "analytics"],
    );
    let (code, j, out) = verify(&emu, &["--analytics", "--retries", "1"], &[]);
    assert_eq!(code, 1, "{}", text(&out));
    assert_eq!(kind(&j), "indeterminate", "{j:#}");
    assert_eq!(result(&j)["kind"], "indeterminate");
    assert_eq!(result(&j)["missing"], serde_json::json!([]));
    assert!(result(&j)["fix"].is_null());
    let disc = &j["analytics"]["oauth"]["calls"][0];
    assert_eq!(disc["http_status"], 500);
    assert_eq!(disc["attempts"], 2, "5xx is retried");
    let reason = disc["reason"].as_str().unwrap();
    assert!(
        reason.starts_with("Analytics API server error (HTTP 500: 500 (Please try again later)"),
        "{reason}"
    );
    assert!(
        j["verdict"]["summary"]
            .as_str()
            .unwrap()
            .contains("not a permission problem")
    );
}

#[test]
fn an_analytics_timeout_is_indeterminate_within_bounds() {
    let emu = emulator_with(
        &fixture("analytics.json"),
        &["--latency-ms", "3000", "--fault-scope", "analytics"],
    );
    let start = Instant::now();
    let (code, j, out) = verify(
        &emu,
        &["--analytics", "--timeout-ms", "500", "--retries", "1"],
        &[],
    );
    assert_eq!(code, 1, "{}", text(&out));
    assert_eq!(
        j["oauth"]["status"], "valid",
        "the token flows are not delayed"
    );
    assert_eq!(kind(&j), "indeterminate", "{j:#}");
    let disc = &j["analytics"]["oauth"]["calls"][0];
    assert_eq!(disc["status"], "indeterminate");
    let reason = disc["reason"].as_str().unwrap();
    assert!(
        reason.contains("timed out after 500 ms waiting for a response"),
        "{reason}"
    );
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn the_run_deadline_bounds_the_analytics_calls() {
    let emu = emulator_with(
        &fixture("analytics.json"),
        &["--latency-ms", "2000", "--fault-scope", "analytics"],
    );
    let ws = fixture("workspace.json");
    let key = fixture("private.key");
    let b = run_bounded(
        &[
            "verify",
            "--format",
            "json",
            "--analytics",
            "--config",
            ws.to_str().unwrap(),
            "--private-key",
            key.to_str().unwrap(),
            "--ims-url",
            &emu.url,
            "--retries",
            "50",
            "--backoff-ms",
            "10",
            "--timeout-ms",
            "1000",
            "--deadline-ms",
            "4000",
        ],
        &[],
        Duration::from_secs(60),
    );
    assert_eq!(b.output.status.code(), Some(1), "{}", text(&b.output));
    let j: Value = serde_json::from_slice(&b.output.stdout).unwrap();
    assert_eq!(kind(&j), "indeterminate", "{j:#}");
    assert!(b.elapsed < Duration::from_secs(15), "{:?}", b.elapsed);
}

#[test]
fn an_endless_analytics_body_is_cut_at_8_mib_in_bounded_memory() {
    let emu = Emulator::start(&[]);
    let api = BadServer::start(Behaviour::EndlessChunked);
    let ws = fixture("workspace.json");
    let key = fixture("private.key");
    let b = run_bounded(
        &[
            "verify",
            "--format",
            "json",
            "--analytics",
            "--analytics-url",
            &api.url,
            "--config",
            ws.to_str().unwrap(),
            "--private-key",
            key.to_str().unwrap(),
            "--ims-url",
            &emu.url,
            "--retries",
            "0",
        ],
        &[],
        Duration::from_secs(60),
    );
    assert_eq!(b.output.status.code(), Some(1), "{}", text(&b.output));
    let j: Value = serde_json::from_slice(&b.output.stdout).unwrap();
    assert_eq!(kind(&j), "indeterminate", "{j:#}");
    let reason = j["analytics"]["oauth"]["calls"][0]["reason"]
        .as_str()
        .unwrap();
    assert!(reason.starts_with("response body over 8 MiB"), "{reason}");
    if let Some(kib) = b.peak_rss_kib {
        assert!(kib < 150 * 1024, "peak RSS {kib} KiB");
    }
}

#[test]
fn an_analytics_redirect_is_never_followed() {
    let emu = Emulator::start(&[]);
    let other = BadServer::start_on("127.0.0.2", answer(200, "application/json", "{}"));
    let api = BadServer::start(Behaviour::Answer {
        status: 307,
        content_type: "text/html",
        headers: format!("location: {}/discovery/me\r\n", other.url),
        body: String::new(),
    });
    let (code, j, out) = verify(&emu, &["--analytics", "--analytics-url", &api.url], &[]);
    assert_eq!(code, 1, "{}", text(&out));
    assert_eq!(kind(&j), "indeterminate", "{j:#}");
    let reason = j["analytics"]["oauth"]["calls"][0]["reason"]
        .as_str()
        .unwrap();
    assert!(
        reason.starts_with("redirect refused: HTTP 307 to http://127.0.0.2:"),
        "{reason}"
    );
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(other.connections(), 0, "the redirect was followed");
}

#[test]
fn an_unknown_company_is_not_verified_and_bad_flags_are_usage_errors() {
    let emu = emulator_with(&fixture("analytics.json"), &[]);
    let (code, j, _) = verify(&emu, &["--analytics", "--company", "nope0"], &[]);
    assert_eq!(code, 1);
    assert_eq!(kind(&j), "analytics-not-verified", "{j:#}");
    assert!(
        result(&j)["summary"]
            .as_str()
            .unwrap()
            .contains("company nope0 is not among the companies"),
        "{j:#}"
    );
    let (code, j, _) = verify(&emu, &["--analytics", "--company", "EXAMPL0"], &[]);
    assert_eq!(code, 0, "company ids match in any case: {j:#}");
    for bad in [
        vec![
            "--analytics",
            "--analytics-url",
            "http://analytics.adobe.io",
        ],
        vec!["--analytics", "--company", "../x"],
        vec!["--company", "exampl0"],
    ] {
        let (code, _, out) = verify(&emu, &bad, &[]);
        assert_eq!(code, 2, "{bad:?}: {}", text(&out));
    }
}

/// Every output (human and json, with and without -v) of a verify run.
fn outputs(args: &[&str]) -> Vec<(String, String)> {
    let mut outs = Vec::new();
    for format in ["human", "json"] {
        for verbose in [false, true] {
            let mut a = args.to_vec();
            a.extend(["--format", format]);
            if verbose {
                a.push("-v");
            }
            let o = run(&a, &[]);
            outs.push((
                format!("{format} -v={verbose} stdout"),
                String::from_utf8_lossy(&o.stdout).into(),
            ));
            outs.push((
                format!("{format} -v={verbose} stderr"),
                String::from_utf8_lossy(&o.stderr).into(),
            ));
        }
    }
    outs
}

#[test]
fn no_token_or_secret_leaks_into_any_output_even_when_echoed() {
    const SECRET: &str = "p8e-ANALYTICSleakANALYTICSleak24680";
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("workspace.json");
    std::fs::write(
        &ws,
        std::fs::read_to_string(fixture("workspace-new-credential.json"))
            .unwrap()
            .replace("p8e-FIXTUREfixtureFIXTUREfixture1234", SECRET)
            .replace("p8e-NEWCREDnewcredNEWCREDnewcred5678", SECRET),
    )
    .unwrap();
    let (ws, key) = (ws.to_str().unwrap(), fixture("private.key"));
    let file = fixture("analytics.json");
    let emu = Emulator::start(&[
        "--credentials",
        ws,
        "--certificate",
        fixture("certificate_pub.crt").to_str().unwrap(),
        "--analytics",
        file.to_str().unwrap(),
    ]);
    let base = [
        "verify",
        "--analytics",
        "--config",
        ws,
        "--private-key",
        key.to_str().unwrap(),
        "--ims-url",
        emu.url.as_str(),
        "--retries",
        "0",
        "--timeout-ms",
        "3000",
    ];
    let mut all = outputs(&base);
    assert!(
        all.iter().any(|(_, t)| t.contains("owns 2 segments")),
        "the real path ran"
    );
    // An Analytics API that echoes everything it received (the bearer token,
    // the client id) in its error envelope and in company names.
    let echo_403 = BadServer::start(answer(
        403,
        "application/json",
        r#"{"errorCode":"403","errorDescription":"{ECHO_JSON}","errorId":"{ECHO_JSON}"}"#,
    ));
    let echo_200 = BadServer::start(answer(
        200,
        "application/json",
        r#"{"imsOrgs":[{"companies":[{"globalCompanyId":"exampl0","companyName":"{ECHO_JSON}"}]}],"content":[{"rsid":"{ECHO_JSON}"}]}"#,
    ));
    for api in [&echo_403, &echo_200] {
        let mut a = base.to_vec();
        a.extend(["--analytics-url", api.url.as_str()]);
        all.extend(outputs(&a));
        let seen = api.requests().join("\n");
        assert!(seen.contains("authorization: Bearer eyJ"), "{seen}");
    }
    assert!(
        all.iter().any(|(_, t)| t.contains("403 (you sent")),
        "the echo reached the output, cleaned"
    );
    let jwt = regex::Regex::new(r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}").unwrap();
    let key_pem = std::fs::read_to_string(fixture("private.key")).unwrap();
    let key_lines: Vec<&str> = key_pem
        .lines()
        .filter(|l| !l.starts_with("-----") && l.len() > 20)
        .collect();
    for (what, t) in &all {
        assert!(!jwt.is_match(t), "{what} leaks a token:\n{t}");
        assert!(
            !t.contains("ANALYTICSleak"),
            "{what} leaks the secret:\n{t}"
        );
        for l in &key_lines {
            assert!(!t.contains(l), "{what} leaks the private key:\n{t}");
        }
    }
}
