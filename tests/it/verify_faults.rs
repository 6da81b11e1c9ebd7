//! The verifier against a misbehaving server and the emulator's fault
//! injection: every fault ends in bounded time and memory with an
//! `indeterminate` verdict (exit 1) whose reason names what happened, and a
//! redirect never carries credentials anywhere. Bounds are asserted with
//! generous margins (a 1.5 s timeout must finish well under 30 s).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::badserver;
use std::time::Duration;

use crate::support::badserver::{BadServer, Behaviour, answer, assert_indeterminate, verify_at};
use crate::support::{Bounded, Emulator, fixture, run_bounded, text};

#[test]
fn a_one_byte_per_second_drip_times_out() {
    let s = BadServer::start(Behaviour::DripForever);
    let (code, j, b) = verify_at(&s.url, &[]);
    assert_indeterminate(code, &j, &b, "timed out after 1500 ms");
    assert_eq!(j["oauth"]["attempts"], 2, "{j:#}");
    // 2 attempts x 1.5 s + 10 ms backoff, concurrently for both flows.
    assert!(b.elapsed < Duration::from_secs(30), "{:?}", b.elapsed);
}

#[test]
fn headers_then_a_stalled_body_time_out_naming_the_body() {
    let s = BadServer::start(Behaviour::StallBody);
    let (code, j, b) = verify_at(&s.url, &[]);
    assert_indeterminate(
        code,
        &j,
        &b,
        "timed out after 1500 ms reading the response body",
    );
    assert!(b.elapsed < Duration::from_secs(30), "{:?}", b.elapsed);
}

#[test]
fn the_run_deadline_caps_retries() {
    // 100 retries of a 2 s timeout would take over 200 s; the deadline stops them.
    let s = BadServer::start(Behaviour::DripForever);
    let (code, j, b) = verify_at(
        &s.url,
        &[
            "--retries",
            "100",
            "--timeout-ms",
            "2000",
            "--deadline-ms",
            "5000",
        ],
    );
    assert_indeterminate(code, &j, &b, "deadline");
    assert!(b.elapsed < Duration::from_secs(30), "{:?}", b.elapsed);
    let attempts = j["oauth"]["attempts"].as_u64().unwrap();
    assert!(
        (2..=4).contains(&attempts),
        "{attempts} attempts in a 5 s deadline"
    );
}

#[test]
fn a_reset_mid_response_is_a_network_error_not_a_rejection() {
    let s = BadServer::start(Behaviour::ResetMidBody);
    let (code, j, b) = verify_at(&s.url, &[]);
    assert_indeterminate(code, &j, &b, "connection reset");
    // Retried like any network error.
    assert_eq!(j["oauth"]["attempts"], 2, "{j:#}");
}

#[test]
fn an_html_login_page_with_200_is_not_a_token() {
    let page = "<!DOCTYPE html><html><body><form action=/login>Sign in</form></body></html>";
    let s = BadServer::start(answer(200, "text/html; charset=utf-8", page));
    let (code, j, b) = verify_at(&s.url, &[]);
    assert_indeterminate(
        code,
        &j,
        &b,
        "non-JSON response with content type text/html",
    );
    // A well-formed answer is not retried.
    assert_eq!(j["oauth"]["attempts"], 1, "{j:#}");
}

#[test]
fn a_proxy_502_page_is_a_server_error() {
    let page = "<html><head><title>502 Bad Gateway</title></head><body><center>nginx</center></body></html>";
    let s = BadServer::start(answer(502, "text/html", page));
    let (code, j, b) = verify_at(&s.url, &[]);
    assert_indeterminate(code, &j, &b, "HTTP 502");
    assert_indeterminate(code, &j, &b, "text/html");
    assert_eq!(j["oauth"]["attempts"], 2, "5xx is retried: {j:#}");
}

#[test]
fn a_proxy_403_page_does_not_blame_the_credential() {
    let page = "<html><body><h1>Access denied by corporate proxy</h1></body></html>";
    let s = BadServer::start(answer(403, "text/html", page));
    let (code, j, b) = verify_at(&s.url, &[]);
    assert_indeterminate(code, &j, &b, "not an IMS error");
}

#[test]
fn a_10_mb_body_is_refused_at_1_mib() {
    let s = BadServer::start(Behaviour::BigBody { len: 10 << 20 });
    let (code, j, b) = verify_at(&s.url, &[]);
    assert_indeterminate(code, &j, &b, "body over 1 MiB");
    assert_eq!(j["oauth"]["attempts"], 1, "{j:#}");
    assert_rss_bounded(&b);
}

#[test]
fn an_endless_chunked_body_stops_at_1_mib() {
    let s = BadServer::start(Behaviour::EndlessChunked);
    let (code, j, b) = verify_at(&s.url, &["--timeout-ms", "20000"]);
    assert_indeterminate(code, &j, &b, "body over 1 MiB");
    // Two connections; each stopped after 1 MiB plus what the socket buffers
    // held. Reading it all until the 20 s timeout would be gigabytes.
    let sent = s.sent();
    eprintln!(
        "endless body: server wrote {} KiB in {:?}",
        sent >> 10,
        b.elapsed
    );
    assert!(sent < 64 << 20, "the client read {sent} bytes");
    assert!(b.elapsed < Duration::from_secs(15), "{:?}", b.elapsed);
    assert_rss_bounded(&b);
}

