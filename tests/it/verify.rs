//! `jwt2oauth verify` against the real emulator over real HTTP on 127.0.0.1.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support;
use crate::support::{Emulator, fixture, text, verify};

fn kind(j: &serde_json::Value) -> &str {
    j["verdict"]["kind"].as_str().unwrap_or("?")
}

#[test]
fn both_flows_succeed_and_the_migration_is_verified() {
    let emu = Emulator::start(&[]);
    let (code, j, out) = verify(&emu, &[], &[]);
    assert_eq!(code, 0, "{}", text(&out));
    assert_eq!(kind(&j), "migration-verified");
    assert_eq!(j["jwt"]["status"], "valid");
    assert_eq!(j["oauth"]["status"], "valid");
    // ms on the JWT endpoint, s on the token endpoint, both normalised.
    assert_eq!(j["jwt"]["expires_in_raw"], 86_399_981);
    assert_eq!(j["jwt"]["expires_in_secs"], 86_399);
    assert_eq!(j["oauth"]["expires_in_secs"], 86_399);
    assert_eq!(
        j["jwt"]["claims"]["user_id"],
        j["oauth"]["claims"]["user_id"]
    );
    assert!(j["oauth"]["debug_id"].as_str().is_some());
}

#[test]
fn human_table_shows_both_columns_and_the_verdict() {
    let emu = Emulator::start(&[]);
    let (code, _, out) = verify(&emu, &["--format", "human"], &[]);
    let s = String::from_utf8_lossy(&out.stdout);
    assert_eq!(code, 0, "{s}");
    assert!(
        s.contains("Service Account (JWT)") && s.contains("OAuth Server-to-Server"),
        "{s}"
    );
    assert!(s.contains("same"), "{s}");
    assert!(s.contains("verdict: migration verified"), "{s}");
}

#[test]
fn wrong_client_secret_fails_with_ims_error_and_hint() {
    let emu = Emulator::start(&[]);
    let (code, j, out) = verify(
        &emu,
        &[],
        &[(
            "JWT2OAUTH_CLIENT_SECRET",
            "p8e-WRONGwrongWRONGwrongWRONG00000",
        )],
    );
    assert_eq!(code, 1, "{}", text(&out));
    assert_eq!(kind(&j), "oauth-fails");
    assert_eq!(j["oauth"]["status"], "invalid");
    assert_eq!(j["oauth"]["http_status"], 400);
    assert_eq!(j["oauth"]["ims_error"]["error"], "invalid_client");
    assert_eq!(j["jwt"]["http_status"], 401);
    assert!(
        j["oauth"]["hint"]
            .as_str()
            .unwrap()
            .contains("wrong client secret")
    );
}

#[test]
fn metascope_not_in_the_binding_is_rejected() {
    let emu = Emulator::start(&[]);
    let (code, j, out) = verify(
        &emu,
        &["--metascopes", "ent_user_sdk,ent_campaign_sdk"],
        &[],
    );
    assert_eq!(code, 1, "{}", text(&out));
    assert_eq!(j["jwt"]["ims_error"]["error"], "invalid_scope");
    assert_eq!(j["oauth"]["status"], "valid");
    assert_eq!(kind(&j), "oauth-works-jwt-fails");
}

#[test]
fn expired_jwt_is_rejected_with_a_clock_hint() {
    let emu = Emulator::start(&[]);
    let (code, j, out) = verify(&emu, &["--jwt-lifetime", "-60"], &[]);
    assert_eq!(code, 1, "{}", text(&out));
    assert_eq!(j["jwt"]["ims_error"]["error"], "invalid_token");
    assert!(j["jwt"]["hint"].as_str().unwrap().contains("clock"));
    assert_eq!(kind(&j), "oauth-works-jwt-fails");
}

#[test]
fn retired_jwt_with_working_oauth_counts_as_migrated() {
    let emu = Emulator::start(&["--jwt-retired"]);
    let (code, j, out) = verify(&emu, &[], &[]);
    assert_eq!(code, 0, "{}", text(&out));
    assert_eq!(kind(&j), "oauth-works-jwt-retired");
    assert_eq!(j["jwt"]["retired"], true);
}

