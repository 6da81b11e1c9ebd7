//! Secrets in verifier traffic: a `p8e-` client secret, the private key, the
//! signed JWT and access tokens (the emulator's real ones, seen through a
//! recording proxy, and a planted one) are echoed back by a misbehaving
//! server in JSON error bodies, HTML pages, `Location`, `WWW-Authenticate`
//! and `x-debug-id` headers, token claims and probe answers. No 8-character
//! window of any of them may appear in any output of `verify` (human, json,
//! with and without `-v`) or `token` (stderr; stdout is the token by design),
//! on success or error. Only the masked 4-character prefix may.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

use crate::support::badserver::{BadServer, Behaviour, PLANTED_ECHO};
use crate::support::{Emulator, fixture, run_bounded};
use base64::Engine as _;

const SECRET: &str = "p8e-Qz7XvK2mN9pL4wR8tY6uJ3hG5fD1sAc0";
const CID: &str = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";

/// A JWT-shaped access token whose `user_id` claim is the client secret.
fn planted_token() -> String {
    let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
    let claims = format!(
        r#"{{"id":"planted-1","type":"access_token","client_id":"{CID}","user_id":"{SECRET}","as":"ims-na1","scope":"openid,AdobeID,{SECRET}","created_at":"1700000000000","expires_in":"86400000"}}"#
    );
    format!(
        "{}.{}.{}",
        b64(r#"{"alg":"RS256","kid":"planted-key"}"#),
        b64(&claims),
        b64("planted signature bytes 0123456789 planted signature bytes")
    )
}

struct Setup {
    _dir: tempfile::TempDir,
    ws: PathBuf,
    key_pem: String,
}

fn setup() -> Setup {
    let key_pem = std::fs::read_to_string(fixture("private.key")).unwrap();
    *PLANTED_ECHO.lock().unwrap() = format!(
        "{key_pem}\nAuthorization: Bearer {t}\naccess_token={t}\n",
        t = planted_token()
    );
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("workspace.json");
    let text = std::fs::read_to_string(fixture("workspace.json"))
        .unwrap()
        .replace("p8e-FIXTUREfixtureFIXTUREfixture1234", SECRET);
    assert!(text.contains(SECRET));
    std::fs::write(&ws, text).unwrap();
    Setup {
        _dir: dir,
        ws,
        key_pem,
    }
}

/// Every output of verify (both formats, with and without -v) and token
/// (with and without -v) against `url`, plus `extra` flags for verify.
fn outputs(s: &Setup, url: &str, extra: &[&str]) -> Vec<(String, String)> {
    let ws = s.ws.to_str().unwrap();
    let key = fixture("private.key");
    let fast = [
        "--retries",
        "1",
        "--backoff-ms",
        "10",
        "--timeout-ms",
        "3000",
    ];
    let mut out = Vec::new();
    let limit = Duration::from_secs(60);
    for format in ["human", "json"] {
        for verbose in [false, true] {
            let mut a = vec![
                "verify",
                "--config",
                ws,
                "--private-key",
                key.to_str().unwrap(),
            ];
            a.extend(["--ims-url", url, "--format", format]);
            a.extend(fast);
            a.extend(extra);
            if verbose {
                a.push("-v");
            }
            let b = run_bounded(&a, &[], limit);
            let what = format!("verify {format}{}", if verbose { " -v" } else { "" });
            if verbose {
                let err = String::from_utf8_lossy(&b.output.stderr);
                assert!(err.contains("trace oauth: > POST"), "{what}: {err}");
            }
            out.push((format!("{what} stdout"), lossy(&b.output.stdout)));
            out.push((format!("{what} stderr"), lossy(&b.output.stderr)));
        }
    }
    for verbose in [false, true] {
        let mut a = vec!["token", "--config", ws, "--ims-url", url];
        a.extend(fast);
        if verbose {
            a.push("--verbose");
        }
        let b = run_bounded(&a, &[], limit);
        let what = format!("token{}", if verbose { " -v" } else { "" });
        if b.output.status.code() != Some(0) {
            out.push((format!("{what} stdout"), lossy(&b.output.stdout)));
        }
        out.push((format!("{what} stderr"), lossy(&b.output.stderr)));
    }
    out
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// The secrets to look for: the client secret, the key's body, the planted
/// token, and every signed JWT and access token the servers saw.
fn secrets(s: &Setup, servers: &[&BadServer]) -> Vec<(String, String)> {
    let mut v = vec![
        ("client secret".to_string(), SECRET.to_string()),
        ("planted access token".to_string(), planted_token()),
    ];
    let body: Vec<&str> = s
        .key_pem
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    v.push(("private key".into(), body.concat()));
    let jwt = regex::Regex::new(r"jwt_token=([A-Za-z0-9_.-]+)").unwrap();
    let token = regex::Regex::new(r#""access_token":"([^"]+)""#).unwrap();
    for srv in servers {
        for r in srv.requests() {
            for c in jwt.captures_iter(&r) {
                v.push(("signed JWT".into(), c[1].to_string()));
            }
        }
        for a in srv.answers() {
            for c in token.captures_iter(&a) {
                v.push(("emulator access token".into(), c[1].to_string()));
            }
        }
    }
    v
}

/// Fails when any 8-byte window of any secret appears in any output.
fn assert_no_window(outputs: &[(String, String)], secrets: &[(String, String)]) {
    let mut windows: HashMap<&[u8], &str> = HashMap::new();
    for (name, s) in secrets {
        for w in s.as_bytes().windows(8) {
            windows.insert(w, name);
        }
    }
    for (what, text) in outputs {
        for (i, w) in text.as_bytes().windows(8).enumerate() {
            if let Some(name) = windows.get(w) {
                let from = text.floor_char_boundary(i.saturating_sub(60));
                let to = text.ceil_char_boundary((i + 68).min(text.len()));
                panic!("{what} leaks part of the {name}: ...{}...", &text[from..to]);
            }
        }
    }
}

fn echo_answer(status: u16, content_type: &'static str, headers: &str, body: &str) -> Behaviour {
    Behaviour::Answer {
        status,
        content_type,
        headers: headers.to_string(),
        body: body.to_string(),
    }
}

const ECHO_HEADERS: &str = "www-authenticate: Bearer error=\"invalid_token\", error_description=\"{ECHO}\"\r\nx-debug-id: {ECHO}\r\n";

#[test]
fn echoes_in_error_bodies_html_pages_and_headers_never_leak() {
    let s = setup();
    let other = BadServer::start_on("127.0.0.2", echo_answer(200, "text/html", "", "{ECHO}"));
    let location = format!("location: {}/cb?client_secret={{ECHO}}\r\n", other.url);
    let scenarios = [
        echo_answer(
            400,
            "application/json",
            ECHO_HEADERS,
            r#"{"error":"invalid_client {ECHO_JSON}","error_description":"you sent {ECHO_JSON}"}"#,
        ),
        echo_answer(401, "text/plain", ECHO_HEADERS, "{ECHO}"),
        echo_answer(
            200,
            "text/html",
            ECHO_HEADERS,
            "<html><body><pre>{ECHO}</pre></body></html>",
        ),
        echo_answer(502, "text/html", ECHO_HEADERS, "<h1>Bad Gateway</h1>{ECHO}"),
        echo_answer(
            500,
            "application/json",
            ECHO_HEADERS,
            r#"{"error":"{ECHO_JSON}"}"#,
        ),
        echo_answer(307, "text/html", &location, "{ECHO}"),
        echo_answer(200, "application/json", ECHO_HEADERS, "{ECHO}"),
    ];
    let mut servers = Vec::new();
    let mut all = Vec::new();
    for b in scenarios {
        let srv = BadServer::start(b);
        all.extend(outputs(&s, &srv.url, &[]));
        servers.push(srv);
    }
    assert_eq!(other.connections(), 0, "a redirect was followed");
    let refs: Vec<&BadServer> = servers.iter().collect();
    let secrets = secrets(&s, &refs);
    assert!(
        secrets.iter().any(|(n, _)| n == "signed JWT"),
        "no JWT was captured"
    );
    assert_no_window(&all, &secrets);
    assert!(
        all.iter().any(|(_, t)| t.contains("p8e-…[redacted")),
        "the trace shows masked secrets"
    );
}

#[test]
fn a_token_answer_full_of_echoes_shows_only_masked_values() {
    let s = setup();
    let body = format!(
        r#"{{"access_token":"{}","token_type":"bearer {{ECHO_JSON}}","expires_in":86399,"echo":"{{ECHO_JSON}}"}}"#,
        planted_token()
    );
    let srv = BadServer::start(echo_answer(200, "application/json", ECHO_HEADERS, &body));
    let outs = outputs(&s, &srv.url, &[]);
    // The planted token was accepted (its claims are shown, cleaned).
    assert!(
        outs.iter().any(|(_, t)| t.contains("eyJh…[redacted")),
        "{outs:?}"
    );
    assert_no_window(&outs, &secrets(&s, &[&srv]));
}

#[test]
fn real_emulator_tokens_and_the_signed_jwt_never_leak_even_through_the_probe() {
    let s = setup();
    let ws = s.ws.to_str().unwrap();
    let emu = Emulator::start(&[
        "--credentials",
        ws,
        "--certificate",
        fixture("certificate_pub.crt").to_str().unwrap(),
    ]);
    let upstream = emu.url.trim_start_matches("http://").parse().unwrap();
    let proxy = BadServer::start(Behaviour::Proxy { upstream });
    // A probe API that echoes the bearer token in its body's keys and headers.
    let probe = BadServer::start(echo_answer(
        200,
        "application/json",
        ECHO_HEADERS,
        r#"{"{ECHO_JSON}":1,"ok":true}"#,
    ));
    let probe_url = format!("{}/api?client_secret={SECRET}", probe.url);
    let mut outs = outputs(&s, &proxy.url, &["--probe", &probe_url]);
    assert!(
        outs.iter().any(|(_, t)| t.contains("\"probe\": {")),
        "{outs:?}"
    );
    assert!(
        outs.iter()
            .any(|(_, t)| t.contains("trace probe oauth: > GET")),
        "{outs:?}"
    );
    // A probe that cannot connect, with the secret in its query string.
    outs.extend(outputs(
        &s,
        &proxy.url,
        &[
            "--probe",
            &format!("http://127.0.0.1:9/x?client_secret={SECRET}"),
        ],
    ));
    let secrets = secrets(&s, &[&proxy, &probe]);
    assert!(
        secrets
            .iter()
            .filter(|(n, _)| n == "emulator access token")
            .count()
            >= 8
    );
    assert_no_window(&outs, &secrets);
}

#[test]
fn urls_carrying_secrets_are_refused_without_echoing_them() {
    let s = setup();
    let ws = s.ws.to_str().unwrap();
    let mut outs = Vec::new();
    for url in [
        format!("http://127.0.0.1:9/?client_secret={SECRET}"),
        format!("https://me:{SECRET}@ims.example"),
        format!("http://127.0.0.1:9/{SECRET}"),
        format!("not a url {SECRET}"),
    ] {
        for cmd in ["verify", "token"] {
            let b = run_bounded(
                &[
                    cmd,
                    "--config",
                    ws,
                    "--oauth-only",
                    "--ims-url",
                    &url,
                    "--retries",
                    "0",
                ],
                &[],
                Duration::from_secs(60),
            );
            assert!(matches!(b.output.status.code(), Some(1 | 2)), "{cmd} {url}");
            outs.push((format!("{cmd} {url} stdout"), lossy(&b.output.stdout)));
            outs.push((format!("{cmd} {url} stderr"), lossy(&b.output.stderr)));
        }
    }
    assert_no_window(&outs, &secrets(&s, &[]));
}