#[test]
fn endless_headers_are_cut_off_by_the_http_parser() {
    let s = BadServer::start(Behaviour::EndlessHeaders);
    let (code, j, b) = verify_at(&s.url, &["--timeout-ms", "20000"]);
    assert_indeterminate(code, &j, &b, "before a response arrived");
    // hyper stops at about 400 KiB of head; 2 flows x 2 attempts.
    let sent = s.sent();
    eprintln!(
        "endless headers: server wrote {} KiB in {:?}",
        sent >> 10,
        b.elapsed
    );
    assert!(sent < 64 << 20, "the client read {sent} bytes of headers");
    assert!(b.elapsed < Duration::from_secs(15), "{:?}", b.elapsed);
    assert_rss_bounded(&b);
}

fn assert_rss_bounded(b: &Bounded) {
    if let Some(kib) = b.peak_rss_kib {
        eprintln!("peak RSS {} MiB", kib >> 10);
        assert!(kib < 200 << 10, "peak RSS {kib} KiB");
    }
}

#[test]
fn a_token_labelled_text_html_is_not_trusted() {
    let body = r#"{"access_token":"eyJhbGciOiJub25lIn0.eyJpZCI6IngifQ.c2ln","token_type":"bearer","expires_in":86399}"#;
    let s = BadServer::start(answer(200, "text/html", body));
    let (code, j, b) = verify_at(&s.url, &[]);
    assert_indeterminate(code, &j, &b, "content type text/html");
}

#[test]
fn application_json_that_is_not_json_is_indeterminate() {
    let s = BadServer::start(answer(200, "application/json", "<html>oops</html>"));
    let (code, j, b) = verify_at(&s.url, &[]);
    assert_indeterminate(code, &j, &b, "not valid JSON");
}

#[test]
fn the_emulator_latency_beyond_the_timeout_is_bounded() {
    let emu = Emulator::start(&["--latency-ms", "5000"]);
    let (code, j, b) = verify_at(&emu.url, &["--timeout-ms", "300", "--retries", "2"]);
    assert_indeterminate(code, &j, &b, "timed out after 300 ms");
    assert!(b.elapsed < Duration::from_secs(30), "{:?}", b.elapsed);
}

#[test]
fn a_retry_after_beyond_the_deadline_stops_retrying_at_once() {
    let emu = Emulator::start(&["--fault", "503", "--retry-after", "20"]);
    let (code, j, b) = verify_at(&emu.url, &["--retries", "3", "--deadline-ms", "5000"]);
    assert_indeterminate(code, &j, &b, "HTTP 503");
    assert_eq!(j["oauth"]["attempts"], 1, "{j:#}");
    assert!(b.elapsed < Duration::from_secs(15), "{:?}", b.elapsed);
}

#[test]
fn token_reports_faults_on_stderr_with_exit_1() {
    let s = BadServer::start(answer(200, "text/html", "<html>login</html>"));
    let ws = fixture("workspace.json");
    let b = run_bounded(
        &[
            "token",
            "--config",
            ws.to_str().unwrap(),
            "--ims-url",
            &s.url,
        ],
        &[],
        badserver::LIMIT,
    );
    assert_eq!(b.output.status.code(), Some(1), "{}", text(&b.output));
    assert!(b.output.stdout.is_empty());
    let err = String::from_utf8_lossy(&b.output.stderr);
    assert!(
        err.contains("non-JSON response with content type text/html"),
        "{err}"
    );
}

#[test]
fn the_verbose_trace_shows_each_attempt_answer_and_retry() {
    let s = BadServer::start(answer(502, "text/html", "<h1>Bad Gateway</h1>"));
    let (code, _, b) = verify_at(&s.url, &["-v"]);
    assert_eq!(code, 1);
    let err = String::from_utf8_lossy(&b.output.stderr);
    for needle in [
        "trace oauth: > POST http://127.0.0.1:",
        "/ims/token/v3 (attempt 1, 1500 ms allowed) grant_type=client_credentials",
        "client_secret=p8e-…[redacted, 36 chars]",
        "trace jwt: > POST",
        "jwt_token=eyJ",
        "trace oauth: < HTTP 502, content type text/html, after",
        "trace oauth: < body (20 bytes): <h1>Bad Gateway</h1>",
        "trace oauth: retrying in 10 ms",
        "(attempt 2, 1500 ms allowed)",
    ] {
        assert!(err.contains(needle), "no {needle:?} in:\n{err}");
    }
    let drip = BadServer::start(Behaviour::StallBody);
    let (_, _, b) = verify_at(&drip.url, &["-v", "--retries", "0"]);
    let err = String::from_utf8_lossy(&b.output.stderr);
    let needle = "trace oauth: ! timed out after 1500 ms reading the response body";
    assert!(err.contains(needle), "no {needle:?} in:\n{err}");
}