/// "Could not match JWT signature to any of the bindings" is what a wrong
/// private key gets: never read as retired, even after the final
/// conversion date (past on any clock this runs on).
#[test]
fn lost_binding_is_not_read_as_retired() {
    let emu = Emulator::start(&["--jwt-retired", "no-binding"]);
    let (code, j, out) = verify(&emu, &[], &[]);
    assert_eq!(code, 1, "{}", text(&out));
    assert_eq!(kind(&j), "oauth-works-jwt-fails");
    assert_eq!(j["jwt"]["retired"], false);
}

/// `--private-key` pointing at a key that does not belong to the
/// credential: the JWT side is invalid, the verdict says wrong key, exit 1.
#[test]
fn wrong_private_key_is_not_verified_and_not_retired() {
    let emu = Emulator::start(&[]);
    let other = fixture("other_private.key");
    let (code, j, out) = verify(&emu, &["--private-key", other.to_str().unwrap()], &[]);
    assert_eq!(code, 1, "{}", text(&out));
    assert_eq!(kind(&j), "oauth-works-jwt-fails");
    assert_eq!(j["jwt"]["status"], "invalid");
    assert_eq!(j["jwt"]["retired"], false);
    let summary = j["verdict"]["summary"].as_str().unwrap();
    assert!(summary.contains("wrong private key"), "{summary}");
    assert!(!summary.contains("retired"), "{summary}");
    assert!(
        j["jwt"]["hint"]
            .as_str()
            .unwrap()
            .contains("does not belong")
    );
    let (_, _, human) = verify(
        &emu,
        &[
            "--private-key",
            other.to_str().unwrap(),
            "--format",
            "human",
        ],
        &[],
    );
    let s = String::from_utf8_lossy(&human.stdout);
    assert!(s.contains("verdict: not verified"), "{s}");
    assert!(
        !s.contains("already retired") && !s.contains("most likely retired"),
        "{s}"
    );
}

#[test]
fn rate_limited_then_success_honours_retry_after() {
    let emu = Emulator::start(&["--fault", "429", "--fault-count", "2", "--retry-after", "1"]);
    let start = std::time::Instant::now();
    let (code, j, out) = verify(&emu, &[], &[]);
    assert_eq!(code, 0, "{}", text(&out));
    assert_eq!(j["jwt"]["attempts"], 2);
    assert_eq!(j["oauth"]["attempts"], 2);
    assert!(
        start.elapsed() >= std::time::Duration::from_secs(1),
        "Retry-After was not honoured"
    );
}

#[test]
fn server_error_every_time_is_indeterminate_not_invalid() {
    let emu = Emulator::start(&["--fault", "500"]);
    let (code, j, out) = verify(&emu, &["--retries", "2"], &[]);
    assert_eq!(code, 1, "{}", text(&out));
    assert_eq!(kind(&j), "indeterminate");
    assert_eq!(j["oauth"]["status"], "indeterminate");
    assert_eq!(j["jwt"]["status"], "indeterminate");
    assert_eq!(j["oauth"]["attempts"], 3);
    assert!(j["oauth"]["reason"].as_str().unwrap().contains("500"));
}

#[test]
fn timeouts_are_indeterminate() {
    let emu = Emulator::start(&["--latency-ms", "1500"]);
    let (code, j, out) = verify(&emu, &["--timeout-ms", "200", "--retries", "1"], &[]);
    assert_eq!(code, 1, "{}", text(&out));
    assert_eq!(kind(&j), "indeterminate");
    assert!(
        j["oauth"]["reason"].as_str().unwrap().contains("timed out"),
        "{j}"
    );
    assert_eq!(j["jwt"]["status"], "indeterminate");
}

#[test]
fn per_credential_downloads_and_flags_work_together() {
    let emu = Emulator::start(&[]);
    let (jwt, oauth) = (
        fixture("jwt-credential.json"),
        fixture("oauth-credential.json"),
    );
    let args = [
        "--config",
        jwt.to_str().unwrap(),
        "--config",
        oauth.to_str().unwrap(),
        "--metascopes",
        "ent_user_sdk",
    ];
    let (code, j, out) = verify(&emu, &args, &[]);
    assert_eq!(code, 0, "{}", text(&out));
    assert_eq!(kind(&j), "migration-verified");
}

#[test]
fn aio_contexts_with_key_path_work() {
    let emu = Emulator::start(&[]);
    let aio = fixture("aio-config.json");
    let (code, j, out) = verify(
        &emu,
        &[
            "--config",
            aio.to_str().unwrap(),
            "--private-key",
            fixture("private.key").to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(code, 0, "{}", text(&out));
    assert_eq!(kind(&j), "migration-verified");
}

#[test]
fn encrypted_key_from_env_with_passphrase() {
    let emu = Emulator::start(&[]);
    let pem = std::fs::read_to_string(fixture("private_encrypted.key")).unwrap();
    let env = [
        ("JWT2OAUTH_PRIVATE_KEY", pem.as_str()),
        ("JWT2OAUTH_PRIVATE_KEY_PASSPHRASE", "fixture-passphrase"),
    ];
    let (code, j, out) = verify(&emu, &[], &env);
    assert_eq!(code, 0, "{}", text(&out));
    assert_eq!(kind(&j), "migration-verified");
}

#[test]
fn probe_compares_an_api_call_with_each_token() {
    let emu = Emulator::start(&[]);
    let probe = format!("{}/ims/profile/v1", emu.url);
    let (code, j, out) = verify(&emu, &["--probe", &probe], &[]);
    assert_eq!(code, 0, "{}", text(&out));
    assert_eq!(j["probe"]["jwt"]["status"], 200);
    assert_eq!(j["probe"]["oauth"]["shape"], j["probe"]["jwt"]["shape"]);
}

#[test]
fn usage_errors_exit_2() {
    let emu = Emulator::start(&[]);
    // JWT credential without a private key.
    let out = support::run(
        &[
            "verify",
            "--config",
            fixture("workspace.json").to_str().unwrap(),
            "--ims-url",
            &emu.url,
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("private key"));
    // Plain http to a non-loopback host.
    let (code, _, out) = verify(&emu, &["--ims-url", "http://ims.example.com"], &[]);
    assert_eq!(code, 2, "{}", text(&out));
    // Wrong passphrase.
    let pem = std::fs::read_to_string(fixture("private_encrypted.key")).unwrap();
    let env = [
        ("JWT2OAUTH_PRIVATE_KEY", pem.as_str()),
        ("JWT2OAUTH_PRIVATE_KEY_PASSPHRASE", "wrong"),
    ];
    let (code, _, out) = verify(&emu, &[], &env);
    assert_eq!(code, 2, "{}", text(&out));
}

#[test]
fn oauth_only_skips_the_jwt_flow() {
    let emu = Emulator::start(&[]);
    let (code, j, out) = verify(&emu, &["--oauth-only"], &[]);
    assert_eq!(code, 0, "{}", text(&out));
    assert_eq!(kind(&j), "oauth-works-no-jwt");
    assert_eq!(j["jwt"]["status"], "skipped");
}

#[test]
fn redirects_are_never_followed() {
    use std::io::{Read, Write};
    use std::net::TcpListener;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    // A second server that must never be contacted.
    let other = TcpListener::bind("127.0.0.1:0").unwrap();
    let other_addr = other.local_addr().unwrap();
    let hits = Arc::new(AtomicUsize::new(0));
    let h = hits.clone();
    other.set_nonblocking(true).unwrap();
    std::thread::spawn(move || {
        for _ in 0..100 {
            if other.accept().is_ok() {
                h.fetch_add(1, Ordering::SeqCst);
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    });
    // An "IMS" that redirects every request there.
    let ims = TcpListener::bind("127.0.0.1:0").unwrap();
    let ims_url = format!("http://{}", ims.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in ims.incoming().take(2) {
            let mut s = stream.unwrap();
            let mut buf = [0u8; 8192];
            let _ = s.read(&mut buf);
            let resp = format!(
                "HTTP/1.1 307 Temporary Redirect\r\nLocation: http://{other_addr}/ims/token/v3\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
            let _ = s.write_all(resp.as_bytes());
        }
    });
    let ws = fixture("workspace.json");
    let key = fixture("private.key");
    let out = support::run(
        &[
            "verify",
            "--format",
            "json",
            "--config",
            ws.to_str().unwrap(),
            "--private-key",
            key.to_str().unwrap(),
            "--ims-url",
            &ims_url,
            "--retries",
            "0",
        ],
        &[],
    );
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert_eq!(j["oauth"]["status"], "indeterminate");
    assert!(j["oauth"]["reason"].as_str().unwrap().contains("redirect"));
    std::thread::sleep(std::time::Duration::from_millis(100));
    assert_eq!(hits.load(Ordering::SeqCst), 0, "a redirect was followed");
}
